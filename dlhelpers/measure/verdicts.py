"""One-line verdicts under the chapter's demos: what the judge sees, how its probabilities move
along a strip, and whether a count reaches what this series asks for (``lesson_check.GOALS``, given
for 50 draws and 30 paths and scaled to the counts used). Each line starts with ✓ or ✗ (· for a
vacuous test); a failure is said as a failure.
"""

from dlhelpers.measure import judges
from dlhelpers.measure.claims import ClaimError, describe, meets
from dlhelpers.measure.curves import crossings, is_monotone
from dlhelpers.measure.lesson_check import GOALS, scaled

UNSURE = 0.25
"""A probability within this of the threshold (0.25..0.75 at 0.5) is called unsure in a verdict."""


def verdict(judge, image, target, threshold=0.5, inputs_ok=True, expected_by="the book"):
    """The judge's word on one decoded ``image`` (1, C, H, W) in [0, 1] against ``target``
    {trait: 0 or 1}: a line starting with ✓ or ✗, e.g. "✓ beard 0.93, glasses 0.04: beard and
    no glasses, as the book says". ``expected_by`` names who expects ``target`` (e.g. "the worked
    answer" where the book prints none). ``inputs_ok=False`` (an input group's average had lost its own
    traits, ``claims.inputs_keep_traits``) makes it a vacuous test: the line starts with ·.
    A probability within ``UNSURE`` of ``threshold`` is named as unsure: the mark stands, but the
    picture is borderline and the line says so."""
    scores = judges.trait_scores(judge, image)
    probs = {t: float(scores[t][0]) for t in target}
    seen = ", ".join(f"{t.replace('_', ' ')} {p:.2f}" for t, p in probs.items())
    if not inputs_ok:
        return (
            f"· the judge sees {seen}, but an input group's average had already lost its own "
            f"traits (figure 7.9): a vacuous test, neither success nor failure"
        )
    unsure = [t.replace("_", " ") for t, p in probs.items() if abs(p - threshold) < UNSURE]
    note = f" (the judge is unsure of {', '.join(unsure)}: look at the picture too)" if unsure else ""
    if meets(probs, target, threshold):
        return f"✓ the judge sees {seen}: {describe(target)}, as {expected_by} says{note}"
    return (
        f"✗ the judge sees {seen}: not {describe(target)}, so this picture does not show what "
        f"{expected_by} expects{note}"
    )


def terms(expression):
    """The (z1, z2, z3) group names of a z1 - z2 + z3 expression given as weights
    {name: +1 or -1} in the book's order, e.g. {"men_glasses": 1, "women_glasses": -1,
    "women_noglasses": 1} -> ("men_glasses", "women_glasses", "women_noglasses")."""
    plus = [n for n, w in expression.items() if w == 1]
    minus = [n for n, w in expression.items() if w == -1]
    if len(plus) != 2 or len(minus) != 1 or len(expression) != 3:
        raise ClaimError(f"not an expression z1 - z2 + z3: {expression}")
    return plus[0], minus[0], plus[1]


def fade_verdict(probs, weights, trait="glasses", tolerance=0.02):
    """Figure 7.11's claim on one strip: the judge's probability of ``trait`` (one float in [0, 1]
    per weight of ``weights``, in order) falls from the first end (>= 0.5) to the last (< 0.5) and
    never rises again on the way by more than ``tolerance``. A line starting with ✓ or ✗."""
    p, name, w = [float(x) for x in probs], trait.replace("_", " "), list(weights)
    ends = f"from {p[0]:.2f} at w = {w[0]:g} to {p[-1]:.2f} at w = {w[-1]:g}"
    if p[0] < 0.5:
        return f"✗ the judge sees no {name} even at w = {w[0]:g} ({p[0]:.2f}): nothing is left to fade"
    if p[-1] >= 0.5:
        return f"✗ the judge still sees {name} at w = {w[-1]:g} ({p[-1]:.2f}): the {name} do not go"
    if not is_monotone(p, tolerance):
        i = next(i for i in range(1, len(p)) if p[i] > min(p[:i]) + tolerance)
        return f"✗ the {name} probability goes {ends} but rises again on the way ({p[i]:.2f} at w = {w[i]:g})"
    at = crossings(p, 0.5, w)
    half = f", passing one half near w = {at[0]:.2f}" if at else ""
    i = max(range(1, len(p)), key=lambda i: p[i - 1] - p[i])
    step = f"; its biggest step, {p[i - 1] - p[i]:.2f}, is between w = {w[i - 1]:g} and w = {w[i]:g}"
    return f"✓ the {name} probability falls {ends} without rising on the way{half}{step}"


def dip_verdict(probs, weights, trait="glasses"):
    """Whether ``trait`` survives the middle of a strip whose two ends both show it (figure 7.2:
    dark to light frames, glasses all along). ``probs``: the judge's probability, one float in
    [0, 1] per weight of ``weights``. ✓ when it is >= 0.5 at every step; ✗ names the lowest step."""
    p, name, w = [float(x) for x in probs], trait.replace("_", " "), list(weights)
    low = min(range(len(p)), key=p.__getitem__)
    if p[0] < 0.5 or p[-1] < 0.5:
        return (
            f"✗ an end of the strip has already lost its {name} ({p[0]:.2f} at w = {w[0]:g}, "
            f"{p[-1]:.2f} at w = {w[-1]:g}): the middle cannot be judged"
        )
    if p[low] >= 0.5:
        return f"✓ the judge sees {name} at every step (lowest {p[low]:.2f}, at w = {w[low]:g})"
    return (
        f"✗ the {name} fade in the middle ({p[low]:.2f} at w = {w[low]:g}) although both ends show them: "
        f"the straight line between the two codes passes codes the decoder draws without {name} "
        f"(notebook 05, section 8, looks for ways to remove this dip)"
    )


def strip_verdict(label, scores, weights, start, end, threshold=0.5):
    """What changes along a strip of decoded faces (exercise 7.2), from the judge's ``scores``
    {trait: one probability in [0, 1] per weight of ``weights``} (``judges.trait_scores``). Every
    trait labelled at both ends (``start``, ``end``: {trait: 0 or 1}, e.g. ``groups.GROUPS[name]``)
    and scored by the judge is read: one whose labels differ must cross ``threshold`` between the
    ends; one they share must stay on its side at every step. ✓ when all do, e.g.
    "✓ strip 1: glasses 0.02 → 0.97 (changes); beard all along (lowest 0.91)"."""
    parts, ok, w = [], True, list(weights)
    for t in [t for t in start if t in end and t in scores]:
        p, name = [float(x) for x in scores[t]], t.replace("_", " ")
        if start[t] != end[t]:
            good = (p[0] >= threshold) == bool(start[t]) and (p[-1] >= threshold) == bool(end[t])
            say = "changes" if good else "should change, but both ends are on one side of one half"
            parts.append(f"{name} {p[0]:.2f} → {p[-1]:.2f} ({say})")
        elif start[t]:
            i = min(range(len(p)), key=p.__getitem__)
            good = p[i] >= threshold
            say = (
                f"all along (lowest {p[i]:.2f})"
                if good
                else f"should stay, but drops to {p[i]:.2f} at w = {w[i]:g}"
            )
            parts.append(f"{name} {say}")
        else:
            i = max(range(len(p)), key=p.__getitem__)
            good = p[i] < threshold
            say = (
                f"all along (highest {p[i]:.2f})"
                if good
                else f"expected, but it reaches {p[i]:.2f} at w = {w[i]:g}"
            )
            parts.append(f"no {name} {say}")
        ok = ok and good
    return f"{'✓' if ok else '✗'} {label}: " + "; ".join(parts)


def rate_verdict(result):
    """A line on a ``claims.arithmetic_success`` result against what this series asks for."""
    n, ok, vac = result["draws"], result["successes"], result["vacuous"]
    need, most = scaled("arithmetic_successes", n), scaled("arithmetic_vacuous", n)
    if ok >= need and vac <= most:
        return (
            f"✓ {ok} of {n} draws succeed (this series asks for at least {need}) and {vac} are "
            f"vacuous (at most {most})"
        )
    why = []
    if ok < need:
        why.append(f"{ok} of {n} draws succeed, fewer than the {need} this series asks for")
    if vac > most:
        why.append(f"{vac} draws are vacuous, more than {most}: the group averages lose their traits")
    return "✗ " + "; ".join(why)


def path_verdict(survey):
    """A line on a ``claims.interpolation_survey`` result (glasses -> no glasses) against what this
    series asks for."""
    n, valid, once = survey["pairs"], survey["valid"], survey["one_crossing"]
    need_valid, need_share = scaled("paths_valid", n), GOALS["one_crossing_share"]
    share = once / valid if valid else 0.0
    if valid >= need_valid and share >= need_share:
        return (
            f"✓ {valid} of {n} paths have ends that keep their glasses (this series asks for at "
            f"least {need_valid}) and {share:.0%} of those cross one half exactly once (at least {need_share:.0%})"
        )
    return (
        f"✗ below what this series asks for: {valid} of {n} paths have ends that keep their glasses "
        f"(at least {need_valid} asked), {share:.0%} of those cross one half exactly once (at least "
        f"{need_share:.0%} asked)"
    )


def attribute_verdict(edit):
    """A line on a ``lesson_check.attribute_edit`` result against the shares ``GOALS`` asks for."""
    parts = {
        "put on": edit["added"] >= GOALS["added"],
        "taken off": edit["removed"] >= GOALS["removed"],
        "other traits unchanged": edit["others_kept"] >= GOALS["others_kept"],
    }
    if all(parts.values()):
        return (
            f"✓ glasses put on ({edit['added']:.0%}) and taken off ({edit['removed']:.0%}), other traits "
            f"unchanged ({edit['others_kept']:.0%}): each on at least the {GOALS['added']:.0%} of faces "
            f"this series asks for"
        )
    return f"✗ on fewer than the {GOALS['added']:.0%} of faces this series asks for: " + ", ".join(
        k for k, ok in parts.items() if not ok
    )


def frame_verdict(result, split):
    """Lines on why draws of an arithmetic ``result`` failed: how many failures still show glasses,
    and ``split`` (``claims.frame_balance``) — success when the glasses groups' frame colours
    cancel, against when they do not."""
    failed = [d for d in result["per_draw"] if d["valid"] and not d["success"]]
    if not failed:
        return "no valid draw failed: nothing to explain"
    glasses = sum(d["probs"].get("glasses", 0.0) >= 0.5 for d in failed)
    lines = [f"{len(failed)} valid draws failed; {glasses} of them still show glasses"]
    if split is None:
        return "\n".join(lines + ["no frame labels to split the draws by (the photos have none)"])
    (bn, bs), (un, us) = ((split[k]["draws"], split[k]["successes"]) for k in ("balanced", "unbalanced"))
    lines.append(
        f"glasses groups with as many dark frames: {bs} of {bn} right; "
        f"with different numbers: {us} of {un} right"
    )
    if bn and un and bs / bn > us / un + 0.15:
        lines.append(
            "→ the failures gather where the frame colours differ: the difference between "
            "dark and pale frames does not cancel, and it draws glasses back on"
        )
    else:
        lines.append("→ here the frame colours do not explain the failures")
    return "\n".join(lines)


def kept_glasses(p_orig, p_rebuilt, threshold=0.5):
    """A line on figure 7.7: do the reconstructions keep the glasses, or their absence, that the
    judge sees on their originals? ``p_orig``, ``p_rebuilt``: the judge's glasses probabilities
    (N,) in [0, 1] for the faces and for their reconstructions, in the figure's order. Starts
    with ✓ when every one keeps it, else ✗ and the faces (numbered from 1) that lost or gained
    glasses."""
    orig = [float(p) >= threshold for p in p_orig]
    rebuilt = [float(p) >= threshold for p in p_rebuilt]
    if not orig or len(orig) != len(rebuilt):
        raise ValueError(f"need as many reconstructions as faces, at least one: {len(orig)}, {len(rebuilt)}")
    n, worn = len(orig), sum(orig)
    lost = [i + 1 for i, (a, b) in enumerate(zip(orig, rebuilt)) if a and not b]
    added = [i + 1 for i, (a, b) in enumerate(zip(orig, rebuilt)) if b and not a]
    if not lost and not added:
        return (
            f"✓ all {n} reconstructions keep what the judge sees on their faces: glasses on the "
            f"{worn} that wear them, none on the {n - worn} without"
        )

    def faces(idx):
        return ("face " if len(idx) == 1 else "faces ") + ", ".join(map(str, idx))

    said = ([f"glasses lost on {faces(lost)}"] if lost else []) + (
        [f"added on {faces(added)}"] if added else []
    )
    return (
        f"✗ {n - len(lost) - len(added)} of {n} reconstructions keep what the judge sees on their "
        f"faces: " + "; ".join(said) + " (numbered along the rows of figure 7.7)"
    )
