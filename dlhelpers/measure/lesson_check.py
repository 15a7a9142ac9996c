"""Does a faces VAE teach chapter 7's lessons? Four checks, measured by the trait judge, one table.

    from dlhelpers import data
    from dlhelpers.engine import checkpoints
    from dlhelpers.measure import judges, lesson_check
    vae = checkpoints.load("files/vae_faces64.pt"); judge = checkpoints.load(judges.TRAITS_PATH)
    table = lesson_check.lesson_table(vae, judge, data.face_set(size=64))   # prints it, too
    lesson_check.failures(table)                                            # [] when all pass

(a) arithmetic: the chapter's expression and exercise 7.1's three (``claims.CHAPTER``,
    ``claims.EXERCISE_7_1``), each over ``draws`` random draws of ``per_group`` faces per group;
    successes and vacuous draws (a group's own decoded mean lost its traits) counted apart.
(b) interpolation: ``claims.interpolation_survey`` from glasses to no glasses (women, as notebook
    04 walks them); valid paths and the share of those that cross 0.5 exactly once.
(c) attribute vector: the glasses direction (mean code with - without, ``latent.attribute_vector``,
    from the first ``attribute_faces`` faces as notebook 04 does) added with ``strength`` to faces
    without glasses, subtracted from faces with; faces from after those, never used for the
    direction. Shares: glasses put on, taken off, and each other labelled trait (beard, smile)
    still read as labelled.
(d) survival: fresh faces (``synthetic_set.render_set(n, seed=99, thin_frames=True)``), thin
    low-contrast frames; the glasses the judge still sees in the rebuilds, and the frames drawn in
    their place (``survival.frames_kept``), over all glasses faces and per frame colour.
"""

import torch

from dlhelpers import data
from dlhelpers.chapter import latent
from dlhelpers.chapter.latent import to_float
from dlhelpers.data import synthetic_set
from dlhelpers.data.groups import GROUPS
from dlhelpers.engine import checkpoints, recipes
from dlhelpers.measure import claims, judges, survival
from dlhelpers.measure.judges import trait_scores

GOALS = {
    "arithmetic_successes": 35,  # of 50 draws, each expression
    "arithmetic_vacuous": 5,  # of 50 draws, at most
    "paths_valid": 25,  # of 30 paths
    "one_crossing_share": 0.8,  # of the valid paths
    "added": 0.8,  # shares of the edited faces
    "removed": 0.8,
    "others_kept": 0.8,
    "survival_all": 0.8,  # thin frames kept, a study's bar (notebook 05), not the chapter's
    "survival_kind": 0.7,
}
"""The lesson's bars, the one table every verdict, bench and report reads. Counts are for 50
draws and 30 paths (``scaled`` gives them for other counts); shares are 0..1."""

STRENGTH = 2.0
"""The attribute strength checked, the same for adding and removing: 1 adds one whole difference
of means (the slider's range is -3..3)."""


def scaled(key, n, goals=None):
    """The bar ``key`` of ``goals`` (default ``GOALS``) for ``n`` draws or paths instead of 50 or
    30: at least (rounded up) for successes and valid paths, at most (rounded down) for vacuous."""
    g = dict(GOALS, **(goals or {}))
    per = 30 if key == "paths_valid" else 50
    return g[key] * n // per if key == "arithmetic_vacuous" else -(-g[key] * n // per)


def arithmetic_part(vae, judge, faces, draws=50, per_group=3, seed=0):
    """{name: {"successes", "vacuous", "draws", "target"}} for "chapter" and the three
    ``claims.EXERCISE_7_1`` names (counts 0..draws; the groups drawn by their labels)."""
    out = {}
    for name, spec in {"chapter": claims.CHAPTER, **claims.EXERCISE_7_1}.items():
        r = claims.arithmetic_success(
            vae, judge, faces, draws, per_group, seed, spec["expression"], spec["target"], groups=GROUPS
        )
        out[name] = {
            "successes": r["successes"],
            "vacuous": r["vacuous"],
            "draws": r["draws"],
            "target": r["target"],
        }
    return out


def interpolation_part(vae, judge, faces, pairs=30, per_group=3, seed=0, start=None, end=None):
    """Glasses -> no glasses paths (default: women, as notebook 04). Returns {"pairs", "valid",
    "one_crossing" (counts), "one_crossing_share" (of the valid paths, 0..1; 0 when none)}."""
    start = start or {"glasses": 1, "beard": 0}
    end = end or {"glasses": 0, "beard": 0}
    s = claims.interpolation_survey(
        vae, judge, faces, start, end, "glasses", pairs=pairs, per_group=per_group, seed=seed
    )
    return {
        "pairs": s["pairs"],
        "valid": s["valid"],
        "one_crossing": s["one_crossing"],
        "one_crossing_share": s["one_crossing"] / s["valid"] if s["valid"] else 0.0,
    }


def attribute_edit(
    vae, judge, faces, strength=STRENGTH, attribute_faces=2000, test_faces=500, trait="glasses"
):
    """Add ``trait``'s direction to faces without it and subtract it from faces with it.

    The direction comes from the codes of faces ``[:attribute_faces]`` (labels in
    ``faces.attributes``), the edits are made on the next ``test_faces`` faces. Returns
    {"strength", "added" (share of faces without the trait the judge reads with it after adding),
    "removed" (share with it read without it after subtracting), "others": {other trait: share
    of the edited faces the judge reads as it read their unedited rebuild, i.e. the trait stayed
    as it was}, "others_kept" (the smallest of those), "others_labelled" ({trait: share read as
    labelled, for reference}), "n"}. ``dark_frame`` is left out (it means nothing without glasses).
    """
    labels = {
        t: torch.as_tensor(faces.glasses if t == "glasses" else faces.attributes[t])
        for t in judge.traits
        if t == "glasses" or t in (faces.attributes or {})
    }
    n = min(attribute_faces, len(faces) - 1)
    codes = latent.encode(vae, to_float(faces.images[:n]))
    y = labels[trait][:n]
    direction = latent.attribute_vector(codes[y == 1], codes[y == 0])
    test = torch.arange(n, min(len(faces), n + test_faces))
    z = latent.encode(vae, to_float(faces.images[test]))
    has = labels[trait][test] == 1
    sign = torch.where(has, -1.0, 1.0)[:, None]
    before = trait_scores(judge, latent.decode(vae, z))
    seen = trait_scores(judge, latent.decode(vae, latent.add_attribute(z, sign * direction, strength)))
    now = seen[trait] >= 0.5
    rest = [t for t in labels if t not in (trait, "dark_frame")]
    others = {t: ((seen[t] >= 0.5) == (before[t] >= 0.5)).float().mean().item() for t in rest}
    return {
        "strength": strength,
        "added": now[~has].float().mean().item(),
        "removed": (~now[has]).float().mean().item(),
        "others": others,
        "others_kept": min(others.values()) if others else 1.0,
        "n": len(test),
        "others_labelled": {
            t: ((seen[t] >= 0.5) == (labels[t][test] == 1)).float().mean().item() for t in rest
        },
    }


def survival_part(vae, judge, n=500, seed=99):
    """``survival.thin_frames_kept`` on ``n`` fresh drawn faces with thin, low-contrast frames
    (``synthetic_set.glasses_variants``, ``seed``) at the VAE's size."""
    size = vae.config["image_size"]
    variants = synthetic_set.glasses_variants(n, seed=seed, size=size, thin_frames=True)
    return survival.thin_frames_kept(vae, judge, variants)


def lesson_table(
    vae, judge, faces, strength=STRENGTH, draws=50, pairs=30, per_group=3, survival_faces=500, show=True
):
    """All four checks: {"arithmetic": ..., "interpolation": ..., "attribute": ...,
    "survival": ...} (see the ``*_part`` functions and ``attribute_edit``), printed as a table
    when ``show``; ``failures`` compares it with ``GOALS``."""
    table = {
        "arithmetic": arithmetic_part(vae, judge, faces, draws, per_group),
        "interpolation": interpolation_part(vae, judge, faces, pairs, per_group),
        "attribute": attribute_edit(vae, judge, faces, strength),
        "survival": survival_part(vae, judge, survival_faces),
    }
    if show:
        print(format_table(table))
    return table


def format_table(table):
    """The table as lines of text."""
    a, i, e, s = (table[k] for k in ("arithmetic", "interpolation", "attribute", "survival"))
    lines = ["(a) arithmetic          successes  vacuous  (of draws)  target"]
    for name, r in a.items():
        lines.append(
            f"    {name:<18} {r['successes']:>6} {r['vacuous']:>8} {r['draws']:>8}      "
            f"{claims.describe(r['target'])}"
        )
    lines.append(
        f"(b) interpolation       {i['valid']} of {i['pairs']} paths valid, "
        f"{i['one_crossing']} cross 0.5 once ({i['one_crossing_share']:.0%})"
    )
    others = ", ".join(
        f"{t} {v:.0%} (as labelled {e['others_labelled'][t]:.0%})" for t, v in e["others"].items()
    )
    lines.append(
        f"(c) attribute x{e['strength']:<10g} added {e['added']:.0%}, removed "
        f"{e['removed']:.0%}, others kept: {others} (n={e['n']})"
    )
    lines.append(
        f"(d) thin frames kept    judge {s['judge_all']:.0%} (dark {s['judge_dark']:.0%}, "
        f"light {s['judge_light']:.0%}); shape {s['shape_all']:.0%} (dark "
        f"{s['shape_dark']:.0%}, light {s['shape_light']:.0%})"
    )
    return "\n".join(lines)


def survival_failures(kept, goals=None):
    """The thin-frame shares of ``survival.thin_frames_kept`` that miss the study's bars, as short
    sentences; [] when all are met."""
    g = dict(GOALS, **(goals or {}))
    bad = []
    for key in ("judge", "shape"):
        if kept[f"{key}_all"] < g["survival_all"]:
            bad.append(f"survival {key}: {kept[key + '_all']:.0%} of glasses")
        for kind in ("dark", "light"):
            if kept[f"{key}_{kind}"] < g["survival_kind"]:
                bad.append(f"survival {key}: {kept[f'{key}_{kind}']:.0%} of {kind} frames")
    return bad


def describe_survival_goal(goals=None):
    """The thin-frame bar in words."""
    g = dict(GOALS, **(goals or {}))
    return f"≥ {g['survival_all']:.0%} of glasses faces, ≥ {g['survival_kind']:.0%} of each frame kind"


def failures(table, goals=None, survival=True):
    """The lines of ``table`` that miss ``goals`` (default ``GOALS``, scaled to the number of draws
    and paths used), as short sentences; [] when every check passes. ``survival=False`` leaves the
    thin-frame study out and judges the chapter's demos alone."""
    g = dict(GOALS, **(goals or {}))
    bad = []
    for name, r in table["arithmetic"].items():
        if r["successes"] < scaled("arithmetic_successes", r["draws"], goals):
            bad.append(f"arithmetic {name}: {r['successes']} of {r['draws']} successes")
        if r["vacuous"] > scaled("arithmetic_vacuous", r["draws"], goals):
            bad.append(f"arithmetic {name}: {r['vacuous']} vacuous")
    i = table["interpolation"]
    if i["valid"] < scaled("paths_valid", i["pairs"], goals):
        bad.append(f"interpolation: {i['valid']} of {i['pairs']} valid")
    if i["one_crossing_share"] < g["one_crossing_share"]:
        bad.append(f"interpolation: {i['one_crossing_share']:.0%} cross once")
    e = table["attribute"]
    for key in ("added", "removed", "others_kept"):
        if e[key] < g[key]:
            bad.append(f"attribute: {key} {e[key]:.0%}")
    if survival and "survival" in table:
        bad += survival_failures(table["survival"], goals)
    return bad


def main(vae_path=None, judge_path=None, strength=STRENGTH, quick=False):
    """``python -m dlhelpers bench lesson``: the table for a VAE file (default: the one notebooks
    03-04 load at the faces recipe's size) and judge file; returns (table, failures)."""

    if vae_path:
        vae = checkpoints.load(vae_path)
    else:
        vae, _ = data.load_vae(recipes.FACES_VAE.size)
    judge = checkpoints.load(judge_path or judges.TRAITS_PATH)
    faces = data.face_set(size=vae.config["image_size"])
    kw = dict(draws=3, pairs=3, survival_faces=40) if quick else {}
    table = lesson_table(vae, judge, faces, strength, **kw)
    bad = failures(table)
    print("all checks pass" if not bad else "misses: " + "; ".join(bad))
    return table, bad
