"""The gallery picker (``dlhelpers.widgets.gallery``), driven from Python (test_browser.py has the browser)."""

import pytest
import torch

from dlhelpers.widgets import gallery
from stubs import png
from test_previews import shown_picture

SIDE = 16


@pytest.fixture
def faces():
    return torch.rand(12, 3, SIDE, SIDE, generator=torch.Generator().manual_seed(0))


def test_gallery_picker_collects_picks_by_clicking(faces):
    picker = gallery.gallery_picker(faces, {"men_glasses": 2, "women_glasses": 1}, columns=4)
    assert len(picker.buttons) == 12 and picker.chooser.options == ("men_glasses", "women_glasses")
    assert picker.picks == {"men_glasses": [], "women_glasses": []}
    picker.buttons[3].click()
    picker.buttons[0].click()
    picker.chooser.value = "women_glasses"
    picker.buttons[7].click()
    assert picker.picks == {"men_glasses": [0, 3], "women_glasses": [7]}
    assert picker.result() == picker.picks
    assert picker.code.value == 'groups = {"men_glasses": [0, 3], "women_glasses": [7]}'
    assert "men_glasses: 2/2" in picker.status.value
    assert picker.buttons[7].description == "7 · women_glasses"


def test_gallery_picker_clicking_again_removes_and_another_group_moves(faces):
    picker = gallery.gallery_picker(faces, {"a": 1, "b": 1})
    picker.buttons[5].click()
    picker.buttons[5].click()
    assert picker.picks == {"a": [], "b": []} and picker.buttons[5].description == "5"
    picker.buttons[5].click()
    picker.chooser.value = "b"
    picker.buttons[5].click()
    assert picker.picks == {"a": [], "b": [5]}


def test_gallery_picker_result_names_the_group_that_is_short(faces):
    picker = gallery.gallery_picker(faces, {"men_glasses": 2, "women_glasses": 1})
    picker.buttons[1].click()
    with pytest.raises(ValueError, match="'men_glasses' has 1 of 2") as err:
        picker.result()
    assert "women_glasses' has 0 of 1" in str(err.value)


def test_gallery_picker_rejects_groups_the_gallery_cannot_fill(faces):
    with pytest.raises(ValueError, match="'big' needs 20 images"):
        gallery.gallery_picker(faces, {"small": 1, "big": 20})
    with pytest.raises(ValueError, match="13 images in all"):
        gallery.gallery_picker(faces, {"a": 7, "b": 6})
    with pytest.raises(ValueError, match="'none' must need at least 1"):
        gallery.gallery_picker(faces, {"none": 0})


def test_gallery_thumbnails_are_pngs(faces):
    picker = gallery.GalleryPicker(faces[:3], {"a": 1}, scale=2)
    thumbnails = [cell.children[0] for cell in picker.children[2].children]
    assert len(thumbnails) == 3
    for thumb in thumbnails:
        _, picture = png(thumb)
        assert picture.size == (2 * SIDE, 2 * SIDE)


def test_gallery_thumbnails_of_uint8_faces_are_not_blank(faces):
    as_bytes = (faces * 255).round().to(torch.uint8)  # what the notebooks pass
    picker = gallery.GalleryPicker(as_bytes[:2], {"a": 1}, scale=1)
    _, shown = png(picker.children[2].children[0].children[0])
    _, expected = png(gallery.GalleryPicker(faces[:2], {"a": 1}, scale=1).children[2].children[0].children[0])
    assert list(shown.getdata()) == list(expected.getdata())


def _pixels(ax):
    """An axes' (width, height) on screen, in pixels."""
    ax.figure.canvas.draw()
    box = ax.get_window_extent()
    return box.width, box.height


def test_show_expression_captions_each_face_and_marks_the_result(faces):
    captions = ["z1 = men, glasses", "z2 = women, glasses", "z3 = women, no glasses", "result"]
    fig = gallery.show_expression(faces[:4], captions, title="figure 7.10", marks=["", "", "", "✓"])
    axes = fig.axes
    assert [ax.get_title().replace("\n", " ") for ax in axes] == captions
    assert fig._suptitle.get_text() == "figure 7.10"
    assert [t.get_text() for t in axes[3].texts] == ["✓"] and not axes[0].texts
    assert min(min(_pixels(ax)) for ax in axes) >= 128  # a class can see every face
    with pytest.raises(ValueError, match="one caption each"):
        gallery.show_expression(faces[:4], captions[:3])


def test_show_book_galleries_frames_the_book_s_picks_at_100_px_a_face():
    from dlhelpers.data.face_folder import FaceSet

    n = 30
    files = [f"G/face-{i}.png" for i in range(n)] + [f"NoG/face-{i}.png" for i in range(n, 2 * n)]
    images = torch.full((2 * n, 3, SIDE, SIDE), 128, dtype=torch.uint8)
    faces = FaceSet(images, torch.tensor([1] * n + [0] * n), list(range(2 * n)), files)
    figures = gallery.show_book_galleries(faces)
    assert len(figures) == 2
    for fig in figures:
        faces_shown = [ax for ax in fig.axes if ax.images]
        assert len(faces_shown) == 25 and min(min(_pixels(ax)) for ax in faces_shown) >= 100
        assert "men_glasses" in fig._suptitle.get_text() or "men_noglasses" in fig._suptitle.get_text()
    framed = figures[0].axes[0].images[0].get_array()  # position 0 is a pick of men_glasses: blue frame
    assert tuple(round(float(v), 2) for v in framed[0, 0]) == (0.12, 0.37, 0.84)


def test_the_gallery_s_picture_colours_the_picks(faces):
    picker = gallery.gallery_picker(faces, {"men_glasses": 2, "women_glasses": 1}, columns=4)
    picker.toggle(3)
    picture = shown_picture(picker).convert("RGB")
    green = tuple(int(gallery.GROUP_COLOURS[0][k : k + 2], 16) for k in (1, 3, 5))
    assert green in {colour for _, colour in picture.getcolors(100_000)}, "a picked face's label"
    assert picker.picks == {"men_glasses": [3], "women_glasses": []}
