"""Figures a class can see: rows keep their tiles' size and labels, GIFs are enlarged."""

import pytest
import torch
from PIL import Image

from dlhelpers import plot


def tile_pixels(fig):
    """The screen size (width, height) in pixels of each axes that shows an image."""
    fig.canvas.draw()
    return {tuple(round(v) for v in ax.get_window_extent().size) for ax in fig.axes if ax.images}


@pytest.mark.parametrize("tile_px", [128, 160])
def test_rows_keep_their_tile_size_whatever_the_labels(tile_px):
    rows = [
        ("a long label for the held-out faces", torch.rand(8, 3, 72, 72)),
        ("b", torch.rand(5, 3, 72, 72)),
    ]
    fig = plot.rows_figure(rows, title="figure 7.7", tile_px=tile_px)
    assert tile_pixels(fig) == {(tile_px, tile_px)}
    assert [ax.get_ylabel() for ax in fig.axes[::8]] == ["a long label for the held-out faces", "b"]


def test_rows_of_wide_crops_are_as_tall_as_the_crops():
    fig = plot.rows_figure([("eyes", torch.rand(6, 3, 50, 100)), ("more", torch.rand(6, 3, 50, 100))])
    assert tile_pixels(fig) == {(128, 64)}


def test_rows_refuse_more_than_per_row_images():
    with pytest.raises(ValueError, match="at most 8 images per row"):
        plot.show_rows([("x", torch.rand(9, 3, 8, 8))])


def test_labelled_rows_number_what_they_hold():
    x = torch.rand(14, 3, 4, 4)
    rows = plot.labelled_rows(x, "random codes", per_row=6)
    assert [label for label, _ in rows] == ["random codes 1–6", "random codes 7–12", "random codes 13–14"]
    assert [len(r) for _, r in rows] == [6, 6, 2] and torch.equal(rows[2][1], x[12:])


def test_gif_scale_shows_each_face_at_least_128_pixels():
    assert [plot.gif_scale(s) for s in (28, 64, 72, 128, 256)] == [5, 2, 2, 1, 1]
    assert all(plot.gif_scale(s) * s >= 128 for s in range(16, 200))


def test_save_gif_writes_every_frame(tmp_path):
    grids = [torch.randint(0, 256, (3, 76, 150), dtype=torch.uint8) for _ in range(3)]
    with Image.open(plot.save_gif(grids, tmp_path / "s.gif")) as gif:
        assert gif.size == (150, 76) and gif.n_frames == 3
