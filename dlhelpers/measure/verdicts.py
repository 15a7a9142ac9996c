"""One-line verdicts under the chapter's demos: what the judge sees, and whether a count clears
the bar the lesson sets (``lesson_check.GOALS``, given for 50 draws and 30 paths and scaled to the
counts used). A failure is said as a failure.
"""

from dlhelpers.measure import judges
from dlhelpers.measure.claims import ClaimError, describe, meets
from dlhelpers.measure.lesson_check import GOALS, scaled

UNSURE = 0.25
"""A probability within this of the threshold (0.25..0.75 at 0.5) is called unsure in a verdict."""


def verdict(judge, image, target, threshold=0.5, inputs_ok=True):
    """The judge's word on one decoded ``image`` (1, C, H, W) in [0, 1] against ``target``
    {trait: 0 or 1}: a line starting with ✓ or ✗, e.g. "✓ beard 0.93, glasses 0.04: beard and
    no glasses, as the book says". ``inputs_ok=False`` (an input group's average had lost its own
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
        return f"✓ the judge sees {seen}: {describe(target)}, as the book says{note}"
    return (
        f"✗ the judge sees {seen}: not {describe(target)}, so this picture does not show the "
        f"book's result{note}"
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


def rate_verdict(result):
    """A line on an ``claims.arithmetic_success`` result against the lesson's bar."""
    n, ok, vac = result["draws"], result["successes"], result["vacuous"]
    need, most = scaled("arithmetic_successes", n), scaled("arithmetic_vacuous", n)
    if ok >= need and vac <= most:
        return f"✓ clears the bar: {ok} of {n} (at least {need}), {vac} vacuous (at most {most})"
    why = []
    if ok < need:
        why.append(f"{ok} of {n} successes, below {need}")
    if vac > most:
        why.append(f"{vac} vacuous draws, above {most}: the group averages lose their traits")
    return "✗ misses the bar: " + "; ".join(why)


def path_verdict(survey):
    """A line on a ``claims.interpolation_survey`` result (glasses -> no glasses) against the bar."""
    n, valid, once = survey["pairs"], survey["valid"], survey["one_crossing"]
    need_valid, need_share = scaled("paths_valid", n), GOALS["one_crossing_share"]
    share = once / valid if valid else 0.0
    if valid >= need_valid and share >= need_share:
        return (
            f"✓ clears the bar: {valid} of {n} paths valid (at least {need_valid}), "
            f"{share:.0%} of them cross one half exactly once (at least {need_share:.0%})"
        )
    return (
        f"✗ misses the bar: {valid} of {n} paths valid (needed {need_valid}), "
        f"{share:.0%} of those cross one half exactly once (needed {need_share:.0%})"
    )


def attribute_verdict(edit):
    """A line on a ``lesson_check.attribute_edit`` result against the bars ``GOALS`` sets."""
    parts = {
        "put on": edit["added"] >= GOALS["added"],
        "taken off": edit["removed"] >= GOALS["removed"],
        "other traits kept": edit["others_kept"] >= GOALS["others_kept"],
    }
    if all(parts.values()):
        return (
            f"✓ clears the bar: glasses put on ({edit['added']:.0%}) and taken off ({edit['removed']:.0%}), "
            f"other traits kept ({edit['others_kept']:.0%}), each on at least {GOALS['added']:.0%} of faces"
        )
    return f"✗ misses the bar ({GOALS['added']:.0%} of faces) for: " + ", ".join(
        k for k, ok in parts.items() if not ok
    )


def frame_verdict(result, split):
    """Lines on why draws of an arithmetic ``result`` failed: how many failures still show glasses,
    and ``split`` (``claims.frame_balance``) — success when the glasses groups' frame colours
    cancel, against when they do not."""
    failed = [d for d in result["per_draw"] if d["valid"] and not d["success"]]
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
