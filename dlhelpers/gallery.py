"""The gallery picker: click thumbnails to choose the faces of each group (listing 7.9).

    picker = gallery.gallery_picker(faces.images[:48], {"men_glasses": 3, "women_glasses": 3})
    picker            # shows it; then picker.result() -> {"men_glasses": [0, 3, 14], ...}
"""
import ipywidgets as W

from . import plot

GROUP_COLOURS = ["#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5",
                 "#d9d9d9"]


class GalleryPicker(W.VBox):
    """Thumbnails with a button each; clicking puts the image into the chosen group (or takes it
    out again). An image belongs to at most one group: clicking it for another group moves it.

    Attributes: ``chooser`` (ToggleButtons: the current group), ``buttons`` (one per image, in
    order), ``status`` (picks per group), ``code`` (a Textarea with a line to paste).
    Read the picks with ``picks`` or, checked, with ``result()``.
    """

    def __init__(self, images, groups, columns=8, picks=None, variable="groups", scale=None):
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
                raise ValueError(f"group {name!r} needs {n} images but the gallery shows only "
                                 f"{len(images)}: pass more images.")
        if sum(self.needs.values()) > len(images):
            raise ValueError(f"the groups need {sum(self.needs.values())} images in all "
                             f"({self.needs}) but the gallery shows only {len(images)}.")
        self.n, self.variable = len(images), variable
        self.owner = {}  # image index -> group name
        self.colours = {name: GROUP_COLOURS[i % len(GROUP_COLOURS)]
                        for i, name in enumerate(self.needs)}
        side = images.shape[-1]
        scale = scale or max(1, round(96 / side))
        width = f"{max(side * scale, 60)}px"
        self.chooser = W.ToggleButtons(options=list(self.needs), description="group")
        self.buttons, cells = [], []
        for i, image in enumerate(images):
            button = W.Button(description=str(i), layout=W.Layout(width=width, height="26px"))
            button.index = i
            button.on_click(self._clicked)
            self.buttons.append(button)
            cells.append(W.VBox([W.Image(value=plot.png_bytes(image, scale), format="png"), button],
                                layout=W.Layout(align_items="center")))
        self.status = W.HTML()
        self.code = W.Textarea(layout=W.Layout(width="100%", height="3.5em"))
        grid = W.GridBox(cells, layout=W.Layout(
            grid_template_columns=f"repeat({columns}, {width})", grid_gap="4px"))
        self.children = [self.chooser, self.status, grid, self.code]
        for name, indices in (picks or {}).items():
            for i in indices:
                self.toggle(i, name)
        self._show()

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
        short = [f"{name!r} has {len(picks[name])} of {n}" for name, n in self.needs.items()
                 if len(picks[name]) < n]
        if short:
            raise ValueError("not enough images picked: " + "; ".join(short) +
                             ". Choose the group above the gallery and click more thumbnails.")
        return picks

    def line(self):
        """The picks as one line of Python to paste into the notebook."""
        body = ", ".join(f'"{name}": {indices}' for name, indices in self.picks.items())
        return f"{self.variable} = {{{body}}}"

    def _show(self):
        for button in self.buttons:
            i = button.index
            group = self.owner.get(i)
            button.description = str(i) if group is None else f"{i} · {group}"
            button.tooltip = f"image {i}" + (f" in {group}" if group else "")
            button.style.button_color = self.colours[group] if group else None
        parts = []
        for name, indices in self.picks.items():
            mark = "✓" if len(indices) >= self.needs[name] else "…"
            parts.append(f"<span style='background:{self.colours[name]};padding:2px 6px'>"
                         f"{name}: {len(indices)}/{self.needs[name]} {mark}</span>")
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
