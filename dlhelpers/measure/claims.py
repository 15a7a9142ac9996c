"""The chapter's claims on faces, measured: the judges score decoded images, so "it works" becomes
a count (the claim on digits is in ``generators``). The arithmetic and the blends are the chapter's
(``core.arithmetic``, ``core.blend``) or the notebook's copies (``arithmetic=...``, ``blend=...``).

    from dlhelpers.measure import claims
    claims.arithmetic_success(vae, trait_judge, faces)      # {"successes": 26, "draws": 50, ...}
    claims.interpolation_profile(vae, trait_judge, z1, z2, trait="glasses")

The four groups of section 7.4.4 carry the book's names (``groups.GROUP_NAMES``: men_glasses,
women_glasses, men_noglasses, women_noglasses) on both sets; a beard plays the book's "man" on the
synthetic faces. On the photos only glasses are labelled, so a glasses-only judge
(``judges.glasses_judge``) measures glasses alone: targets are cut to the traits the judge knows.
"""

import torch

from dlhelpers.chapter import core, latent
from dlhelpers.chapter.latent import to_float
from dlhelpers.data.groups import GROUPS, select
from dlhelpers.errors import UserError
from dlhelpers.measure.curves import crossings, is_monotone
from dlhelpers.measure.judges import trait_scores


class ClaimError(UserError, ValueError):
    """A claim asked of faces or a judge that cannot answer it (too few faces, no such trait)."""


# --- Claim 1: encoding arithmetic (section 7.4.4 and exercise 7.1) ------------------------------

CHAPTER = {
    "expression": {"men_glasses": 1, "women_glasses": -1, "women_noglasses": 1},
    "target": {"beard": 1, "glasses": 0},
}
"""The chapter's z = z(men, glasses) - z(women, glasses) + z(women, no glasses) -> a man without glasses."""

EXERCISE_7_1 = {
    "women_noglasses": {
        "expression": {"men_noglasses": 1, "men_glasses": -1, "women_noglasses": 1},
        "target": {"beard": 0, "glasses": 0},
    },
    "women_glasses": {
        "expression": {"women_noglasses": 1, "men_noglasses": -1, "women_glasses": 1},
        "target": {"beard": 0, "glasses": 1},
    },
    "men_glasses": {
        "expression": {"men_noglasses": 1, "women_noglasses": -1, "men_glasses": 1},
        "target": {"beard": 1, "glasses": 1},
    },
}
"""Exercise 7.1's three expressions as the book prints them, each named by the group it aims at:
z(men, no glasses) - z(men, glasses) + z(women, no glasses) -> a woman without glasses;
z(women, no glasses) - z(men, no glasses) + z(women, glasses) -> a woman with glasses;
z(men, no glasses) - z(women, no glasses) + z(men, glasses) -> a man with glasses."""


def measurable(traits, judge):
    """``traits`` (e.g. a target {"beard": 1, "glasses": 0}) cut to those ``judge`` scores: on the
    photos, whose judge knows glasses only, {"glasses": 0}."""
    return {t: v for t, v in traits.items() if t in judge.traits}


def describe(target):
    """{"beard": 1, "glasses": 0} -> "beard and no glasses"."""
    return " and ".join(("" if v else "no ") + t for t, v in target.items())


def meets(probs, target, threshold=0.5):
    """Whether probabilities {trait: p} show ``target`` {trait: 0 or 1}: p >= threshold for 1."""
    return all((probs[t] >= threshold) == bool(v) for t, v in target.items())


def arithmetic_success(
    vae,
    judge,
    faces,
    draws=10,
    per_group=3,
    seed=0,
    expression=None,
    target=None,
    threshold=0.5,
    pool=None,
    groups=None,
    return_images=False,
    arithmetic=core.arithmetic,
):
    """How often the chapter's encoding arithmetic gives a face the judge agrees with.

    ``expression`` is z1 - z2 + z3 over ``groups.GROUPS`` names, as weights {z1: 1, z2: -1, z3: 1}
    in that order (default the chapter's). For each of ``draws`` seeded draws: ``per_group`` random
    faces of each of its groups, their mean codes (``latent.mean_code``), z = ``arithmetic(z1, z2,
    z3)`` (``core.arithmetic`` or a notebook's own copy), decoded; success when the judge's probability is
    >= ``threshold`` exactly for the traits that are 1 in ``target`` (default: beard, no glasses),
    among the traits the judge scores (``measurable``: glasses only on the photos).
    ``groups`` maps group names to label filters (default ``groups.GROUPS``) or to lists of face indices
    (a chosen group, e.g. the book's preset); when every group has exactly ``per_group`` faces,
    every draw would be the same, so there is one draw.
    ``pool`` restricts the draws to those face indices (e.g. faces held out of VAE training).
    A draw counts only when each group's decoded mean code shows that group's own traits
    (``inputs_keep_traits``): if the VAE lost the glasses of the "with glasses" groups, removing
    glasses "succeeds" for nothing. Such draws are *vacuous* and reported apart.
    Returns {"successes" (valid draws that succeed), "draws", "rate" (successes / draws),
    "vacuous" (draws whose inputs lost a trait), "vacuous_successes" (of those, how many would
    have counted), "expression", "target", "per_draw": [{"indices": {group: [...]}, "probs":
    {trait: p}, "valid": bool, "success": bool}, ...]} (+ "images" (draws, 3, S, S) on request).
    """
    expression = dict(expression or CHAPTER["expression"])
    if list(expression.values()) != [1, -1, 1]:
        raise ClaimError(f"not an expression z1 - z2 + z3 as weights {{z1: 1, z2: -1, z3: 1}}: {expression}")
    target = dict(target or (CHAPTER["target"] if expression == CHAPTER["expression"] else {}))
    if not target:
        raise ClaimError("give the target traits of a custom expression, e.g. {'beard': 1, 'glasses': 0}")
    target = measurable(target, judge)
    if not target:
        raise ClaimError(f"the judge scores {list(judge.traits)}, none of the target's traits")
    groups = dict(groups or GROUPS)
    members = {
        g: select(faces, groups[g], pool)
        if isinstance(groups[g], dict)
        else torch.as_tensor(list(groups[g]), dtype=torch.int64)
        for g in expression
    }
    small = {g: len(m) for g, m in members.items() if len(m) < per_group}
    if small:
        raise ClaimError(f"too few faces for {per_group} per group: {small}")
    if all(len(m) == per_group for m in members.values()):
        draws = min(draws, 1)  # every draw would average the same faces
    gen = torch.Generator().manual_seed(seed)
    per_draw, images = [], []
    for _ in range(draws):
        picked = {g: m[torch.randperm(len(m), generator=gen)[:per_group]] for g, m in members.items()}
        codes = {g: latent.mean_code(vae, to_float(faces.images[idx])) for g, idx in picked.items()}
        image = latent.decode(vae, arithmetic(*codes.values())[None])
        probs = {t: round(p.item(), 4) for t, p in trait_scores(judge, image).items()}
        valid, ok = inputs_keep_traits(vae, judge, codes, threshold), meets(probs, target, threshold)
        indices = {g: idx.tolist() for g, idx in picked.items()}
        per_draw.append(
            dict(indices=indices, probs=probs, valid=valid, success=valid and ok, would_succeed=ok)
        )
        images.append(image[0])
    successes = sum(d["success"] for d in per_draw)
    vacuous = [d for d in per_draw if not d["valid"]]
    result = {
        "successes": successes,
        "draws": draws,
        "rate": successes / draws if draws else 0.0,
        "vacuous": len(vacuous),
        "vacuous_successes": sum(d["would_succeed"] for d in vacuous),
        "expression": expression,
        "target": target,
        "per_draw": per_draw,
    }
    if return_images:
        result["images"] = torch.stack(images) if images else torch.empty(0)
    return result


def frame_balance(result, faces):
    """Why draws of an expression fail: its valid draws split by whether the frame colours cancel.

    The chapter's expression subtracts one glasses group from another, so "glasses" cancels only
    if the two groups' glasses look alike. ``result`` is ``arithmetic_success``'s; ``faces`` has
    the synthetic set's ``frame`` label ("dark", "light"). A draw is *balanced* when the groups
    added and the groups subtracted hold as many dark frames (weighted by the expression).
    Returns {"balanced": {"draws", "successes"}, "unbalanced": {...}} over the valid draws, or None
    when the expression does not subtract glasses from glasses or the faces have no frame label.
    """
    signs = {g: w for g, w in result["expression"].items() if GROUPS[g].get("glasses") == 1}
    if not faces.attributes or "frame" not in faces.attributes or len({w > 0 for w in signs.values()}) < 2:
        return None
    frame = faces.attributes["frame"]
    split = {"balanced": {"draws": 0, "successes": 0}, "unbalanced": {"draws": 0, "successes": 0}}
    for d in result["per_draw"]:
        if not d["valid"]:
            continue
        net = sum(w * sum(frame[i] == "dark" for i in d["indices"][g]) for g, w in signs.items())
        cell = split["balanced" if net == 0 else "unbalanced"]
        cell["draws"] += 1
        cell["successes"] += int(d["success"])
    return split


def inputs_keep_traits(vae, judge, codes, threshold=0.5):
    """True if every group's code (name -> (d,) code, names of ``GROUPS``), decoded, shows that
    group's own traits to the judge (those it scores: glasses only on the photos)."""
    names = list(codes)
    decoded = latent.decode(vae, torch.stack([codes[g] for g in names]))
    scores = trait_scores(judge, decoded)
    for i, g in enumerate(names):
        probs = {t: float(scores[t][i]) for t in scores}
        if not meets(probs, measurable(GROUPS[g], judge), threshold):
            return False
    return True


def arithmetic_table(
    vae, judge, faces, draws=10, per_group=3, seed=0, pool=None, groups=None, arithmetic=core.arithmetic
):
    """``arithmetic_success`` for the chapter's expression and exercise 7.1's three variants, each
    computed by ``arithmetic`` (``core.arithmetic`` or a notebook's own copy).

    Returns {name: {"successes", "draws", "rate", "vacuous", "vacuous_successes", "expression",
    "target"}} with names "chapter" and the three ``EXERCISE_7_1`` names.
    """
    keys = ("successes", "draws", "rate", "vacuous", "vacuous_successes", "expression", "target")
    table = {}
    for name, spec in {"chapter": CHAPTER, **EXERCISE_7_1}.items():
        r = arithmetic_success(
            vae, judge, faces, draws, per_group, seed, **spec, pool=pool, groups=groups, arithmetic=arithmetic
        )
        table[name] = {k: r[k] for k in keys}
    return table


# --- Claim 2: interpolation (listing 7.10 and exercise 7.2) -------------------------------------


def interpolation_profile(
    vae, judge, z1, z2, steps=11, trait="glasses", tolerance=0.02, spherical=False, blend=core.blend
):
    """The judge's probability of ``trait`` along ``latent.path(z1, z2)`` with ``steps`` weights
    w = 0..1, each code ``blend(z2, z1, w)`` (``core.blend`` or a notebook's own copy; ``latent.slerp``
    with ``spherical=True``).

    Returns {"weights": [...], "probs": [...] (the trait), "all": {trait: [...]} (every trait),
    "monotone": bool (wiggles <= tolerance allowed), "direction": "rising"/"falling",
    "crossings": how many times the probability crosses 0.5, "crossing_at": their weights}.
    """
    weights = torch.linspace(0, 1, steps).tolist()
    codes = latent.path(z1.flatten(), z2.flatten(), weights, latent.slerp if spherical else blend)
    scores = trait_scores(judge, latent.decode(vae, codes))
    probs = [round(p, 4) for p in scores[trait].tolist()]
    at = crossings(probs, 0.5, weights)
    return {
        "weights": [round(w, 4) for w in weights],
        "probs": probs,
        "all": {t: [round(p, 4) for p in s.tolist()] for t, s in scores.items()},
        "monotone": is_monotone(probs, tolerance),
        "direction": "rising" if probs[-1] >= probs[0] else "falling",
        "crossings": len(at),
        "crossing_at": [round(a, 4) for a in at],
    }


def interpolation_survey(
    vae,
    judge,
    faces,
    start,
    end,
    trait,
    pairs=10,
    per_group=1,
    steps=11,
    seed=0,
    pool=None,
    tolerance=0.02,
    spherical=False,
    blend=core.blend,
):
    """``interpolation_profile`` between random faces matching ``start`` and ``end``.

    ``start``/``end`` are attribute filters as for ``select``, e.g. {"glasses": 1} -> {"glasses": 0},
    or {"frame": "dark"} -> {"frame": "light"} with ``trait="dark_frame"``. Each end is the mean code
    of ``per_group`` random faces (1 = single faces); paths are walked with ``blend`` (``core.blend``
    or a notebook's own copy), with ``latent.slerp`` if ``spherical``.
    A path counts only when its decoded ends show their own side of the trait (start above 0.5,
    end below, or the reverse); the others are *vacuous*. Returns {"pairs", "valid" (paths whose
    ends keep their traits), "vacuous", "monotone" and "one_crossing" (valid paths that change
    steadily / cross 0.5 exactly once), "min_prob" (mean over valid paths of the lowest value of
    ``trait`` along the path, or of "glasses" when ``trait`` is another), "profiles": [...]}.
    """
    a, b = select(faces, start, pool), select(faces, end, pool)
    if len(a) < per_group or len(b) < per_group:
        raise ClaimError(f"too few faces: {len(a)} match {start}, {len(b)} match {end}")
    gen = torch.Generator().manual_seed(seed)
    profiles = []
    for _ in range(pairs):
        ia = a[torch.randperm(len(a), generator=gen)[:per_group]]
        ib = b[torch.randperm(len(b), generator=gen)[:per_group]]
        z1 = latent.mean_code(vae, to_float(faces.images[ia]))
        z2 = latent.mean_code(vae, to_float(faces.images[ib]))
        p = interpolation_profile(
            vae, judge, z1, z2, steps, trait, tolerance, spherical=spherical, blend=blend
        )
        p["indices"] = [ia.tolist(), ib.tolist()]
        p["valid"] = (p["probs"][0] >= 0.5) != (p["probs"][-1] >= 0.5)
        profiles.append(p)
    valid = [p for p in profiles if p["valid"]]
    watched = "glasses" if trait != "glasses" and "glasses" in judge.traits else trait
    return {
        "pairs": pairs,
        "valid": len(valid),
        "vacuous": pairs - len(valid),
        "monotone": sum(p["monotone"] for p in valid),
        "one_crossing": sum(p["crossings"] == 1 for p in valid),
        "min_prob": (sum(min(p["all"][watched]) for p in valid) / len(valid)) if valid else None,
        "profiles": profiles,
    }
