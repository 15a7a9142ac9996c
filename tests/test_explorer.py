"""The latent explorer (editor, glasses shop, code map, GIFs, slide figures) with stub models whose
right answers are known (tests/stubs.py: the code is (red, green), beard = red, glasses = green)."""

import io

import pytest
import torch
from PIL import Image

from dlhelpers.chapter import latent
from dlhelpers.chapter.models import DenseVAE
from dlhelpers.measure.nets import DigitNet
from dlhelpers.widgets import code_map, explorer, gifs, glasses_shop
from stubs import StubJudge, StubVAE, png, stub_faces
from test_previews import shown_picture


@pytest.fixture
def faces():
    return stub_faces(per_group=5)


@pytest.fixture
def model():
    return StubVAE().eval()


@pytest.fixture(autouse=True)
def gif_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DLHELPERS_RUNS", str(tmp_path / "runs"))


def test_principal_directions_are_ranked_unit_rows_with_their_spread():
    gen = torch.Generator().manual_seed(0)
    codes = torch.randn(500, 3, generator=gen) * torch.tensor([5.0, 1.0, 0.1])
    directions, spread = explorer.principal_directions(codes, k=10)
    assert directions.shape == (3, 3) and spread.shape == (3,)  # k cut to d
    assert torch.allclose(directions.norm(dim=1), torch.ones(3), atol=1e-5)
    assert spread[0] > spread[1] > spread[2]
    assert abs(float(directions[0, 0])) > 0.99 and 4 < float(spread[0]) < 6
    with pytest.raises(ValueError, match="N >= 3"):
        explorer.principal_directions(torch.zeros(2, 3))


def test_direction_labels_name_the_trait_each_direction_moves(model, faces):
    codes = explorer.encode_some(model, faces.images)
    directions = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])  # green up; red down
    labels = explorer.direction_labels(model, StubJudge(), codes, directions, torch.tensor([0.3, 0.3]))
    assert labels == ["+glasses", "−beard"]
    assert (
        explorer.direction_labels(model, None, codes, directions, torch.ones(2))
        == ["no trait of the judge"] * 2
    )


def test_face_editor_moves_the_code_along_the_directions_and_resets(model, faces):
    e = explorer.face_editor(model, faces.images, StubJudge(), names=explorer.face_names(faces))
    assert len(e.sliders) == 2 and set(e.labels) == {"+glasses", "+beard"} or len(set(e.labels)) == 2
    assert "face 0 · no glasses, no beard" == e.chooser.options[0][0]
    start = bytes(e.image.value)
    e.sliders[0].value = 1.5
    moved = e.code() - e.base
    assert torch.allclose(moved, 1.5 * e.spread[0] * e.directions[:1], atol=1e-6)
    assert bytes(e.image.value) != start and "the judge reads: glasses" in e.readout.value
    e.randomise()
    assert any(s.value != 0 for s in e.sliders)
    redraws = e.redraws
    e.reset()
    assert e.redraws == redraws + 1, "reset redraws once, not once per slider"
    assert bytes(e.image.value) == start and all(s.value == 0 for s in e.sliders)
    e.chooser.value = 15  # beard and glasses: red and green
    assert torch.allclose(e.base, torch.tensor([[1.0, 1.0]]))
    e.random_start()
    assert e.base.shape == (1, 2) and not torch.equal(e.base, torch.tensor([[1.0, 1.0]]))
    assert e.gif_codes().shape[1] == 2 and len(e.gif_codes()) >= 2


def test_face_editor_on_mnist_digits_with_the_digit_judge():
    torch.manual_seed(0)
    vae, judge = DenseVAE().eval(), DigitNet().eval()
    digits = torch.randint(0, 256, (30, 28, 28), dtype=torch.uint8)
    e = explorer.face_editor(vae, digits, judge, k=10)
    assert len(e.sliders) == 10 and len(e.labels) == 10
    assert "the judge reads: digit" in e.readout.value
    _, picture = png(e.image)
    assert picture.mode == "L" and picture.size[0] >= 28 * 5


def test_glasses_shop_adds_and_removes_the_glasses_direction(model, faces):
    faces.attributes["frame"] = [
        ("light" if i % 2 else "dark") if int(g) else "none" for i, g in enumerate(faces.glasses)
    ]
    shop = glasses_shop.glasses_shop(model, faces, StubJudge())
    assert torch.allclose(shop.directions["glasses"], torch.tensor([0.0, 1.0]))
    assert shop.frame is not None, "with dark and light frames, a frame slider"
    shop.frame.value = 1.0
    assert torch.allclose(shop.direction(), shop.directions["light"])
    assert all(int(faces.glasses[i]) == 0 for _, i in shop.chooser.options)
    shop.strength.value = 0.0
    assert "glasses probability <b>0.00</b>" in shop.readout.value
    shop.strength.value = 1.0
    assert "glasses probability <b>1.00</b>" in shop.readout.value
    shop.mode.value = glasses_shop.MODES[1]
    assert all(int(faces.glasses[i]) == 1 for _, i in shop.chooser.options)
    shop.strength.value = 1.0
    assert "glasses probability <b>0.00</b>" in shop.readout.value
    assert shop.gif_codes().shape == (13, 2)


def test_glasses_shop_needs_faces_with_and_without_glasses(model, faces):
    some = faces.subset(list(range(5)))  # none of them wears glasses
    with pytest.raises(ValueError, match="all without glasses"):
        glasses_shop.glasses_shop(model, some, StubJudge())


def test_code_map_click_decodes_the_nearest_code_and_draws_the_strip(model, faces):
    codes = explorer.encode_some(model, faces.images)
    labels, names = code_map.face_groups(faces)
    assert names == ["no glasses", "glasses", "beard", "beard, glasses"]
    assert labels.tolist() == [0] * 5 + [1] * 5 + [2] * 5 + [3] * 5
    m = code_map.code_map(model, codes, labels, names)
    with pytest.raises(ValueError, match="two points"):
        m.gif_codes()
    x, y = m.points[12].tolist()
    assert m.click(x, y) in range(10, 15) and "beard" in m.picked.value
    assert m.strip.layout.display == "none"
    x, y = m.points[0].tolist()
    m.click(x, y)
    assert m.strip.layout.display is None and "from code" in m.strip_caption.value
    _, strip = png(m.strip)
    assert strip.size[0] > 5 * strip.size[1], "a row of images"
    path = m.gif_codes(5)
    assert torch.allclose(path[0], codes[m.picks[0]]) and torch.allclose(path[-1], codes[m.picks[1]])
    assert m.background is not None, "after the first full draw, clicks are blitted"


def test_path_gif_writes_an_animation_and_the_button_shows_it(model, tmp_path):
    codes = latent.path(torch.tensor([0.0, 0.0]), torch.tensor([1.0, 1.0]), [0, 0.5, 1])
    path = gifs.path_gif(model, codes, tmp_path / "a" / "walk.gif")
    gif = Image.open(path)
    assert gif.format == "GIF" and gif.n_frames == 4  # forward, then back (boomerang)
    assert gif.size == (8 * 24, 8 * 24)
    frames = gifs.frames(torch.rand(2, 1, 28, 28))
    assert frames.shape == (2, 3, 28 * 7, 28 * 7) and frames.dtype == torch.uint8
    gifs.attribute_gif(model, torch.tensor([0.5, 0.0]), torch.tensor([0.0, 0.2]), tmp_path / "s.gif")
    assert Image.open(tmp_path / "s.gif").n_frames > 1  # (PIL merges repeated frames)
    shop = glasses_shop.glasses_shop(model, stub_faces(), StubJudge())
    saved = shop.gif.save()
    assert saved.is_file() and bytes(shop.gif.image.value).startswith(b"GIF8")
    assert "saved" in shop.gif.saved.value and shop.gif.image.layout.display is None
    with pytest.raises(ValueError):
        gifs.path_gif(model, torch.zeros(0, 2), tmp_path / "none.gif")


def test_interpolation_gif_walks_with_the_blend_it_is_given(model, tmp_path):
    z1, z2 = torch.tensor([0.0, 0.0]), torch.tensor([1.0, 1.0])
    walk = gifs.interpolation_gif(model, z1, z2, tmp_path / "walk.gif", steps=4)
    assert Image.open(walk).n_frames > 1
    stay = gifs.interpolation_gif(model, z1, z2, tmp_path / "stay.gif", steps=4, blend=lambda a, b, w: b)
    assert Image.open(stay).n_frames == 1  # an edited blend that never leaves z1: one frame, repeated


def test_gif_button_says_why_there_is_no_gif(model, faces):
    m = code_map.code_map(model, explorer.encode_some(model, faces.images), faces.glasses)
    assert m.gif.save() is None and "click two points" in m.gif.saved.value


def test_gif_show_returns_an_image_outside_a_notebook(model, tmp_path):
    path = gifs.path_gif(model, torch.rand(3, 2), tmp_path / "x.gif")
    assert gifs.show(path).format == "gif"


def test_presentation_mode_makes_the_explorer_bigger(model, faces):
    from dlhelpers import plot

    small = Image.open(io.BytesIO(glasses_shop.glasses_shop(model, faces, StubJudge()).image.value)).size
    try:
        plot.presentation(True)
        shop = glasses_shop.glasses_shop(model, faces, StubJudge())
        big = Image.open(io.BytesIO(shop.image.value)).size
        m = code_map.code_map(model, explorer.encode_some(model, faces.images), faces.glasses)
        assert m.figure.get_dpi() == plot.DPI == 120
    finally:
        plot.presentation(False)
    assert big[0] > small[0]


def test_figures_command_writes_pngs_and_gifs(tmp_path, monkeypatch, model, faces):
    from dlhelpers import data
    from dlhelpers.tools import slides

    faces.attributes["frame"] = [
        ("light" if i % 2 else "dark") if int(g) else "none" for i, g in enumerate(faces.glasses)
    ]
    monkeypatch.setattr(data, "face_set", lambda size: faces)
    monkeypatch.setattr(data, "load_vae", lambda size: (model, "stub"))
    monkeypatch.setattr(slides.settings, "FILES", tmp_path / "no_files")
    written = slides.write_figures(tmp_path / "slides")
    names = {p.name for p in written}
    assert {
        "fig7_1_glasses_on.gif",
        "fig7_1_glasses_on.png",
        "fig7_11_glasses_to_none.gif",
        "glasses_strength_-3_to_3.gif",
        "fig7_2_dark_to_light.gif",
    } <= names
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)


def test_on_the_photos_glasses_only_no_frame_slider(model, faces):
    """The photos carry glasses labels only: no frame slider, two map colours, a glasses line."""
    faces.attributes = None
    shop = glasses_shop.glasses_shop(model, faces, StubJudge())
    assert shop.frame is None and set(shop.directions) == {"glasses"}
    labels, names = code_map.face_groups(faces)
    assert names == ["no glasses", "glasses"] and set(labels.tolist()) == {0, 1}
    assert explorer.face_names(faces)[5] == "face 5 · glasses"
    e = explorer.face_editor(model, faces.images, StubJudge(), names=explorer.face_names(faces))
    assert "glasses" in e.readout.value


def test_frame_strip_blends_dark_into_light_frames_and_says_what_the_judge_sees(
    model, faces, capsys, monkeypatch
):
    faces.attributes["frame"] = [
        ("light" if i % 2 else "dark") if int(g) else "none" for i, g in enumerate(faces.glasses)
    ]
    shop = glasses_shop.glasses_shop(model, faces, StubJudge())
    images, scores = glasses_shop.frame_strip(shop, steps=6)
    assert images.shape == (6, 3, 8, 8) and set(scores) >= {"glasses", "dark_frame"}
    glasses_shop.show_frame_strip(shop)
    assert capsys.readouterr().out.startswith("✗"), "the stub judge sees no frame colour"
    good = {"glasses": torch.tensor([0.9, 0.8, 0.9]), "dark_frame": torch.tensor([0.9, 0.5, 0.1])}
    for scores, marks in (
        (good, "✓✓"),
        ({**good, "glasses": torch.tensor([0.9, 0.2, 0.9])}, "✓✗"),
        ({**good, "dark_frame": torch.tensor([0.2, 0.5, 0.1])}, "✗✓"),
    ):
        monkeypatch.setattr(glasses_shop, "judge_scores", lambda judge, images, s=scores: s)
        glasses_shop.show_frame_strip(shop, steps=3)
        assert "".join(line[0] for line in capsys.readouterr().out.splitlines()) == marks
    monkeypatch.undo()
    faces.attributes = None  # the photos: no frame colours, no strip
    glasses_shop.show_frame_strip(glasses_shop.glasses_shop(model, faces, StubJudge()))
    assert capsys.readouterr().out.startswith("· these faces carry no frame-colour labels")


def test_the_editor_s_picture_moves_its_first_sliders_and_leaves_it_as_it_was(model, faces):
    e = explorer.face_editor(model, faces.images, StubJudge())
    e.sliders[1].value = 0.5
    state = ([s.value for s in e.sliders], bytes(e.image.value), len(e.moves), e.redraws)
    assert shown_picture(e).n_frames == 2 * 8, "8 steps for each of the 2 sliders"
    assert ([s.value for s in e.sliders], bytes(e.image.value), len(e.moves), e.redraws) == state


def test_the_glasses_shop_s_picture_sweeps_strength_and_frame(model, faces):
    faces.attributes["frame"] = [
        ("light" if i % 2 else "dark") if int(g) else "none" for i, g in enumerate(faces.glasses)
    ]
    shop = glasses_shop.glasses_shop(model, faces, StubJudge())
    state = (bytes(shop.image.value), shop.readout.value, shop.strength.value, shop.frame.value)
    assert shown_picture(shop).n_frames > 12, "the strength, then the frame"
    assert (bytes(shop.image.value), shop.readout.value, shop.strength.value, shop.frame.value) == state


def test_the_code_map_s_picture_shows_a_path_and_leaves_the_map_unpicked(model, faces):
    codes = explorer.encode_some(model, faces.images)
    labels, names = code_map.face_groups(faces)
    m = code_map.code_map(model, codes, labels, names)
    picture = shown_picture(m)
    assert getattr(picture, "n_frames", 1) == 1 and picture.height > 300, "the map above the strip"
    assert m.picks == [] and m.strip.layout.display == "none" and "no point" in m.picked.value
    assert len(m.marks.get_data()[0]) == 0 and m.redraws == 0
    assert m.canvas._data_url is None, "the canvas was not drawn before it is shown (ipympl breaks)"
    picked = m.click(*m.points[12].tolist())
    shown_picture(m)
    assert m.picks == [picked] and m.marks.get_animated() and m.line.get_animated()
