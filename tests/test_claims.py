"""The chapter's claims measured (``dlhelpers.measure.claims``), on stand-ins whose right answers are known."""

import pytest
import torch

from dlhelpers.chapter.models import AE, DenseVAE
from dlhelpers.data import groups
from dlhelpers.measure import claims, curves, generators, nets
from stubs import StubJudge, StubVAE, notebook_definition, stub_faces


def digits(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 28, 28, generator=g) * 255).to(torch.uint8), torch.arange(n) % 10


# --- Claim 1: arithmetic ------------------------------------------------------------------------


def test_select_matches_attributes_and_pool():
    f = stub_faces(3)
    assert groups.select(f, {"beard": 1, "glasses": 0}).tolist() == [6, 7, 8]
    assert groups.select(f, {"frame": "dark"}).tolist() == [3, 4, 5, 9, 10, 11]
    assert groups.select(f, {"beard": 1}, pool=[0, 6, 9]).tolist() == [6, 9]


def test_arithmetic_on_a_model_where_it_must_work():
    f = stub_faces(5)
    r = claims.arithmetic_success(StubVAE(), StubJudge(), f, draws=6, per_group=3, seed=0, return_images=True)
    assert r["successes"] == r["draws"] == 6 and r["rate"] == 1.0
    assert r["target"] == {"beard": 1, "glasses": 0} and r["images"].shape == (6, 3, 8, 8)
    for d in r["per_draw"]:
        assert set(d["indices"]) == {"men_glasses", "women_glasses", "women_noglasses"}
        for group, idx in d["indices"].items():
            assert len(idx) == len(set(idx)) == 3
            assert set(idx) <= set(groups.select(f, groups.GROUPS[group]).tolist())
        assert d["probs"]["beard"] > 0.99 and d["probs"]["glasses"] < 0.01
    table = claims.arithmetic_table(StubVAE(), StubJudge(), f, draws=4)
    assert {k: v["successes"] for k, v in table.items()} == {
        "chapter": 4,
        "men_glasses": 4,
        "women_glasses": 4,
        "women_noglasses": 4,
    }


def test_arithmetic_counts_failures_and_is_seeded():
    f = stub_faces(5)
    wrong = claims.arithmetic_success(
        StubVAE(),
        StubJudge(),
        f,
        draws=5,
        expression=claims.CHAPTER["expression"],
        target={"beard": 0, "glasses": 0},
    )
    assert wrong["successes"] == 0 and not any(d["success"] for d in wrong["per_draw"])
    a = claims.arithmetic_success(StubVAE(), StubJudge(), f, draws=5, seed=1)
    b = claims.arithmetic_success(StubVAE(), StubJudge(), f, draws=5, seed=1)
    c = claims.arithmetic_success(StubVAE(), StubJudge(), f, draws=5, seed=2)
    assert a["per_draw"] == b["per_draw"]
    assert [d["indices"] for d in a["per_draw"]] != [d["indices"] for d in c["per_draw"]]


def test_arithmetic_refuses_small_groups_custom_expressions_without_target_and_other_sums():
    f = stub_faces(2)
    with pytest.raises(ValueError, match="too few"):
        claims.arithmetic_success(StubVAE(), StubJudge(), f, per_group=3)
    custom = {"men_glasses": 1, "men_noglasses": -1, "women_glasses": 1}
    with pytest.raises(ValueError, match="target"):
        claims.arithmetic_success(StubVAE(), StubJudge(), f, per_group=1, expression=custom)
    for other in (
        {"men_glasses": 1, "men_noglasses": -1},
        {"men_glasses": 1, "women_glasses": 1, "men_noglasses": -1},
    ):
        with pytest.raises(ValueError, match="z1 - z2 \\+ z3"):
            claims.arithmetic_success(
                StubVAE(), StubJudge(), f, per_group=1, expression=other, target={"beard": 1}
            )


def test_the_count_runs_the_arithmetic_it_is_given():
    f = stub_faces(5)
    args = (StubVAE(), StubJudge(), f)
    own = notebook_definition("03_encoding_arithmetic", "arithmetic", {})
    calls = []

    def spy(z1, z2, z3):
        calls.append((z1, z2, z3))
        return own(z1, z2, z3)

    book = claims.arithmetic_success(*args, draws=4, arithmetic=spy)
    assert book["successes"] == 4 and len(calls) == 4  # the notebook's function made every draw
    z1, z2, z3 = calls[0]
    assert torch.equal(z1, torch.tensor([1.0, 1.0])) and torch.equal(z3, torch.tensor([0.0, 0.0]))
    for edited in (lambda z1, z2, z3: z1 + z2 - z3, lambda z1, z2, z3: z3):
        assert claims.arithmetic_success(*args, draws=4, arithmetic=edited)["successes"] == 0
    table = claims.arithmetic_table(*args, draws=2, arithmetic=lambda z1, z2, z3: z1 + z2 - z3)
    assert {name: row["successes"] for name, row in table.items()} == dict.fromkeys(table, 0)


# --- Claim 2: interpolation ---------------------------------------------------------------------


def test_is_monotone_allows_tiny_wiggles_only():
    assert curves.is_monotone([0.0, 0.1, 0.5, 0.49, 0.9, 1.0])
    assert curves.is_monotone([0.0, 0.1, 0.5, 0.49, 0.485, 0.9])  # never 0.02 below the top
    assert not curves.is_monotone([0.0, 0.1, 0.5, 0.45, 0.9, 1.0])
    assert not curves.is_monotone([0.0, 0.5, 0.49, 0.48, 0.47, 1.0])  # small steps add up
    assert curves.is_monotone([1.0, 0.8, 0.81, 0.2, 0.0])
    assert not curves.is_monotone([1.0, 0.0, 1.0, 0.0, 0.9])
    assert curves.is_monotone([0.3]) and curves.is_monotone([0.2, 0.2, 0.2])
    assert curves.is_monotone([0.0, 0.5, 0.45, 1.0], tolerance=0.1)


def test_crossings_counts_and_places_them():
    assert curves.crossings([0.0, 0.2, 0.8, 1.0]) == [pytest.approx(0.5)]
    assert curves.crossings([0.9, 0.1, 0.9]) == [pytest.approx(0.25), pytest.approx(0.75)]
    assert curves.crossings([0.2, 0.5, 0.2]) == []  # touching is not crossing
    assert curves.crossings([0.2, 0.5, 0.8]) == [pytest.approx(0.5)]
    assert curves.crossings([0.1, 0.3, 0.4]) == []
    assert curves.crossings([0.0, 1.0], weights=[0, 10]) == [pytest.approx(5.0)]


def test_interpolation_profile_on_a_model_where_it_must_rise():
    p = claims.interpolation_profile(
        StubVAE(), StubJudge(), torch.tensor([0.0, 0.0]), torch.tensor([0.0, 1.0]), steps=11, trait="glasses"
    )
    assert len(p["weights"]) == len(p["probs"]) == 11 and p["weights"][0] == 0 and p["weights"][-1] == 1
    assert p["monotone"] and p["direction"] == "rising" and p["crossings"] == 1
    assert p["crossing_at"][0] == pytest.approx(0.5, abs=0.05)
    assert set(p["all"]) == set(nets.TRAITS) and max(p["all"]["beard"]) < 0.01
    back = claims.interpolation_profile(
        StubVAE(), StubJudge(), torch.tensor([0.0, 1.0]), torch.tensor([0.0, 0.0]), steps=5
    )
    assert back["direction"] == "falling" and back["monotone"] and len(back["probs"]) == 5


def test_the_paths_run_the_blend_they_are_given():
    z1, z2 = torch.tensor([0.0, 0.0]), torch.tensor([0.0, 1.0])
    own = notebook_definition("04_interpolation", "blend", {})
    same = claims.interpolation_profile(StubVAE(), StubJudge(), z1, z2, steps=5, blend=own)
    assert same == claims.interpolation_profile(StubVAE(), StubJudge(), z1, z2, steps=5)

    def stuck(a, b, w):  # an edited blend that never leaves the start
        return b

    flat = claims.interpolation_profile(StubVAE(), StubJudge(), z1, z2, steps=5, blend=stuck)
    assert flat["crossings"] == 0 and len(set(flat["probs"])) == 1
    args = (StubVAE(), StubJudge(), stub_faces(4), {"glasses": 1}, {"glasses": 0}, "glasses")
    assert claims.interpolation_survey(*args, pairs=3, steps=5)["valid"] == 3
    assert claims.interpolation_survey(*args, pairs=3, steps=5, blend=stuck)["valid"] == 0


def test_interpolation_survey_counts_profiles():
    f = stub_faces(4)
    s = claims.interpolation_survey(
        StubVAE(), StubJudge(), f, {"glasses": 1}, {"glasses": 0}, "glasses", pairs=3, steps=6, seed=0
    )
    assert s["pairs"] == 3 and len(s["profiles"]) == 3
    assert s["monotone"] == 3 and s["one_crossing"] == 3
    assert all(
        f.glasses[p["indices"][0][0]] == 1 and f.glasses[p["indices"][1][0]] == 0 for p in s["profiles"]
    )


# --- Claim 3: AE vs VAE (generators) ------------------------------------------------------------------------


def test_ae_vs_vae_digits_structure_and_seed():
    torch.manual_seed(0)
    ae, vae, net = AE(), DenseVAE(), nets.DigitNet()
    x, y = digits(40)
    r = generators.ae_vs_vae_digits(ae, vae, net, x, y, n=30, threshold=0.5, seed=1)
    assert r["n"] == 30 and r["threshold"] == 0.5
    for model in ("AE", "VAE"):
        assert set(r[model]) == {"random", "midpoint", "reconstruction"}
        for cell in r[model].values():
            assert 0 <= cell["confident"] <= 1 and 0.1 - 1e-4 <= cell["mean_confidence"] <= 1
        assert 0 <= r[model]["midpoint"]["either"] <= 1
    assert 0 <= r["real"]["agrees"] <= 1
    assert r == generators.ae_vs_vae_digits(ae, vae, net, x, y, n=30, threshold=0.5, seed=1)
    everything = generators.ae_vs_vae_digits(ae, vae, net, x, y, n=30, threshold=0.0, seed=1)
    assert everything["AE"]["random"]["confident"] == 1.0


class GlassesLosingVAE(StubVAE):
    """Keeps the beard (red) but decodes every face without glasses (green 0)."""

    def decoder(self, z):
        out = super().decoder(z)
        out[:, 1] = 0
        return out


def test_arithmetic_that_succeeds_only_because_the_vae_lost_the_trait_is_vacuous():
    f = stub_faces(5)
    r = claims.arithmetic_success(GlassesLosingVAE(), StubJudge(), f, draws=4, seed=0)
    assert r["successes"] == 0 and r["vacuous"] == 4 and r["vacuous_successes"] == 4
    assert not any(d["valid"] for d in r["per_draw"])
    honest = claims.arithmetic_success(StubVAE(), StubJudge(), f, draws=4, seed=0)
    assert honest["successes"] == 4 and honest["vacuous"] == 0


def test_interpolation_survey_sets_vacuous_paths_apart():
    f = stub_faces(5)
    args = (StubJudge(), f, {"glasses": 1}, {"glasses": 0}, "glasses")
    lost = claims.interpolation_survey(GlassesLosingVAE(), *args, pairs=3, per_group=2)
    assert lost["valid"] == 0 and lost["vacuous"] == 3 and lost["monotone"] == 0
    kept = claims.interpolation_survey(StubVAE(), *args, pairs=3, per_group=2, spherical=True)
    assert kept["valid"] == 3 and kept["monotone"] == 3 and kept["one_crossing"] == 3


# The book's exercise 7.1, as printed: three more expressions, each aimed at one group.
BOOK_EXERCISE_7_1 = [
    ("men_noglasses - men_glasses + women_noglasses", "women_noglasses"),
    ("women_noglasses - men_noglasses + women_glasses", "women_glasses"),
    ("men_noglasses - women_noglasses + men_glasses", "men_glasses"),
]


def _parse(text):
    """ "a - b + c" -> {"a": 1, "b": -1, "c": 1}."""
    words = ("+ " + text).split()
    return {name: 1 if sign == "+" else -1 for sign, name in zip(words[::2], words[1::2])}


def test_exercise_7_1_holds_the_books_three_expressions_and_their_targets():
    assert set(claims.EXERCISE_7_1) == {aim for _, aim in BOOK_EXERCISE_7_1}
    for text, aim in BOOK_EXERCISE_7_1:
        spec = claims.EXERCISE_7_1[aim]
        assert spec["expression"] == _parse(text)
        assert spec["target"] == groups.GROUPS[aim]
        for trait, value in spec["target"].items():  # the labels' arithmetic, cut to 0..1
            total = sum(w * groups.GROUPS[g][trait] for g, w in spec["expression"].items())
            assert min(max(total, 0), 1) == value
    chapter = claims.CHAPTER
    assert chapter["expression"] == _parse("men_glasses - women_glasses + women_noglasses")
    assert chapter["target"] == groups.GROUPS["men_noglasses"]


def test_frame_balance_splits_valid_draws_by_whether_the_frame_colours_cancel():
    f = stub_faces(3)  # women_glasses are faces 3-5, men_glasses 9-11, all dark frames
    f.attributes["frame"][4] = "light"

    def draw(women, valid, success):
        return {
            "indices": {"men_glasses": [9, 10, 11], "women_glasses": women, "women_noglasses": [0, 1, 2]},
            "valid": valid,
            "success": success,
        }

    result = {
        "expression": claims.CHAPTER["expression"],
        "per_draw": [
            draw([3, 5, 3], True, True),
            draw([3, 4, 5], True, False),
            draw([4, 5, 3], True, True),
            draw([3, 4, 5], False, False),
        ],
    }
    assert claims.frame_balance(result, f) == {
        "balanced": {"draws": 1, "successes": 1},
        "unbalanced": {"draws": 2, "successes": 1},
    }
    one_glasses_group = dict(result, expression=claims.EXERCISE_7_1["women_glasses"]["expression"])
    assert claims.frame_balance(one_glasses_group, f) is None
