"""What every classroom widget shares: a live image redrawn as the student drags (``LiveImage``),
redraws kept to one thread and to the latest request (``one_thread``, ``ready``), one code made
from weights (``one_code``), the captioned panels widgets are built of, and a picture of the widget
in its display for readers without a kernel (``Previewed``).
"""

import base64
import contextlib
import warnings

import ipywidgets as W
import torch

from dlhelpers import plot
from dlhelpers.chapter import latent
from dlhelpers.engine.display import enlargement, png_bytes
from dlhelpers.widgets import preview


def ready(model):
    """Put ``model`` in eval mode, warning if it was still training (its BatchNorm would otherwise
    use each single image's own statistics, and the pictures would be wrong)."""
    if model.training:
        warnings.warn(
            f"{type(model).__name__} was in training mode; the widget switched it to "
            "eval mode (model.eval()) so decoded images use the learned BatchNorm "
            "statistics.",
            stacklevel=4,
        )
        model.eval()
    return model


@contextlib.contextmanager
def one_thread():
    """Run torch on a single thread inside the ``with`` block, then restore the thread count.

    One small image decodes about as fast on one thread as on several, and far more steadily: on a
    2-core machine busy with other work, a 64-px decode on 2 threads had a 90th percentile of 56 ms
    (the threads wait for each other whenever another process holds a core), a whole redraw on
    1 thread 2.7 ms. ``python -m dlhelpers bench widgets`` shows both.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def one_code(z, name="z", model=None):
    """A single finite code (d,) or (1, d) -> (1, d); ValueError for several codes, NaN or
    infinity, or (given ``model``) a size d that is not the model's code size."""
    z = torch.as_tensor(z).detach().float().cpu()
    if z.dim() == 1:
        z = z.unsqueeze(0)
    if z.dim() != 2 or len(z) != 1:
        raise ValueError(
            f"{name} must be one code of shape (d,) or (1, d), got {tuple(z.shape)}; "
            f"pick one row, e.g. {name}[0]."
        )
    latent.finite(z, name=name)
    d = latent.code_size(model)
    if d is not None and z.shape[1] != d:
        raise ValueError(
            f"{name} has {z.shape[1]} dimensions but {type(model).__name__} decodes "
            f"codes of {d}: encode it with this model."
        )
    return z


def caption(text):
    return W.HTML(f"<div style='text-align:center'>{text}</div>")


def titled(title, image):
    """A caption above an image, centred: one panel of a widget."""
    return W.VBox([caption(title), image], layout=W.Layout(align_items="center", margin="0 6px"))


class Previewed:
    """Mixin for a widget class: its display carries, beside the live widget, a picture of it.

    The display bundle holds the widget view (``application/vnd.jupyter.widget-view+json``), an
    ``image/png`` (a still, or an animated PNG of a control swept by the widget's own redraws) and
    ``text/plain``; a frontend draws one of them. JupyterLab running the cell draws the live
    widget alone. ``.ci/strip_notebooks.py`` then drops the widget view and its state from the
    committed notebook, leaving the picture for every reader without a kernel (nbconvert's HTML,
    nbviewer, GitHub, JupyterLab before the cell is run). Subclasses give ``snapshot()`` (one PIL
    frame of the widget as it is now) and may give ``preview_frames()`` (a sweep, restoring the
    widget afterwards); ``preview_png()`` is the picture's PNG bytes.
    """

    preview_ms = 250  # milliseconds per frame of a sweep

    def snapshot(self):
        raise NotImplementedError

    def preview_frames(self):
        return [self.snapshot()]

    def preview_png(self):
        return preview.animation(self.preview_frames(), self.preview_ms)

    def sweep(self, control, values):
        """Snapshots with ``control.value`` set to each of ``values`` in turn, as if dragged there
        (the widget redraws itself), then the control put back; ``redraws`` is left as it was."""
        start, redraws = control.value, getattr(self, "redraws", 0)
        try:
            shots = []
            for value in values:
                control.value = value
                shots.append(self.snapshot())
            return shots
        finally:
            control.value = start
            self.redraws = redraws

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        if data is not None:
            try:
                data["image/png"] = base64.b64encode(self.preview_png()).decode("ascii")
            except Exception as e:  # noqa: BLE001  a picture that fails must not hide the live widget
                warnings.warn(
                    f"{type(self).__name__}: no picture for readers without a kernel ({e})", stacklevel=2
                )
        return data


class LiveImage(Previewed, W.VBox):
    """Base of the sliders: a decoded image (``self.image``) redrawn from ``self.code()``.

    Subclasses build their controls, define ``code()`` and have the controls call ``redraw`` when
    they move. ``self.redraws`` counts redraws (handy in tests and benchmarks).
    """

    def __init__(self, model):
        # as wide as the images, with the controls centred under them
        super().__init__(layout=W.Layout(width="fit-content", align_items="center"))
        self.model = model
        self.scale = plot.SCALE  # taken when built: presentation() changes widgets built after it
        self.image = W.Image(format="png")
        self.redraws, self.side = 0, None

    def png(self, image):
        """PNG bytes of one image (1, C, H, W), enlarged like every image of this widget."""
        self.side = image.shape[-1]  # the size decoded, for shrinking the preview's faces
        return png_bytes(image, enlargement(image.shape[-1], self.scale))

    def snapshot(self):
        """The widget now as one frame: its ``panels()`` in a row and its ``lines()`` below."""
        return preview.compose(self.panels(), self.lines(), self.side, enlargement(self.side, self.scale))

    def panels(self):
        """(caption, PNG bytes) of each image shown, left to right."""
        raise NotImplementedError

    def lines(self):
        """What the widget shows under its images: str, ``preview.Slider`` or ``preview.Chips``."""
        return []

    def picture(self, z):
        """Decode one code (1, d) (eval mode, no gradients, one thread) -> PNG bytes of the image."""
        with one_thread():
            return self.png(latent.decode(self.model, z))

    def code(self):
        """The code (1, d) the live image shows now."""
        raise NotImplementedError

    def redraw(self, change=None):
        """Decode the current code and show it (called by the controls' ``observe``)."""
        self.image.value = self.picture(self.code())
        self.redraws += 1
