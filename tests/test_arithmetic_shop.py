"""The book's glasses shop (figure 7.1) with stub models whose right answers are known
(tests/stubs.py: the code is (red, green), beard = red, glasses = green; faces 0-4 no beard no
glasses, 5-9 glasses, 10-14 beard, 15-19 beard and glasses)."""

import pytest
import torch

from dlhelpers.widgets import arithmetic_shop
from dlhelpers.widgets.arithmetic_shop import ROLES
from stubs import StubJudge, StubVAE, png, stub_faces
from test_previews import shown_picture


@pytest.fixture
def faces():
    return stub_faces(per_group=5)


@pytest.fixture
def model():
    return StubVAE().eval()


@pytest.fixture(autouse=True)
def runs_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DLHELPERS_RUNS", str(tmp_path / "runs"))  # no saved groups, GIFs in tmp


def button(shop, face):
    """The gallery button of face index ``face``."""
    return shop.picker.buttons[shop.shown.index(face)]


def test_first_picks_follow_the_labels_with_a_beard_as_man(faces):
    picks = arithmetic_shop.first_picks(faces, per_group=3)
    assert len(picks[ROLES[0]]) == 1 and set(picks[ROLES[0]]) <= set(range(15, 20))
    assert len(picks[ROLES[1]]) == 3 and set(picks[ROLES[1]]) <= set(range(10, 15))
    assert len(picks[ROLES[2]]) == 3 and set(picks[ROLES[2]]) <= set(range(0, 5))


def test_the_gallery_shows_the_picks_faces_with_glasses_first(faces):
    picks = {ROLES[0]: [17], ROLES[1]: [12, 13], ROLES[2]: [3]}
    shown = arithmetic_shop.gallery_faces(faces, picks, with_glasses=4, without=5)
    assert shown[:4] == [17, 5, 6, 7], "his face first, then the first other faces with glasses"
    assert shown[4:] == [12, 13, 3, 0, 1], "the picks without glasses, then the first others"
    assert len(set(shown)) == len(shown)


def test_the_gallery_fits_a_notebook_page_with_faces_a_class_can_see():
    assert arithmetic_shop.gallery_shape(64) == (2, 6)  # 128 px faces, 6 of them in 800 px
    assert arithmetic_shop.gallery_shape(72) == (2, 5)
    assert arithmetic_shop.gallery_shape(256) == (1, 3)
    assert arithmetic_shop.gallery_shape(8)[1] == 6


def test_the_shop_decodes_men_with_glasses_minus_men_without_plus_women_without(model, faces):
    shop = arithmetic_shop.arithmetic_shop(model, faces, StubJudge())
    z1, z2, z3 = shop.group_codes()
    assert torch.allclose(torch.cat([z1, z2, z3]), torch.tensor([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]))
    assert torch.allclose(shop.code(), torch.tensor([[0.0, 1.0]])), "glasses, no beard: her, with his glasses"
    assert shop.target == {"glasses": 1, "beard": 0}
    assert shop.line.startswith("✓") and "glasses 1.00, beard 0.00" in shop.line
    assert "his frame is dark, the judge reads hers as dark" in shop.line and "his style kept" in shop.line
    assert shop.line in shop.readout.value
    assert all(png(tile)[1].size[0] >= 100 for tile in shop.tiles), "tiles a class can see"
    thumbnail = shop.picker.children[2].children[0].children[0]  # the gallery's first face
    assert png(thumbnail)[1].size[0] >= 100, "a gallery a class can see"


def test_clicking_faces_changes_the_picks_the_result_and_the_verdict(model, faces):
    shop = arithmetic_shop.arithmetic_shop(model, faces, StubJudge())
    before, redraws = bytes(shop.image.value), shop.redraws
    man = shop.picker.picks[ROLES[0]][0]
    shop.picker.chooser.value = ROLES[0]
    button(shop, shop.shown[man]).click()  # his face out again: no man with glasses
    assert "click at least one face for: man with glasses" in shop.readout.value
    assert shop.redraws == redraws, "no redraw without all three roles"
    button(shop, 0).click()  # a woman without glasses as "his glasses": (0,0) - (1,0) + (0,0)
    assert shop.redraws == redraws + 1 and bytes(shop.image.value) != before
    assert torch.allclose(shop.code(), torch.tensor([[-1.0, 0.0]]))
    assert shop.line.startswith("✗") and "not glasses and no beard" in shop.line


def test_the_shop_uses_the_arithmetic_it_is_given(model, faces):
    shop = arithmetic_shop.arithmetic_shop(model, faces, StubJudge(), arithmetic=lambda z1, z2, z3: z3)
    assert torch.allclose(shop.code(), torch.tensor([[0.0, 0.0]]))
    assert shop.line.startswith("✗"), "a woman without glasses is not the book's result"


def test_on_the_photos_only_glasses_are_judged(model, faces):
    faces.attributes = None  # the photos: glasses labels only
    picks = {ROLES[0]: [15], ROLES[1]: [10, 11], ROLES[2]: [0, 1]}
    shop = arithmetic_shop.ArithmeticShop(
        model, faces, StubJudge(), picks, arithmetic_shop.gallery_faces(faces, picks)
    )
    assert shop.target == {"glasses": 1}
    assert shop.line.startswith("✓") and "no gender labels" in shop.line


def test_the_gif_goes_from_the_women_without_glasses_to_the_result(model, faces):
    shop = arithmetic_shop.arithmetic_shop(model, faces, StubJudge())
    path = shop.gif_codes()
    assert path.shape == (9, 2)
    assert torch.allclose(path[0], torch.zeros(2)) and torch.allclose(path[-1], torch.tensor([0.0, 1.0]))
    assert shop.gif.save().is_file()


def test_the_shop_s_picture_shows_the_four_faces_the_verdict_and_the_gallery(model, faces):
    shop = arithmetic_shop.arithmetic_shop(model, faces, StubJudge())
    picture = shown_picture(shop)
    assert getattr(picture, "n_frames", 1) == 1 and picture.height > 2 * 16 * 4
    assert shop.redraws == 1
