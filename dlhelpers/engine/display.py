"""What a notebook shows while it trains, and the PNG images the widgets show.

Live training: ``LiveLoss`` (a loss curve redrawn in place), ``to_uint8_grid`` and
``update_image`` (a grid of samples replaced after each epoch). Widgets (sliders, gallery):
``png_bytes``, enlarged by ``enlargement``. Images are (N, C, H, W) or (C, H, W), uint8 0..255 or
floats in [0, 1]. The figures themselves, and the sizes that ``plot.presentation`` changes
(``plot.DPI``, ``plot.SCALE``), are in ``plot``; outside a notebook the live displays do nothing.
"""

import io
import time

import matplotlib.pyplot as plt
import torch
import torchvision
from IPython.display import display
from PIL import Image

from dlhelpers import plot
from dlhelpers.chapter.latent import to_float


class LiveLoss:
    """A loss curve that redraws in place in a notebook as training runs (a no-op elsewhere).

    ``update(step_losses)`` redraws from a dict name -> list of values (one per logged step), at
    most once every ``min_s`` seconds unless ``force``: one redraw costs 0.13-0.20 s (500 to 4,230
    points, measured on a 2-core AMD EPYC), so redrawing every 20 batches, 211 times over notebook
    02's 4,230 steps, cost about 30 s.
    """

    def __init__(self, title="loss while training", min_s=5.0, clock=time.monotonic):
        self.title, self.min_s, self.clock, self.handle = title, min_s, clock, None
        self.last, self.draws = None, 0
        self.enabled = plot.in_notebook()

    def due(self, force=False):
        """True when a redraw is due now: forced, the first one, or ``min_s`` since the last."""
        now = self.clock()
        return force or self.last is None or now - self.last >= self.min_s

    def update(self, series, force=False):
        if not self.enabled or not self.due(force):
            return

        self.last, self.draws = self.clock(), self.draws + 1
        fig, ax = plt.subplots(figsize=(5, 2.6), dpi=plot.DPI)
        for name, values in series.items():
            ax.plot(values, label=name)
        ax.set_xlabel("batch")
        ax.set_yscale("log")
        ax.set_title(self.title)
        ax.legend(fontsize="small")
        fig.tight_layout()
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        plt.close(fig)


def to_uint8_grid(images, nrow=8, pad=2):
    """Images (N, C, H, W) in [0, 1] -> one uint8 grid image (C, H', W'), 0..255, for strips and
    GIFs (``plot.grid_tiles``, ``plot.save_gif``)."""
    grid = torchvision.utils.make_grid(plot.as_images(images), nrow=nrow, padding=pad, pad_value=1.0)
    return (grid.clamp(0, 1) * 255).round().to(torch.uint8)


def update_image(handle, grid, title, per_row=6, pad=2):
    """Show a one-row uint8 grid (C, H, W), 0..255, from ``to_uint8_grid`` in a notebook as
    labelled rows of ``per_row`` images (6: the book's 3 x 6 of figure 7.8), each at least 128
    screen pixels, replacing the one shown by ``handle`` if given; returns the handle to pass
    next time (None outside a notebook)."""
    if not plot.in_notebook():
        return None

    fig = samples_figure(grid, title, per_row, pad)
    if handle is None:
        handle = display(fig, display_id=True)
    else:
        handle.update(fig)
    plt.close(fig)
    return handle


def samples_figure(grid, title, per_row=6, pad=2):
    """The figure ``update_image`` shows: the images of a one-row uint8 grid (C, H, W) cut apart
    (``plot.grid_tiles``) and laid out in rows of ``per_row``, labelled "random codes 1–6", ..."""
    tiles = plot.grid_tiles(grid, grid.shape[1] - 2 * pad, pad)
    return plot.rows_figure(plot.labelled_rows(tiles, "random codes", per_row), title=title, per_row=per_row)


# --- Images for widgets -----------------------------------------------------------------------


def enlargement(side, scale=None):
    """The whole-number factor that shows an image ``side`` pixels tall about as large as a 64-px
    image enlarged ``scale`` times (default ``plot.SCALE``): 3 for 64 px, 7 for MNIST's 28 px, 1
    for 256 px.
    """
    return max(1, round((scale or plot.SCALE) * 64 / side))


def png_bytes(image, scale=None):
    """One image (C, H, W) or (1, C, H, W), uint8 or floats in [0, 1], C = 1 or 3 -> PNG file bytes.

    Enlarged ``scale`` times with nearest-neighbour, so every pixel of the model's output stays a
    crisp square instead of a blur. Default: ``enlargement(H)``, i.e. ``plot.SCALE`` for 64-px
    images.
    """

    image = to_float(image.detach().cpu())
    if image.dim() == 4 and len(image) == 1:
        image = image[0]
    if image.dim() != 3 or image.shape[0] not in (1, 3):
        raise ValueError(f"png_bytes takes one image (C, H, W) with C = 1 or 3, got {tuple(image.shape)}")
    pixels = (image.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    picture = Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels)
    scale = int(scale or enlargement(image.shape[1]))
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="png", compress_level=1)  # light compression: fast to write
    return buffer.getvalue()
