"""The lesson's four checks (``dlhelpers.measure.lesson_check``), on stand-ins whose right answers are known."""

import torch
from torch import nn

from dlhelpers.measure import lesson_check
from dlhelpers.tools import thin_study
from stubs import StubJudge, StubVAE, stub_faces


class IdentityVAE(nn.Module):
    """Code = the image itself, flattened: every rebuild is exact."""

    def __init__(self, size=64):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))
        self.config = {"image_size": size}

    def encoder(self, x):
        z = x.flatten(1)
        return z, torch.ones_like(z), z

    def decoder(self, z):
        s = self.config["image_size"]
        return z.view(len(z), 3, s, s)


class BlankVAE(IdentityVAE):
    """Rebuilds every face as flat grey: nothing survives."""

    def decoder(self, z):
        s = self.config["image_size"]
        return torch.full((len(z), 3, s, s), 0.5)


def test_arithmetic_and_paths_where_they_must_work():
    f = stub_faces(6)
    a = lesson_check.arithmetic_part(StubVAE(), StubJudge(), f, draws=4)
    assert set(a) == {"chapter", "women_noglasses", "women_glasses", "men_glasses"}
    assert all(r["successes"] == 4 and r["vacuous"] == 0 and r["draws"] == 4 for r in a.values())
    i = lesson_check.interpolation_part(StubVAE(), StubJudge(), f, pairs=3, per_group=2)
    assert i == {"pairs": 3, "valid": 3, "one_crossing": 3, "one_crossing_share": 1.0}


def test_attribute_edit_adds_and_removes_glasses_and_keeps_the_beard():
    f = stub_faces(6)  # 24 faces: the direction from 12, edits on the other 12
    e = lesson_check.attribute_edit(StubVAE(), StubJudge(), f, strength=1.0, attribute_faces=12)
    assert e["n"] == 12 and e["added"] == 1.0 and e["removed"] == 1.0
    assert set(e["others"]) == {"beard", "smile"} and e["others_kept"] == 1.0
    weak = lesson_check.attribute_edit(StubVAE(), StubJudge(), f, strength=0.2, attribute_faces=12)
    assert weak["added"] == 0.0 and weak["removed"] == 0.0


def test_survival_part_tells_exact_rebuilds_from_blank_ones():
    kept = lesson_check.survival_part(IdentityVAE(), StubJudge(), n=12, seed=5)
    assert kept["shape_all"] == kept["shape_dark"] == kept["shape_light"] == 1.0
    lost = lesson_check.survival_part(BlankVAE(), StubJudge(), n=12, seed=5)
    assert lost["shape_all"] == 0.0
    assert set(kept) == {f"{k}_{w}" for k in ("judge", "shape") for w in ("all", "dark", "light")} | {"faces"}
    assert lesson_check.survival_failures(kept) == [] or kept["judge_all"] < 0.8
    assert any("shape" in line for line in lesson_check.survival_failures(lost))


def _table(successes=40, vacuous=0, valid=30, crossing=1.0, edit=0.9, kept=0.9):
    arith = {
        n: {"successes": successes, "vacuous": vacuous, "draws": 50, "target": {"beard": 1, "glasses": 0}}
        for n in ("chapter", "men_glasses")
    }
    return {
        "arithmetic": arith,
        "interpolation": {
            "pairs": 30,
            "valid": valid,
            "one_crossing": round(valid * crossing),
            "one_crossing_share": crossing,
        },
        "attribute": {
            "strength": 1.0,
            "added": edit,
            "removed": edit,
            "n": 10,
            "others": {"beard": edit},
            "others_kept": edit,
            "others_labelled": {"beard": edit},
        },
        "survival": {f"{k}_{w}": kept for k in ("judge", "shape") for w in ("all", "dark", "light")},
    }


def test_failures_name_each_missed_goal_and_the_table_prints():
    assert lesson_check.failures(_table()) == []
    bad = lesson_check.failures(_table(successes=20, vacuous=9, valid=20, crossing=0.5, edit=0.5, kept=0.75))
    text = " ".join(bad)
    for part in (
        "20 of 50 successes",
        "9 vacuous",
        "20 of 30 valid",
        "50% cross once",
        "added 50%",
        "removed 50%",
        "others_kept 50%",
        "survival judge: 75% of glasses",
        "survival shape: 75% of glasses",
    ):
        assert part in text
    assert "dark frames" not in text  # 75 % passes the per-kind goal of 70 %
    lines = lesson_check.format_table(_table()).splitlines()
    assert lines[0].startswith("(a)") and any(ln.startswith("(d)") for ln in lines)


def test_recorded_rows_are_replaced_by_name_and_print_with_their_recipe(tmp_path):
    path = tmp_path / "rows.json"
    recipe = dict(name="72 px x4", size=72, batch=32, steps=4230, rec_weight=4.0, thin=0.0)
    thin_study.record(path, recipe, _table(successes=20), machine="test CPU")
    rows = thin_study.record(path, dict(recipe, steps=2820), _table(), "test CPU")  # same name
    assert len(rows) == 1 and rows[0]["recipe"]["steps"] == 2820 and rows[0]["misses"] == []
    rows = thin_study.record(path, dict(recipe, name="64 px x16", size=64), _table(kept=0.5))
    assert [r["recipe"]["name"] for r in rows] == ["72 px x4", "64 px x16"] and rows[1]["misses"]


def test_the_survival_goal_reads_its_bar_in_words():
    assert "≥ 70% of each frame kind" in lesson_check.describe_survival_goal()
