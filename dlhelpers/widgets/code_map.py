"""A clickable map of the codes: click a point to decode it, click two to see the way between.

    m = code_map.code_map(model, codes, labels, names=["no glasses", "glasses"])
    m                 # the map (an interactive ipympl figure), the decoded pick, the strip

The map is the codes (N, d) projected on their first two principal components (``latent.pca_2d``),
coloured by integer labels (N,) (digits 0-9, or face groups from ``face_groups``). The figure is an
``ipympl`` canvas, a real ipywidget drawn by matplotlib's widget backend: clicks reach Python as
matplotlib events (``button_press_event``), so the map is the same matplotlib a student already
knows, and only this figure is interactive: the notebook's other figures stay static PNGs.
A click picks the nearest code; the last two picks are joined on the map and their interpolation
strip (``latent.path``, decoded) is shown under it.
"""

import io

import ipywidgets as W
import torch
from matplotlib.figure import Figure

from dlhelpers import plot
from dlhelpers.chapter import latent
from dlhelpers.engine.display import enlargement, png_bytes, to_uint8_grid
from dlhelpers.widgets import preview
from dlhelpers.widgets.gifs import GifButton
from dlhelpers.widgets.live import Previewed, caption, one_thread, ready, titled

STEPS = 8  # images in the interpolation strip (up to 128 px)
STEPS_LARGE = 5  # ... and at larger sizes, where one decode takes about 20 ms on one thread
MAX_POINTS = 2000  # points drawn on the map (the first ones)


def face_groups(faces, n=None):
    """Integer labels (n,) and their names for colouring faces: glasses × beard on the synthetic
    faces (0 = neither, 1 = glasses, 2 = beard, 3 = both), glasses only on the photos."""
    n = len(faces) if n is None else min(n, len(faces))
    labels = faces.glasses[:n].long().clone()
    names = ["no glasses", "glasses"]
    beard = (faces.attributes or {}).get("beard")
    if beard is not None:
        labels += 2 * torch.as_tensor(beard[:n]).long()
        names += ["beard", "beard, glasses"]
    return labels, names


def interactive_figure(figsize, dpi):
    """A matplotlib Figure drawn on an ipympl Canvas (an ipywidget) without switching pyplot's
    backend: ``(figure, canvas)``. Header, footer and the resize handle are hidden."""
    from ipympl.backend_nbagg import Canvas, FigureManager  # deferred: an optional backend

    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")  # room for labels at any font
    canvas = Canvas(fig)
    FigureManager(canvas, 0)
    canvas.header_visible = canvas.footer_visible = canvas.resizable = False
    canvas.toolbar_visible = False
    return fig, canvas


class CodeMap(Previewed, W.VBox):
    """The map (``canvas``: ipympl), the decode of the last pick (``image``, captioned by
    ``picked``), the interpolation strip between the last two picks (``strip``), a GIF button.

    ``click(x, y)`` does what a mouse click at map coordinates (x, y) does; ``picks`` holds the
    indices of the last two picked codes; ``redraws`` counts clicks handled.
    """

    def __init__(self, model, codes, labels, names=None, steps=None, title=None):
        super().__init__()
        self.model = ready(model)
        self.codes = torch.as_tensor(codes).float()[:MAX_POINTS]
        self.labels = torch.as_tensor(labels).long()[: len(self.codes)]
        if len(self.labels) != len(self.codes):
            raise ValueError(f"{len(self.codes)} codes but {len(self.labels)} labels")
        self.names = list(names) if names is not None else [str(k) for k in range(int(self.labels.max()) + 1)]
        self.points = latent.pca_2d(self.codes)
        self.picks, self.redraws = [], 0
        self.scale = plot.SCALE
        # presentation(True) raises the DPI (and the fonts): the map grows, the picks' images too
        self.figure, self.canvas = interactive_figure((5.7, 4.2), plot.DPI)
        ax = self.ax = self.figure.add_subplot()
        cmap = "tab10" if len(self.names) > 4 else "Set1"
        sc = ax.scatter(
            self.points[:, 0],
            self.points[:, 1],
            c=self.labels,
            cmap=cmap,
            s=6,
            vmin=0,
            vmax=9 if cmap == "tab10" else 8,
        )
        handles, _ = sc.legend_elements()
        shown = sorted(set(self.labels.tolist()))
        self.figure.legend(
            handles,
            [self.names[k] for k in shown],
            loc="outside right center",
            fontsize="small",
            frameon=False,
        )
        ax.set_title(title or "click a point, then another", fontsize="medium")
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
        # the picks are drawn over a saved background (blitting): a click redraws two artists,
        # not the whole scatter (a full draw of the figure costs tens of ms)
        (self.line,) = ax.plot([], [], "k-", lw=1.5, animated=True)
        (self.marks,) = ax.plot([], [], "o", ms=10, mfc="none", mec="black", mew=2, animated=True)
        self.background = None
        self.canvas.mpl_connect("draw_event", self._drawn)
        self.canvas.mpl_connect("button_press_event", self._pressed)
        side = self.side = latent.decode(self.model, self.codes[:1]).shape[-1]
        self.steps = steps or (STEPS if side <= 128 else STEPS_LARGE)  # a strip within a redraw's time
        blank = torch.full((1, 3 if side != 28 else 1, side, side), 0.9)  # where the pick shows
        self.image = W.Image(value=png_bytes(blank, enlargement(side, self.scale)), format="png")
        self.picked = caption("no point picked yet")
        self.strip = W.Image(format="png", layout=W.Layout(display="none"))
        self.strip_caption = caption("")

        self.gif = GifButton(self, "code_map")
        self.children = [
            W.HBox(
                [self.canvas, titled("picked", self.image)],
                layout=W.Layout(align_items="center", flex_flow="row wrap"),
            ),
            self.picked,
            self.strip_caption,
            self.strip,
            self.gif,
        ]

    def _drawn(self, event):
        """After a full draw: keep the map without the picks, then draw the picks on it."""
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_picks()

    def _draw_picks(self):
        self.ax.draw_artist(self.line)
        self.ax.draw_artist(self.marks)

    def show_picks(self):
        """Redraw the picks on the map: blitted over the saved background, or a full draw when
        there is none yet (before the first draw)."""
        if self.background is None:
            self.canvas.draw()
            return
        self.canvas.restore_region(self.background)
        self._draw_picks()
        self.canvas.blit(self.figure.bbox)

    def _pressed(self, event):
        if event.inaxes is self.ax and event.xdata is not None:
            self.click(event.xdata, event.ydata)

    def nearest(self, x, y):
        """The index of the code whose map point is nearest (x, y), in the map's own scale."""
        span = self.points.max(0).values - self.points.min(0).values
        d = ((self.points - torch.tensor([x, y])) / span.clamp_min(1e-9)).pow(2).sum(1)
        return int(d.argmin())

    def click(self, x, y):
        """Pick the code nearest (x, y): decode it beside the map and, with two picks, draw the
        way between them on the map and its decoded strip below; returns the index picked."""
        i = self.nearest(x, y)
        self.picks = (self.picks + [i])[-2:]
        with one_thread():
            if len(self.picks) == 2:  # the strip ends with the pick: one decode for both
                strip = latent.decode(self.model, self.gif_codes(self.steps))
                image = strip[-1:]
            else:
                image = latent.decode(self.model, self.codes[i : i + 1])
            self.image.value = png_bytes(image, enlargement(image.shape[-1], self.scale))
            self.picked.value = (
                f"<div style='text-align:center'>code {i}: {self.names[int(self.labels[i])]}</div>"
            )
            at = self.points[self.picks]
            self.marks.set_data(at[:, 0].tolist(), at[:, 1].tolist())
            if len(self.picks) == 2:
                self.line.set_data(at[:, 0].tolist(), at[:, 1].tolist())
                grid = to_uint8_grid(strip, nrow=len(strip))
                self.strip.value = png_bytes(grid, enlargement(strip.shape[-1], self.scale * 0.6))
                self.strip.layout.display = None
                a, b = (self.names[int(self.labels[k])] for k in self.picks)
                self.strip_caption.value = (
                    f"<div style='text-align:center'>from code {self.picks[0]} "
                    f"({a}) to code {self.picks[1]} ({b})</div>"
                )
            self.show_picks()
        self.redraws += 1
        return i

    def snapshot(self):
        """The map as drawn now (picks and path included) beside the pick, the strip below."""
        picks = (self.line, self.marks)
        buffer = io.BytesIO()
        with self.canvas.callbacks.blocked(signal="draw_event"):  # keep the saved background
            for artist in picks:
                artist.set_animated(False)
            try:
                self.figure.savefig(buffer, format="png")
            finally:
                for artist in picks:
                    artist.set_animated(True)
        pick = preview.shrink(self.image.value, self.side, enlargement(self.side, self.scale))
        frames = [
            preview.compose([("", buffer.getvalue()), ("picked", pick)], [preview.text(self.picked.value)])
        ]
        if self.strip.layout.display != "none":
            was = enlargement(self.side, self.scale * 0.6)  # as ``click`` draws the strip
            strip = preview.shrink(self.strip.value, self.side, was, preview.GALLERY_TILE)
            frames.append(preview.compose([(preview.text(self.strip_caption.value), strip)]))
        return preview.stack(frames)

    def preview_frames(self):
        """The map after two clicks, on the first code of the first label and of the last (a
        path across the map); then the map, the pick and the strip as they were. The canvas is
        not drawn meanwhile: before the map is shown, a draw would leave ipympl a broken image."""
        kept = [self.image.value, self.picked.value, self.strip.value, self.strip_caption.value]
        state = (list(self.picks), self.strip.layout.display, self.redraws)
        drawn = [artist.get_data() for artist in (self.line, self.marks)]
        self.show_picks = lambda: None  # the picks are drawn by ``snapshot`` alone
        try:
            for label in (self.labels.min(), self.labels.max()):
                self.click(*self.points[int((self.labels == label).nonzero()[0, 0])].tolist())
            return [self.snapshot()]
        finally:
            del self.show_picks
            for widget, value in zip((self.image, self.picked, self.strip, self.strip_caption), kept):
                widget.value = value
            self.picks, self.strip.layout.display, self.redraws = state
            for artist, data in zip((self.line, self.marks), drawn):
                artist.set_data(*data)

    def gif_codes(self, steps=16):
        """The way between the last two picks (steps, d), or ValueError before two picks."""
        if len(self.picks) < 2:
            raise ValueError("click two points on the map first")
        a, b = self.codes[self.picks[0]], self.codes[self.picks[1]]
        return latent.path(a, b, torch.linspace(0, 1, steps).tolist())


def code_map(model, codes, labels, names=None, steps=None, title=None):
    """A clickable map of codes (N, d) (the first ``MAX_POINTS``), coloured by ``labels`` (N,)
    named by ``names`` (e.g. ``face_groups(faces)`` or digits). Click a point: it is decoded
    beside the map. Click another: the two are joined and the ``steps`` images between them shown
    as a strip (default ``STEPS``, or ``STEPS_LARGE`` above 128 px). Returns a ``CodeMap`` (an
    ipywidgets.VBox) with ``canvas``, ``image``, ``strip``."""
    return CodeMap(model, codes, labels, names, steps, title)
