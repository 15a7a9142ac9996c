import pytest
import torch

from dlhelpers.measure import verdicts
from stubs import StubJudge


def face(beard, glasses, side=8):
    x = torch.zeros(1, 3, side, side)
    x[:, 0], x[:, 1] = beard, glasses
    return x


def test_verdict_says_success_and_failure_in_words():
    judge = StubJudge()
    ok = verdicts.verdict(judge, face(1, 0), {"beard": 1, "glasses": 0})
    assert ok.startswith("✓") and "beard 1.00" in ok and "as the book says" in ok
    bad = verdicts.verdict(judge, face(1, 1), {"beard": 1, "glasses": 0})
    assert bad.startswith("✗") and "does not show" in bad and "glasses 1.00" in bad
    vacuous = verdicts.verdict(judge, face(1, 0), {"beard": 1, "glasses": 0}, inputs_ok=False)
    assert vacuous.startswith("·") and "vacuous" in vacuous and "beard 1.00" in vacuous
    assert "unsure" not in ok and "unsure" not in bad


def test_verdict_names_a_borderline_trait():
    judge = StubJudge()  # beard probability sigmoid(20 * (red - 0.5))
    x = face(1, 0)
    x[:, 0] = 0.47  # beard 0.35: below 0.5, so no beard, but unsure
    line = verdicts.verdict(judge, x, {"beard": 0, "glasses": 0})
    assert line.startswith("✓") and "beard 0.35" in line and "unsure of beard" in line
    assert "glasses" not in line.split("unsure")[1]


def test_terms_reads_z1_minus_z2_plus_z3_in_the_book_s_order():
    assert verdicts.terms({"men_noglasses": 1, "men_glasses": -1, "women_noglasses": 1}) == (
        "men_noglasses",
        "men_glasses",
        "women_noglasses",
    )
    with pytest.raises(ValueError, match="z1 - z2 \\+ z3"):
        verdicts.terms({"a": 1, "b": 1})


@pytest.mark.parametrize("ok, vacuous, clears", [(35, 5, True), (34, 0, False), (40, 6, False)])
def test_rate_verdict_uses_the_bars(ok, vacuous, clears):
    line = verdicts.rate_verdict({"draws": 50, "successes": ok, "vacuous": vacuous})
    assert line.startswith("✓" if clears else "✗")


@pytest.mark.parametrize("valid, once, clears", [(25, 20, True), (24, 24, False), (30, 23, False)])
def test_path_verdict_uses_the_bars(valid, once, clears):
    line = verdicts.path_verdict({"pairs": 30, "valid": valid, "one_crossing": once})
    assert line.startswith("✓" if clears else "✗")


def test_attribute_verdict_names_what_missed():
    ok = verdicts.attribute_verdict({"added": 0.9, "removed": 0.85, "others_kept": 0.8})
    assert ok.startswith("✓")
    bad = verdicts.attribute_verdict({"added": 0.9, "removed": 0.45, "others_kept": 0.8})
    assert bad.startswith("✗") and "taken off" in bad and "put on" not in bad


def test_frame_verdict_counts_failures_with_glasses_and_reads_the_split():
    def d(valid, success, g):
        return {"valid": valid, "success": success, "probs": {"glasses": g}}

    result = {
        "per_draw": [d(True, False, 0.9), d(True, False, 0.1), d(True, True, 0.0), d(False, False, 0.9)]
    }
    gathered = {"balanced": {"draws": 10, "successes": 9}, "unbalanced": {"draws": 10, "successes": 4}}
    even = {"balanced": {"draws": 10, "successes": 6}, "unbalanced": {"draws": 10, "successes": 6}}
    text = verdicts.frame_verdict(result, gathered)
    assert text.startswith("2 valid draws failed; 1 of them still show glasses")
    assert "9 of 10 right" in text and "4 of 10 right" in text and "frame colours differ" in text
    assert "do not explain" in verdicts.frame_verdict(result, even)
    assert "no frame labels" in verdicts.frame_verdict(result, None)
