"""Every figure of the series: digit rows, image grids, loss curves, code maps, strips and GIFs.
What redraws while training and the PNG images the widgets show are in ``display``.

Images are (N, C, H, W), uint8 0..255 or floats in [0, 1]; MNIST rows may also be (N, 784).
In a notebook each function displays its figure and returns None; elsewhere (tests, scripts) it
returns the matplotlib Figure. ``save=`` writes a PNG as well (``files/figures/<name>.png``).
"""

import inspect
import math
import textwrap

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import torch
import torchvision
from IPython import get_ipython
from IPython.display import Markdown, display
from PIL import Image

from dlhelpers import settings
from dlhelpers.chapter.core import kl_divergence
from dlhelpers.chapter.latent import to_float

FIGURES = settings.FILES / "figures"
DPI = 80  # figure resolution; presentation(True) raises it
NORMAL_SCALE = 3  # a 64-px widget image is shown 3 times larger (192 px; display.png_bytes)
PRESENTATION_SCALE = 5  # the same under presentation(True), for a class projector (320 px)
SCALE = NORMAL_SCALE  # the one in use


def in_notebook():
    """True inside a Jupyter kernel (where figures are displayed rather than returned)."""
    return get_ipython() is not None and hasattr(get_ipython(), "kernel")


def presentation(on=True):
    """Bigger fonts, figures and widget images for a class projector; ``presentation(False)``
    restores the defaults. Affects figures drawn and widgets built after the call."""
    global DPI, SCALE
    DPI = 120 if on else 80
    SCALE = PRESENTATION_SCALE if on else NORMAL_SCALE
    matplotlib.rcParams.update({"font.size": 16 if on else 10, "axes.titlesize": 18 if on else 11})


def finish(fig, save=None):
    """Save ``fig`` to files/figures/<save>.png if asked (not in quick mode, whose figures are
    rough); display it in a notebook, else return it."""
    if save and not settings.QUICK:
        FIGURES.mkdir(parents=True, exist_ok=True)
        fig.savefig(FIGURES / f"{save}.png", dpi=DPI, bbox_inches="tight")
    if in_notebook():
        display(fig)
        plt.close(fig)
        return None
    return fig


def as_images(x, side=28):
    """(N, 784) rows, (N, H, W) grey or (N, C, H, W) images, uint8 (0..255) or floats in [0, 1]
    -> floats in [0, 1], (N, C, H, W), on the CPU, detached."""
    x = to_float(x.detach().cpu())
    if x.dim() == 2:
        return x.view(len(x), 1, side, side)
    return x.unsqueeze(1) if x.dim() == 3 else x


def grid_figure(images, nrow, title=None, scale=1.0, invert=None, pad=2):
    """A figure of ``images`` (N, C, H, W) in [0, 1], ``nrow`` images per row.

    Grey images are drawn dark on white (``invert``) unless told otherwise.
    """
    images = as_images(images)
    if invert if invert is not None else images.shape[1] == 1:
        images = 1 - images
    grid = torchvision.utils.make_grid(images, nrow=nrow, padding=pad, pad_value=1.0)
    h, w = grid.shape[1:]
    width = min(max(w, 420), 900) * scale / DPI  # inches: between 420 and 900 pixels wide
    height = width * h / w + (0.35 if title else 0)
    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI)
    ax.imshow(grid.permute(1, 2, 0).clamp(0, 1).numpy(), interpolation="nearest")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize="medium")
    fig.tight_layout(pad=0.3)
    return fig


def show_grid(images, nrow=8, title=None, save=None, scale=1.0):
    """Show images (N, C, H, W) in [0, 1] as a grid with ``nrow`` per row (figures 7.7-7.11)."""
    return finish(grid_figure(images, nrow, title, scale), save)


def show_digits(originals, reconstructions, title=None, save=None):
    """The chapter's figure 7.4/7.5: a row of originals above a row of reconstructions.

    Both (10, 784) or (10, 1, 28, 28) in [0, 1]; drawn dark on white like the book.
    """
    return show_rows(
        [("originals", originals), ("rebuilt", reconstructions)],
        title=title,
        save=save,
        tile_px=64,
        per_row=10,
    )


def show_losses(history, panels=None, title="training", save=None, log=False):
    """Per-epoch curves of ``history`` (dict name -> list of values), one panel per quantity.

    ``panels``: {panel title: [names]}, curves of one scale share a panel (default: one panel per
    name), so a loss per image and an error per pixel never share an axis. ``log``: log y axes.
    """
    panels = panels or {k: [k] for k in history}
    panels = {t: [k for k in ks if history.get(k)] for t, ks in panels.items()}
    panels = {t: ks for t, ks in panels.items() if ks}
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3), dpi=DPI, squeeze=False)
    for ax, (name, keys) in zip(axes[0], panels.items()):
        for k in keys:
            ax.plot(range(1, len(history[k]) + 1), history[k], marker="o", label=k.replace("_", " "))
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylabel(textwrap.fill(name, 24))
        if log:
            ax.set_yscale("log")
        if len(keys) > 1:
            ax.legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return finish(fig, save)


MARK_COLOURS = {"✓": "tab:green", "✗": "tab:red", "·": "tab:grey"}
MARK_GLYPHS = {"·": "•"}  # drawn larger than the printed · so the grey badge reads at a glance


def show_rows(rows, title=None, marks=None, save=None, tile_px=128, per_row=8):
    """Labelled rows of images: ``rows`` is [(label, images (k, C, H, W) uint8 or [0, 1])], at
    most ``per_row`` images per row (8: faces), each ``tile_px`` screen pixels wide (128 default).

    ``marks``: for each row, a list with one string per image ("✓", "✗" or "·", vacuous), drawn
    in the image's corner in green, red or grey.
    """
    return finish(rows_figure(rows, title, marks, tile_px, per_row), save)


def labelled_rows(images, label, per_row=8, first=1):
    """Cut ``images`` (N, ...) into rows for ``show_rows`` of at most ``per_row`` each, labelled
    by the numbers they hold: ``labelled_rows(x, "random codes", 6)`` for 12 images gives
    [("random codes 1–6", x[:6]), ("random codes 7–12", x[6:])]; ``first`` numbers the first image."""
    return [
        (f"{label} {first + i}–{first + i + len(images[i : i + per_row]) - 1}", images[i : i + per_row])
        for i in range(0, len(images), per_row)
    ]


def rows_figure(rows, title=None, marks=None, tile_px=128, per_row=8):
    """The figure ``show_rows`` shows (its arguments but ``save``), returned undisplayed: each
    image gets ``tile_px`` pixels of its own, labels get room of their own at the left."""
    rows = [(label, as_images(x)) for label, x in rows]
    if any(len(x) > per_row for _, x in rows):
        raise ValueError(f"at most {per_row} images per row: split the row in two")
    ncol, nrow = max(len(x) for _, x in rows), len(rows)
    inch, gap = tile_px * (SCALE / NORMAL_SCALE) / DPI, 0.06  # a tile's width and the gaps, inches
    tall = inch * max(x.shape[-2] / x.shape[-1] for _, x in rows)  # a tile's height: wide crops, flat rows
    letter = 0.55 * matplotlib.rcParams["font.size"] / 72  # a letter's mean width, inches
    left = 0.15 + letter * max(len(label) for label, _ in rows)  # the labels' own room
    top, right, bottom = (0.45 if title else 0.1), 0.1, 0.05
    width = left + inch * ncol + gap * (ncol - 1) + right
    height = top + tall * nrow + gap * (nrow - 1) + bottom
    fig, axes = plt.subplots(nrow, ncol, figsize=(width, height), dpi=DPI, squeeze=False)
    fig.subplots_adjust(  # fixed margins: every tile keeps its tile_px (tight_layout would shrink it)
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=gap / inch,
        hspace=gap / tall,
    )
    for r, (label, images) in enumerate(rows):
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(images):
                ax.axis("off")
                continue
            img, grey = images[c], images[c].shape[0] == 1
            pixels = (1 - img[0] if grey else img.permute(1, 2, 0).clamp(0, 1)).numpy()
            ax.imshow(pixels, cmap="gray" if grey else None, vmin=0, vmax=1, interpolation="nearest")
            draw_mark(ax, marks[r][c] if marks and marks[r] else None)
        axes[r][0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize="medium")
    if title:
        fig.suptitle(title, y=1 - 0.08 / height, va="top")
    return fig


def draw_mark(ax, mark):
    """Draw ``mark`` ("✓", "✗" or "·", vacuous) in the top-left corner of ``ax`` as a white glyph on
    a green, red or grey badge; nothing for None or ""."""
    if mark:
        badge = dict(boxstyle="round", fc=MARK_COLOURS.get(mark, "black"), ec="none")
        text = dict(va="top", fontsize="x-large", color="white", fontweight="bold", bbox=badge)
        ax.text(0.04, 0.96, MARK_GLYPHS.get(mark, mark), transform=ax.transAxes, **text)


def grid_tiles(grid, size, pad=2):
    """Cut a one-row uint8 grid (C, H, W) from ``display.to_uint8_grid`` back into its images
    (N, C, size, size): e.g. the samples ``train.fit_vae`` keeps per epoch."""
    n = (grid.shape[-1] - pad) // (size + pad)
    return torch.stack(
        [grid[:, pad : pad + size, pad + i * (size + pad) : pad + i * (size + pad) + size] for i in range(n)]
    )


def show_code_map(
    points, labels, title="codes of the test set, first two principal components", save=None, max_points=2000
):
    """Scatter (N, 2) points coloured by integer ``labels`` (digits 0-9), with a legend; at most
    ``max_points`` (the first ones) are drawn, to keep the PNG small."""
    points, labels = points[:max_points], labels[:max_points]
    fig, ax = plt.subplots(figsize=(5.5, 4.5), dpi=DPI)
    sc = ax.scatter(points[:, 0], points[:, 1], c=labels, cmap="tab10", s=4)
    ax.legend(
        *sc.legend_elements(), title="digit", loc="center left", bbox_to_anchor=(1, 0.5), fontsize="small"
    )
    ax.set(title=title, xlabel="PC 1", ylabel="PC 2")
    fig.tight_layout()
    return finish(fig, save)


def show_source(obj):
    """Display the source code of a function or class from the package (highlighted in a notebook)."""
    source = inspect.getsource(obj)
    if in_notebook():
        display(Markdown(f"```python\n{source}\n```"))
        return None
    return source


def gif_scale(side, tile_px=128):
    """The whole-number enlargement that shows images ``side`` pixels tall at least ``tile_px``
    pixels tall: 2 for 72 px, 1 for 128 px and more (e.g. a GIF's display width, so that the
    notebook need not hold an enlarged copy)."""
    return max(1, math.ceil(tile_px / side))


def save_gif(grids, path, ms=400):
    """Write uint8 grids (C, H, W), 0..255, with C = 3, as an animated GIF at ``path`` (one frame
    per grid); returns ``path``."""
    frames = [Image.fromarray(g.permute(1, 2, 0).numpy()) for g in grids]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=ms, loop=0)
    return path


def show_kl(save=None):
    """What the KL term penalises: its value for one code dimension over a grid of (mean, std)."""
    mu = torch.linspace(-3, 3, 121)
    std = torch.linspace(0.05, 3, 119)
    kl = kl_divergence(mu[None, :], std[:, None])
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.2), dpi=DPI)
    im = a.contourf(mu, std, kl.clamp(max=6), levels=24, cmap="viridis")
    a.plot([0], [1], "w*", markersize=12)
    a.set(xlabel="mean of the code", ylabel="standard deviation", title="KL per dimension (zero at the star)")
    fig.colorbar(im, ax=a)
    b.plot(mu, kl_divergence(mu, torch.ones_like(mu)), label="std = 1, mean varies")
    b.plot(std, kl_divergence(torch.zeros_like(std), std), label="mean = 0, std varies")
    b.set(xlabel="value", ylabel="KL", ylim=(0, 5), title="two slices")
    b.legend(fontsize="small")
    fig.tight_layout()
    return finish(fig, save)


def show_code_histograms(codes, dims=(0, 1, 2, 3), save=None):
    """Histograms of some dimensions of codes (N, d) against the N(0, 1) density."""
    fig, axes = plt.subplots(1, len(dims), figsize=(2.4 * len(dims), 2.4), dpi=DPI, sharey=True)
    grid = torch.linspace(-4, 4, 200)
    for ax, d in zip(axes, dims):
        ax.hist(codes[:, d].numpy(), bins=40, range=(-4, 4), density=True, alpha=0.7)
        ax.plot(grid, torch.exp(-(grid**2) / 2) / math.sqrt(2 * math.pi), "k--", label="N(0, 1)")
        ax.set_title(f"dimension {d}")
    axes[0].legend(fontsize="small")
    fig.tight_layout()
    return finish(fig, save)


def show_rates(x, series, xlabel, title, save=None, log_x=False):
    """Shares (0..1) against ``x``, one line per entry of ``series`` (dict name -> list of shares
    as long as ``x``), drawn as percentages with markers."""
    fig, ax = plt.subplots(figsize=(5.5, 3.2), dpi=DPI)
    for name, rates in series.items():
        ax.plot(x, [100 * r for r in rates], marker="o", label=name)
    if log_x:
        ax.set_xscale("log")
        ax.set_xticks(x, [str(v) for v in x])
    ax.set(xlabel=xlabel, ylabel="%", ylim=(0, 100), title=title)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return finish(fig, save)
