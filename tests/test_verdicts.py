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
    assert verdicts.frame_verdict({"per_draw": [d(True, True, 0.0)]}, even).startswith("no valid draw failed")


def test_kept_glasses_counts_faces_whose_reconstruction_keeps_the_judge_s_call():
    ok = verdicts.kept_glasses(torch.tensor([0.9, 0.1, 0.8]), torch.tensor([0.7, 0.2, 0.6]))
    assert ok.startswith("✓ all 3") and "glasses on the 2 that wear them, none on the 1 without" in ok
    bad = verdicts.kept_glasses([0.9, 0.1, 0.8, 0.2], [0.3, 0.6, 0.9, 0.1])
    assert bad.startswith("✗ 2 of 4") and "glasses lost on face 1;" in bad and "added on face 2 " in bad
    with pytest.raises(ValueError, match="as many reconstructions as faces"):
        verdicts.kept_glasses([0.9], [])


def test_verdict_names_who_expects_the_target():
    judge = StubJudge()
    ok = verdicts.verdict(judge, face(0, 1), {"beard": 0, "glasses": 1}, expected_by="the worked answer")
    assert ok.startswith("✓") and "as the worked answer says" in ok and "book" not in ok
    bad = verdicts.verdict(judge, face(1, 1), {"beard": 0, "glasses": 1}, expected_by="the worked answer")
    assert bad.startswith("✗") and "what the worked answer expects" in bad and "book" not in bad


W = [0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_fade_verdict_wants_a_steady_fall_across_one_half():
    ok = verdicts.fade_verdict([1.0, 1.0, 0.99, 0.9, 0.67, 0.04], W)
    assert ok.startswith("✓") and "from 1.00 at w = 0 to 0.04 at w = 1" in ok and "near w = 0.85" in ok
    assert "biggest step, 0.63, is between w = 0.8 and w = 1" in ok
    back = verdicts.fade_verdict([1.0, 0.3, 0.8, 0.6, 0.2, 0.04], W)
    assert back.startswith("✗") and "rises again" in back and "0.80 at w = 0.4" in back
    assert verdicts.fade_verdict([0.3, 0.2, 0.1, 0.1, 0.0, 0.0], W).startswith("✗ the judge sees no glasses")
    stays = verdicts.fade_verdict([1.0, 1.0, 1.0, 0.9, 0.8, 0.7], W)
    assert stays.startswith("✗ the judge still sees glasses at w = 1")
    colour = verdicts.fade_verdict([1, 1, 1, 1, 0.03, 0.03], W, trait="dark_frame")
    assert colour.startswith("✓ the dark frame probability falls")


def test_dip_verdict_reports_the_lowest_step_only_when_it_dips():
    ok = verdicts.dip_verdict([1.0, 1.0, 0.98, 0.99, 1.0, 0.99], W)
    assert ok.startswith("✓") and "lowest 0.98, at w = 0.4" in ok and "notebook 05" not in ok
    dip = verdicts.dip_verdict([1.0, 0.7, 0.31, 0.6, 0.9, 0.99], W)
    assert dip.startswith("✗") and "0.31 at w = 0.4" in dip and "notebook 05" in dip
    assert "already lost" in verdicts.dip_verdict([0.2, 0.9, 0.9, 0.9, 0.9, 0.9], W)


def test_strip_verdict_says_which_traits_change_and_which_stay():
    men_g, men_ng = {"glasses": 1, "beard": 1}, {"glasses": 0, "beard": 1}
    scores = {"glasses": [0.97, 0.9, 0.7, 0.3, 0.1, 0.02], "beard": [0.95, 0.96, 0.93, 0.91, 0.92, 0.94]}
    ok = verdicts.strip_verdict("strip 1", scores, W, men_g, men_ng)
    assert ok == "✓ strip 1: glasses 0.97 → 0.02 (changes); beard all along (lowest 0.91)"
    scores["beard"][3] = 0.3
    bad = verdicts.strip_verdict("strip 1", scores, W, men_g, men_ng)
    assert bad.startswith("✗") and "beard should stay, but drops to 0.30 at w = 0.6" in bad
    women = {"glasses": 0, "beard": 0}
    lost = verdicts.strip_verdict("strip 2", {"glasses": [0.1] * 6, "beard": [0.2] * 6}, W, women, men_ng)
    assert lost.startswith("✗") and "beard 0.20 → 0.20 (should change, but both ends" in lost
    assert "no glasses all along (highest 0.10)" in lost
    photos = verdicts.strip_verdict("strip 2", {"glasses": [0.1] * 6}, W, women, men_ng)
    assert photos == "✓ strip 2: no glasses all along (highest 0.10)"  # a glasses-only judge
