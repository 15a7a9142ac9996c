"""The gallery picker: click thumbnails to choose the faces of each group (listing 7.7), the
book's own two galleries, and one row of captioned faces (an expression z1 - z2 + z3 = result).

    picker = gallery.gallery_picker(faces.images[:48], {"men_glasses": 3, "women_glasses": 3})
    picker            # shows it; then picker.result() -> {"men_glasses": [0, 3, 14], ...}
    gallery.faces_picker(faces, 3)   # the book's 50 candidates, labelled by face id, with a save
                                     # button: notebooks 03-04 read the saved choice on later runs
"""

import textwrap
from pathlib import Path

import ipywidgets as W
import matplotlib.pyplot as plt
import torch

from dlhelpers import plot, settings
from dlhelpers.data import groups
from dlhelpers.data.groups import write_ids
from dlhelpers.engine import display
from dlhelpers.widgets import preview
from dlhelpers.widgets.live import Previewed

GROUP_COLOURS = ["#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#d9d9d9"]


FRAME_COLOURS = ["#1f5fd6", "#f08c00", "#1b9e3a", "#d62728"]  # the book's galleries: strong frames
FRAME_NAMES = dict(zip(FRAME_COLOURS, ["blue", "orange", "green", "red"]))


class GalleryPicker(Previewed, W.VBox):
    """Thumbnails with a button each; clicking puts the image into the chosen group (or takes it
    out again). An image belongs to at most one group: clicking it for another group moves it.

    Attributes: ``chooser`` (ToggleButtons: the current group), ``buttons`` (one per image, in
    order), ``status`` (picks per group), ``code`` (a Textarea with a line to paste).
    Read the picks with ``picks`` or, checked, with ``result()``; ``thumbs`` are the thumbnails.
    """

    def __init__(
        self, images, groups, columns=8, picks=None, variable="groups", scale=None, ids=None, save_to=None
    ):
        super().__init__()
        images = plot.as_images(images)
        if images.dim() != 4:
            raise ValueError(f"gallery_picker takes images (N, C, H, W), got {tuple(images.shape)}")
        if not groups:
            raise ValueError("gallery_picker needs at least one group, e.g. {'men_glasses': 3}.")
        self.needs = {name: int(n) for name, n in groups.items()}
        for name, n in self.needs.items():
            if n < 1:
                raise ValueError(f"group {name!r} must need at least 1 image, not {n}.")
            if n > len(images):
                raise ValueError(
                    f"group {name!r} needs {n} images but the gallery shows only "
                    f"{len(images)}: pass more images."
                )
        if sum(self.needs.values()) > len(images):
            raise ValueError(
                f"the groups need {sum(self.needs.values())} images in all "
                f"({self.needs}) but the gallery shows only {len(images)}."
            )
        self.n, self.variable = len(images), variable
        self.ids = [int(i) for i in ids] if ids is not None else list(range(self.n))
        if len(self.ids) != self.n:
            raise ValueError(f"gallery_picker got {self.n} images but {len(self.ids)} ids")
        self.save_to = Path(save_to) if save_to is not None else None
        self.owner = {}  # image index -> group name
        self.colours = {name: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, name in enumerate(self.needs)}
        self.side, self.columns = images.shape[-1], columns  # the preview draws thumbnails as these
        scale = self.scale = scale or -(-100 // self.side)  # at least 100 px a thumbnail
        width = f"{max(self.side * scale, 60)}px"
        self.chooser = W.ToggleButtons(options=list(self.needs), description="group")
        self.buttons, self.thumbs, cells = [], [], []
        for i, image in enumerate(images):
            button = W.Button(description=str(self.ids[i]), layout=W.Layout(width=width, height="26px"))
            button.index = i
            button.on_click(self._clicked)
            self.buttons.append(button)
            self.thumbs.append(W.Image(value=display.png_bytes(image, scale), format="png"))
            cells.append(W.VBox([self.thumbs[-1], button], layout=W.Layout(align_items="center")))
        self.status = W.HTML()
        self.code = W.Textarea(layout=W.Layout(width="100%", height="3.5em"))
        # As many columns as fit the page (at most ``columns``): a fixed count wider than the
        # notebook would push the first column out of sight.
        grid = W.GridBox(
            cells,
            layout=W.Layout(
                grid_template_columns=f"repeat(auto-fill, {width})",
                grid_gap="4px",
                width="100%",
                max_width=f"calc({columns} * ({width} + 4px))",
            ),
        )
        self.children = [self.chooser, self.status, grid, self.code]
        if self.save_to is not None:
            self.save_button = W.Button(
                description=f"save to {self.save_to.name}", icon="save", layout=W.Layout(width="auto")
            )
            self.saved = W.HTML()
            self.save_button.on_click(self._save_clicked)
            self.children = self.children + (W.HBox([self.save_button, self.saved]),)
        for name, indices in (picks or {}).items():
            for i in indices:
                self.toggle(i, name)
        self._show()

    def snapshot(self):
        return preview.gallery(self)

    def _clicked(self, button):
        self.toggle(button.index)

    def toggle(self, index, group=None):
        """Put image ``index`` into ``group`` (default: the chosen one), or take it out if it is
        already there. Same as clicking its button."""
        group = group or self.chooser.value
        if group not in self.needs:
            raise KeyError(f"no group named {group!r}; groups: {list(self.needs)}")
        if not 0 <= index < self.n:
            raise IndexError(f"image {index} is not in the gallery (0 to {self.n - 1}).")
        if self.owner.get(index) == group:
            del self.owner[index]
        else:
            self.owner[index] = group
        self._show()

    @property
    def picks(self):
        """The picks so far: dict group -> sorted list of image indices (every group present)."""
        return {name: sorted(i for i, g in self.owner.items() if g == name) for name in self.needs}

    def result(self):
        """The picks, checked: a ValueError names every group with fewer picks than it needs."""
        picks = self.picks
        short = [
            f"{name!r} has {len(picks[name])} of {n}"
            for name, n in self.needs.items()
            if len(picks[name]) < n
        ]
        if short:
            raise ValueError(
                "not enough images picked: "
                + "; ".join(short)
                + ". Choose the group above the gallery and click more thumbnails."
            )
        return picks

    def picked_ids(self):
        """The picks by the labels on the buttons (face ids when given, else gallery positions)."""
        return {name: [self.ids[i] for i in idx] for name, idx in self.picks.items()}

    def line(self):
        """The picks (by the labels on the buttons) as one line of Python to paste."""
        body = ", ".join(f'"{name}": {ids}' for name, ids in self.picked_ids().items())
        return f"{self.variable} = {{{body}}}"

    def save(self, path=None):
        """Write the checked picks (``result()``) as face ids to ``path`` (default ``save_to``),
        in the format ``groups.saved_groups`` reads; returns the path."""

        path = Path(path) if path is not None else self.save_to
        if path is None:
            raise ValueError("give a path: picker.save('files/runs/groups_photos.json')")
        picks = self.result()
        path = write_ids({name: [self.ids[i] for i in idx] for name, idx in picks.items()}, path)
        return path

    def _save_clicked(self, _):
        try:
            path = self.save(self.save_to)
            self.saved.value = f"saved {settings.relative(path)}: notebooks 03–04 use it from their next run"
        except ValueError as e:
            self.saved.value = f"<span style='color:#b00'>not saved: {e}</span>"

    def _show(self):
        for button in self.buttons:
            i = button.index
            group = self.owner.get(i)
            label = self.ids[i]
            button.description = str(label) if group is None else f"{label} · {group}"
            button.tooltip = f"image {label}" + (f" in {group}" if group else "")
            button.style.button_color = self.colours[group] if group else None
        parts = []
        for name, indices in self.picks.items():
            mark = "✓" if len(indices) >= self.needs[name] else "…"
            parts.append(
                f"<span style='background:{self.colours[name]};padding:2px 6px'>"
                f"{name}: {len(indices)}/{self.needs[name]} {mark}</span>"
            )
        self.status.value = " ".join(parts)
        self.code.value = self.line()


def gallery_picker(images, groups, columns=8):
    """A gallery to pick images into named groups by clicking, e.g. for group means (listing 7.9).

    ``images``: (N, C, H, W) in [0, 1], shown as thumbnails ``columns`` to a row, each with its
    index on a button; ``groups``: dict name -> how many images the group needs, e.g.
    {"men_glasses": 3, "women_glasses": 3}. Choose a group above the gallery, then click
    thumbnails to add (or remove) them. ``picker.picks`` is dict name -> [indices];
    ``picker.result()`` also checks every group is full (ValueError naming the group if not).
    The text box shows a line like ``groups = {"men_glasses": [0, 3, 14], ...}`` to paste.
    """
    return GalleryPicker(images, groups, columns)


def faces_picker(faces, per_group=3, save_to=None, columns=8):
    """A picker for the four groups (``groups.GROUP_NAMES``) over the book's candidates: the first
    25 faces of G/ and the last 25 of NoG/ (``groups.book_gallery``), each button labelled with the
    face id, preset with the book's choice on the photos. Its save button writes the choice to ``save_to``
    (default ``groups.groups_file()``), which ``groups.four_groups`` reads on later runs."""

    g, nog = groups.book_gallery(faces)
    shown = g + nog
    labelled = bool(faces.attributes and "beard" in faces.attributes)
    preset = {} if labelled else groups.book_groups(faces)  # the book's choice, on the photos
    at = {face: k for k, face in enumerate(shown)}
    picks = {name: [at[i] for i in idx] for name, idx in preset.items()}
    return GalleryPicker(
        faces.images[shown],
        {name: per_group for name in groups.GROUP_NAMES},
        columns=columns,
        picks=picks,
        ids=[faces.ids[i] for i in shown],
        save_to=save_to if save_to is not None else groups.groups_file(),
    )


def framed(images, marks, width=None):
    """Images (N, 3, S, S), uint8 or [0, 1], as floats with a coloured frame painted around those in
    ``marks`` (dict position -> "#rrggbb"); the rest unchanged."""
    x = plot.as_images(images).clone()
    w = width or max(2, x.shape[-1] // 12)
    for pos, colour in marks.items():
        rgb = torch.tensor([int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)])[:, None, None]
        x[pos, :, :w, :] = rgb
        x[pos, :, -w:, :] = rgb
        x[pos, :, :, :w] = rgb
        x[pos, :, :, -w:] = rgb
    return x


def show_book_galleries(faces, save=None, tile_px=112):
    """The book's two 5 x 5 galleries of listing 7.7 (the first 25 faces of G/, the last 25 of NoG/
    from the end, in ImageFolder order), ``tile_px`` screen pixels per face, rows labelled by the
    positions the book's lists use (0-4, 5-9, ...), the book's picks framed in their group's colour.
    Returns the two figures outside a notebook (None inside, where they are shown)."""

    g, nog = groups.book_gallery(faces)
    colours = dict(zip(groups.GROUP_NAMES, FRAME_COLOURS))
    figures = []
    for cls, shown, title in (("G", g, "G/, the first 25"), ("NoG", nog, "NoG/, the last 25 from the end")):
        picks = {n: pos for n, (c, pos) in groups.BOOK_PICKS.items() if c == cls}
        images = framed(faces.images[shown], {p: colours[n] for n, pos in picks.items() for p in pos})
        legend = ", ".join(f"{FRAME_NAMES[colours[n]]}: {n} {list(pos)}" for n, pos in picks.items())
        rows = [(f"{r}–{r + 4}", images[r : r + 5]) for r in range(0, len(shown), 5)]
        save_as = f"{save}_{cls}" if save else None
        figures.append(plot.show_rows(rows, f"{title} · {legend}", save=save_as, tile_px=tile_px, per_row=5))
    return None if plot.in_notebook() else figures


def show_expression(images, captions, title=None, marks=None, save=None, tile_px=144):
    """One row of faces (k, C, H, W), uint8 or [0, 1], k <= 8, each under its caption (e.g.
    "z1 = men, glasses", ..., "result"), each face ``tile_px`` screen pixels wide whatever the
    captions (fixed margins, as ``plot.rows_figure``); ``marks``: one "✓", "✗", "·" or "" per
    face, drawn in its corner as in ``plot.show_rows``. Returns the figure outside a notebook
    (None inside, where it is shown)."""
    images = plot.as_images(images)
    if len(images) != len(captions) or not 0 < len(images) <= 8:
        raise ValueError(f"need 1 to 8 faces and one caption each: {len(images)}, {len(captions)}")
    k, font = len(images), plt.rcParams["font.size"] / 72  # a line of text, inches
    inch, gap = tile_px * (plot.SCALE / plot.NORMAL_SCALE) / plot.DPI, 0.12
    wrapped = [textwrap.fill(c, max(8, int(inch / (0.55 * font)))) for c in captions]
    top = (0.45 if title else 0.1) + 1.3 * font * max(c.count("\n") + 1 for c in wrapped) + 0.05
    width, height = 0.2 + inch * k + gap * (k - 1), top + inch + 0.1
    fig, axes = plt.subplots(1, k, figsize=(width, height), dpi=plot.DPI, squeeze=False)
    fig.subplots_adjust(0.1 / width, 0.1 / height, 1 - 0.1 / width, 1 - top / height, wspace=gap / inch)
    for ax, img, caption, mark in zip(axes[0], images, wrapped, marks or [""] * k):
        ax.imshow(img.permute(1, 2, 0).clamp(0, 1).squeeze(-1).numpy(), cmap="gray", interpolation="nearest")
        ax.set(xticks=[], yticks=[])
        ax.set_title(caption, fontsize="medium")
        plot.draw_mark(ax, mark)
    if title:
        fig.suptitle(title, y=1 - 0.08 / height, va="top")
    return plot.finish(fig, save)
