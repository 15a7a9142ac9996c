"""Animated GIFs of paths through the latent space, for slides: one call, or one button.

    gifs.path_gif(model, codes, "walk.gif")                       # any codes (T, d), one frame each
    gifs.interpolation_gif(model, z1, z2, "glasses_off.gif")      # latent.path from z1 to z2
    gifs.attribute_gif(model, z, glasses, "glasses.gif")          # strength -3 .. 3
    gifs.show("walk.gif")                                         # shown in the notebook

Each explorer widget carries a ``GifButton``: it saves the widget's own path (``gif_codes()``: the
editor's recent moves, the shop's strength, the map's interpolation) and shows the GIF under it.
Frames are the decodes enlarged with nearest-neighbour to about ``SIDE`` pixels, written by
``plot.save_gif``; grey digits become RGB frames.
"""

import time
from pathlib import Path

import ipywidgets as W
import torch

from dlhelpers import plot, settings
from dlhelpers.chapter import core, latent
from dlhelpers.data.faces import runs_folder
from dlhelpers.engine.display import enlargement
from dlhelpers.widgets.live import one_thread

SIDE = 192  # frames are enlarged to about this many pixels (64 px x 3, 28 px x 7)
MS = 120  # milliseconds per frame


def gif_folder():
    """Where the buttons save GIFs: ``files/runs/gifs`` (git-ignored), created."""

    folder = runs_folder() / "gifs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def frames(images, side=SIDE):
    """Images (T, C, H, W) in [0, 1] (C = 1 or 3) -> uint8 frames (T, 3, H*f, W*f), 0..255,
    enlarged f = ``enlargement(H)`` times (nearest-neighbour) so they are about ``side`` px."""
    x = plot.as_images(images).clamp(0, 1)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    f = enlargement(x.shape[-1], side / 64)
    if f > 1:
        x = x.repeat_interleave(f, 2).repeat_interleave(f, 3)
    return (x * 255).round().to(torch.uint8)


def path_gif(model, codes, path, ms=MS, boomerang=True, side=SIDE):
    """Decode codes (T, d) and write them as an animated GIF at ``path`` (folders made); returns
    the Path. ``boomerang`` plays the path forward then back, so the loop has no jump."""
    codes = torch.as_tensor(codes).float()
    if codes.dim() != 2 or len(codes) < 1:
        raise ValueError(f"path_gif takes codes (T, d) with T >= 1, got {tuple(codes.shape)}")
    with one_thread():
        images = latent.decode(model, codes)
    shots = list(frames(images, side))
    if boomerang and len(shots) > 2:
        shots = shots + shots[-2:0:-1]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(plot.save_gif(shots, path, ms=ms))


def interpolation_gif(model, z1, z2, path, steps=16, spherical=False, blend=core.blend, **kw):
    """The way from code z1 to z2 (``latent.path`` with ``blend``, the book's or a notebook's copy,
    or ``latent.slerp`` with ``spherical=True``; ``steps`` frames) as a GIF; returns the Path."""
    weights = torch.linspace(0, 1, steps).tolist()
    codes = latent.path(z1.flatten(), z2.flatten(), weights, latent.slerp if spherical else blend)
    return path_gif(model, codes, path, **kw)


def attribute_gif(model, z, direction, path, strengths=None, **kw):
    """Code z (d,) pushed along ``direction`` (d,) with strengths -3 .. 3 (13 frames by default,
    ``latent.add_attribute``) as a GIF; returns the Path."""
    strengths = torch.linspace(-3, 3, 13) if strengths is None else torch.as_tensor(strengths)
    codes = torch.cat(
        [latent.add_attribute(z.view(1, -1), direction.view(1, -1), float(s)) for s in strengths]
    )
    return path_gif(model, codes, path, **kw)


def show(path):
    """Display a GIF file in the notebook (an image/gif output, kept when the notebook is saved);
    returns the IPython Image elsewhere."""
    from IPython.display import Image, display  # here: the module uses PIL's Image

    picture = Image(data=Path(path).read_bytes(), format="gif")
    if plot.in_notebook():
        display(picture)
        return None
    return picture


class GifButton(W.VBox):
    """A "save GIF" button for a widget with ``gif_codes()`` (T, d) and ``model``: a click writes
    ``<gif_folder()>/<name>_<time>.gif`` and shows it below (``image``, ``saved`` says where)."""

    def __init__(self, widget, name):
        super().__init__()
        self.widget, self.name, self.path = widget, name, None
        self.button = W.Button(description="save GIF", icon="film", tooltip="an animated GIF of this path")
        self.saved = W.HTML()
        self.image = W.Image(format="gif", layout=W.Layout(display="none"))
        self.button.on_click(lambda _: self.save())
        self.children = [W.HBox([self.button, self.saved]), self.image]

    def save(self, path=None):
        """Write the GIF (to ``path`` if given) and show it; returns its Path."""
        try:
            codes = self.widget.gif_codes()
            path = path or gif_folder() / f"{self.name}_{time.strftime('%H%M%S')}.gif"
            self.path = path_gif(self.widget.model, codes, path)
        except ValueError as e:
            self.saved.value = f"<span style='color:#b00'>no GIF: {e}</span>"
            return None
        from PIL import Image  # here: IPython's Image is the other one in this module

        self.image.value = self.path.read_bytes()
        with Image.open(self.path) as gif:  # shown at its own size, not stretched to the page
            self.image.layout.width, self.image.layout.height = (f"{v}px" for v in gif.size)
        self.image.layout.display = None
        self.saved.value = f"saved {settings.relative(self.path)} ({len(codes)} frames)"
        return self.path
