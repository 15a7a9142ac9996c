"""Live controls for the classroom: sliders that decode codes as you drag, and a gallery picker.

Built on ``dlhelpers.latent`` (the arithmetic) and shown with ``ipywidgets``. Images are float
tensors in [0, 1], shape (N, C, H, W) or one image (C, H, W); codes are (d,) or (1, d).

A redraw decodes one code (model in eval mode, no gradients) and hands PNG bytes to an
``ipywidgets.Image``: a few milliseconds at 64 px, so dragging a slider feels immediate
(``python -m dlhelpers.bench widgets`` measures it). Every builder checks its inputs when it is
called, so a mistake shows up as an error in the cell, not as a silent failure at the first drag.

    widgets.interpolation_slider(model, z1, z2, labels=("with glasses", "without"))
    widgets.arithmetic_sliders(model, codes, {"men_glasses": 1, "women_glasses": -1, ...})
    widgets.attribute_slider(model, z, {"glasses": glasses_vector})
    picker = widgets.gallery_picker(images, {"men_glasses": 3, "women_glasses": 3})
"""
import contextlib
import io
import statistics
import time
import warnings

import ipywidgets as W
import torch

from . import latent, plot

NORMAL_SCALE = 3        # a 64-px image is shown 3 times larger (192 px on screen)
PRESENTATION_SCALE = 5  # the same under presentation(True), for a class projector (320 px)
SCALE = NORMAL_SCALE    # the one in use
GROUP_COLOURS = ["#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5",
                 "#d9d9d9"]


def presentation(on=True):
    """Bigger widget images and bigger figures for a projector; ``presentation(False)`` undoes it.

    One call switches both this module (images drawn at ``PRESENTATION_SCALE``) and
    ``dlhelpers.plot`` (fonts and figure resolution). Affects widgets built after the call.
    """
    global SCALE
    SCALE = PRESENTATION_SCALE if on else NORMAL_SCALE
    plot.presentation(on)


def enlargement(side, scale=None):
    """The whole-number factor that shows an image ``side`` pixels tall about as large as a 64-px
    image enlarged ``scale`` times (default ``SCALE``): 3 for 64 px, 7 for MNIST's 28 px, 1 for
    256 px.
    """
    return max(1, round((scale or SCALE) * 64 / side))


def png_bytes(image, scale=None):
    """One image (C, H, W) or (1, C, H, W), floats in [0, 1], C = 1 or 3 -> PNG file bytes.

    Enlarged ``scale`` times with nearest-neighbour, so every pixel of the model's output stays a
    crisp square instead of a blur. Default: ``enlargement(H)``, i.e. ``SCALE`` for 64-px images.
    """
    from PIL import Image
    image = image.detach().float().cpu()
    if image.dim() == 4 and len(image) == 1:
        image = image[0]
    if image.dim() != 3 or image.shape[0] not in (1, 3):
        raise ValueError("png_bytes takes one image (C, H, W) with C = 1 or 3, "
                         f"got {tuple(image.shape)}")
    pixels = (image.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    picture = Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels)
    scale = int(scale or enlargement(image.shape[1]))
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="png", compress_level=1)  # light compression: fast to write
    return buffer.getvalue()


def ready(model):
    """Put ``model`` in eval mode, warning if it was still training (its BatchNorm would otherwise
    use each single image's own statistics, and the pictures would be wrong)."""
    if model.training:
        warnings.warn(f"{type(model).__name__} was in training mode; the widget switched it to "
                      "eval mode (model.eval()) so decoded images use the learned BatchNorm "
                      "statistics.", stacklevel=4)
        model.eval()
    return model


@contextlib.contextmanager
def one_thread():
    """Run torch on a single thread inside the ``with`` block, then restore the thread count.

    One small image decodes about as fast on one thread as on several, and far more steadily: on a
    2-core machine busy with other work, a 64-px decode on 2 threads had a 90th percentile of 56 ms
    (the threads wait for each other whenever another process holds a core), a whole redraw on
    1 thread 2.7 ms. ``python -m dlhelpers.bench widgets`` shows both.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def one_code(z, name="z"):
    """A single code (d,) or (1, d) -> (1, d); anything holding several codes is a ValueError."""
    z = torch.as_tensor(z).detach().float().cpu()
    if z.dim() == 1:
        z = z.unsqueeze(0)
    if z.dim() != 2 or len(z) != 1:
        raise ValueError(f"{name} must be one code of shape (d,) or (1, d), got {tuple(z.shape)}; "
                         f"pick one row, e.g. {name}[0].")
    return z


def _caption(text):
    return W.HTML(f"<div style='text-align:center'>{text}</div>")


def _column(title, image):
    """A caption above an image, centred: one panel of a widget."""
    return W.VBox([_caption(title), image], layout=W.Layout(align_items="center", margin="0 6px"))


class LiveImage(W.VBox):
    """Base of the sliders: a decoded image (``self.image``) redrawn from ``self.code()``.

    Subclasses build their controls, define ``code()`` and have the controls call ``redraw`` when
    they move. ``self.redraws`` counts redraws (handy in tests and benchmarks).
    """

    def __init__(self, model):
        # as wide as the images, with the controls centred under them
        super().__init__(layout=W.Layout(width="fit-content", align_items="center"))
        self.model = model
        self.scale = SCALE  # taken when built: presentation() changes widgets built after it
        self.image = W.Image(format="png")
        self.redraws = 0

    def png(self, image):
        """PNG bytes of one image (1, C, H, W), enlarged like every image of this widget."""
        return png_bytes(image, enlargement(image.shape[-1], self.scale))

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


class InterpolationSlider(LiveImage):
    """Two endpoint images and, between them, the blend at weight ``self.slider.value``.

    Attributes: ``slider`` (weight w in [0, 1]), ``image`` (the live blend), ``start_image`` and
    ``end_image`` (decodes of z1 and z2), ``readout`` (a line saying what is shown).
    """

    def __init__(self, model, z1, z2, labels=("A", "B"), spherical=False, value=0.0):
        super().__init__(ready(model))
        self.z1, self.z2 = one_code(z1, "z1"), one_code(z2, "z2")
        self.labels = tuple(labels)
        self.blend = latent.slerp if spherical else latent.lerp
        self.blend(self.z1, self.z2, 0.5)  # a shape mismatch raises latent's message here
        self.slider = W.FloatSlider(value=value, min=0, max=1, step=0.05, description="w",
                                    readout_format=".2f", continuous_update=True,
                                    layout=W.Layout(width="100%"))
        self.start_image = W.Image(value=self.picture(self.z1), format="png")
        self.end_image = W.Image(value=self.picture(self.z2), format="png")
        self.readout = _caption("")
        self.children = [
            W.HBox([_column(f"w = 0: {self.labels[0]}", self.start_image),
                    _column("blend", self.image),
                    _column(f"w = 1: {self.labels[1]}", self.end_image)]),
            self.slider, self.readout]
        self.slider.observe(self.redraw, "value")
        self.redraw()

    def code(self):
        return self.blend(self.z1, self.z2, float(self.slider.value))

    def redraw(self, change=None):
        super().redraw()
        w = float(self.slider.value)
        kind = "spherical" if self.blend is latent.slerp else "linear"
        self.readout.value = (f"<div style='text-align:center'>{kind} blend: "
                              f"{1 - w:.0%} {self.labels[0]} + {w:.0%} {self.labels[1]}</div>")


def interpolation_slider(model, z1, z2, labels=("A", "B"), spherical=False):
    """A slider w in [0, 1] (step 0.05) that blends code z1 into z2 and shows the decoded blend.

    ``z1``, ``z2``: single codes (d,) or (1, d) from the same model. The decoded endpoints are shown
    left (w = 0) and right (w = 1), labelled by ``labels``; the middle image is
    ``latent.lerp(z1, z2, w)`` decoded (``latent.slerp`` with ``spherical=True``), redrawn live.
    The slider starts at w = 0: drag it right to walk from z1 to z2.
    Returns an ``InterpolationSlider`` (an ipywidgets.VBox) with ``.slider`` and ``.image``.
    """
    return InterpolationSlider(model, z1, z2, labels, spherical)


def expression(weights):
    """The weighted sum spelled out: {"a": 1, "b": -1, "c": 0.5} -> '1.0·a − 1.0·b + 0.5·c'."""
    def number(x):
        text = f"{abs(x):.2f}"
        return text[:-1] if text.endswith("0") else text
    parts = []
    for i, (name, w) in enumerate(weights.items()):
        sign = ("−" if w < 0 else "") if i == 0 else (" − " if w < 0 else " + ")
        parts.append(f"{sign}{number(w)}·{name}")
    return "".join(parts)


class ArithmeticSliders(LiveImage):
    """One slider per named code (its weight, −2 to 2) and the decoded weighted sum, live.

    Attributes: ``sliders`` (dict name -> FloatSlider), ``image`` (the decoded result),
    ``term_images`` (dict name -> the decode of that code alone), ``label`` (the expression).
    """

    def __init__(self, model, codes, weights):
        super().__init__(ready(model))
        if not weights:
            raise ValueError("arithmetic_sliders needs at least one weighted term.")
        latent.combine(codes, dict(weights))  # unknown names or different shapes raise here
        self.codes = {name: one_code(codes[name], name) for name in weights}
        decoded = {name: latent.decode(self.model, z) for name, z in self.codes.items()}
        side = next(iter(decoded.values())).shape[-1]
        width = f"{max(160, side * enlargement(side, self.scale))}px"
        self.sliders = {name: W.FloatSlider(value=float(w), min=-2, max=2, step=0.05,
                                            readout_format=".2f", continuous_update=True,
                                            layout=W.Layout(width=width))
                        for name, w in weights.items()}
        self.term_images = {name: W.Image(value=self.png(x), format="png")
                            for name, x in decoded.items()}
        self.label = W.HTML()
        terms = [W.VBox([_caption(name), self.term_images[name], self.sliders[name]],
                        layout=W.Layout(align_items="center", margin="0 4px"))
                 for name in weights]
        equals = W.HTML("<span style='font-size:2em'>=</span>")
        self.children = [W.HBox(terms + [equals, _column("result", self.image)],
                                layout=W.Layout(align_items="center")), self.label]
        for slider in self.sliders.values():
            slider.observe(self.redraw, "value")
        self.redraw()

    def weights(self):
        """The weights the sliders show now: dict name -> float."""
        return {name: float(s.value) for name, s in self.sliders.items()}

    def code(self):
        return latent.combine(self.codes, self.weights())

    def redraw(self, change=None):
        super().redraw()
        self.label.value = f"<b>{expression(self.weights())}</b>"


def arithmetic_sliders(model, codes, weights):
    """Encoding arithmetic with live weights: the decoded ``latent.combine(codes, weights)``.

    ``codes``: dict name -> one code (d,) or (1, d), e.g. the group means of listing 7.9;
    ``weights``: dict name -> starting weight, one slider (−2 to 2) per entry, e.g.
    {"man_glasses": 1, "woman_glasses": -1, "woman_no_glasses": 1}. Shows each term's decode,
    the result, and the expression spelled out:
    "1.0·man_glasses − 1.0·woman_glasses + 1.0·woman_no_glasses".
    Returns an ``ArithmeticSliders`` (an ipywidgets.VBox) with ``.sliders`` and ``.image``.
    """
    return ArithmeticSliders(model, codes, weights)


class AttributeSlider(LiveImage):
    """The original decode and the decode of z pushed along a chosen attribute direction.

    Attributes: ``dropdown`` (the attribute's name), ``slider`` (strength, −3 to 3), ``image``
    (the live result), ``original_image`` (z decoded as is).
    """

    def __init__(self, model, z, directions):
        super().__init__(ready(model))
        if not directions:
            raise ValueError("attribute_slider needs at least one direction, e.g. {'glasses': v}.")
        self.z = one_code(z, "z")
        self.directions = {name: one_code(d, f"directions[{name!r}]")
                           for name, d in directions.items()}
        for name, d in self.directions.items():
            if d.shape != self.z.shape:
                raise ValueError(f"direction {name!r} has {d.shape[1]} dimensions but the code "
                                 f"has {self.z.shape[1]}: make both with the same model.")
        self.dropdown = W.Dropdown(options=list(self.directions), description="attribute")
        self.slider = W.FloatSlider(value=0, min=-3, max=3, step=0.1, description="strength",
                                    readout_format=".1f", continuous_update=True,
                                    layout=W.Layout(width="100%"))
        self.original_image = W.Image(value=self.picture(self.z), format="png")
        self.readout = _caption("")
        self.children = [W.HBox([_column("original", self.original_image),
                                 _column("changed", self.image)]),
                         self.dropdown, self.slider, self.readout]
        self.dropdown.observe(self.redraw, "value")
        self.slider.observe(self.redraw, "value")
        self.redraw()

    def code(self):
        direction = self.directions[self.dropdown.value]
        return latent.add_attribute(self.z, direction, float(self.slider.value))

    def redraw(self, change=None):
        super().redraw()
        s = float(self.slider.value)
        self.readout.value = (f"<div style='text-align:center'>z {'−' if s < 0 else '+'} "
                              f"{abs(s):.1f} × {self.dropdown.value} direction</div>")


def attribute_slider(model, z, directions):
    """Add or remove a trait with a slider: decode ``latent.add_attribute(z, direction, strength)``.

    ``z``: one code (d,) or (1, d); ``directions``: dict name -> direction (d,), e.g. from
    ``latent.attribute_vector`` ({"glasses": v1, "beard": v2}). A dropdown picks the attribute, a
    slider the strength (−3 to 3; negative removes the trait). Returns an ``AttributeSlider``
    (an ipywidgets.VBox) with ``.dropdown``, ``.slider`` and ``.image``.
    """
    return AttributeSlider(model, z, directions)


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
            cells.append(W.VBox([W.Image(value=png_bytes(image, scale), format="png"), button],
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


def _times_ms(set_value, values):
    """Milliseconds each call ``set_value(v)`` took, one per value."""
    times = []
    for v in values:
        t = time.perf_counter()
        set_value(v)
        times.append((time.perf_counter() - t) * 1000)
    return times


def _p90(times):
    return sorted(times)[int(0.9 * (len(times) - 1))]


def bench_widgets(moves=50, image_size=64, seed=0):
    """Milliseconds per slider redraw of each slider widget, for a ``VAE(image_size=64)``.

    A redraw is what one slider move costs in Python: the blend, one decode, the PNG (the browser
    adds its own few ms to show the new image). Reports the median and the 90th percentile over
    ``moves`` moves, and, for comparison, one decode on all of torch's threads. Random weights:
    the timing does not depend on them. Prints readable lines and returns the figures as a dict.
    """
    from .models import VAE
    torch.manual_seed(seed)
    model = VAE(image_size=image_size).eval()
    d = model.config["latent_dims"]
    z1, z2, z3 = latent.random_codes(3, d, seed)
    values = [round((i % 20) / 20 + 0.025, 3) for i in range(moves)]  # every move a new value
    interp = interpolation_slider(model, z1, z2)
    arith = arithmetic_sliders(model, {"a": z1, "b": z2, "c": z3}, {"a": 1, "b": -1, "c": 1})
    attr = attribute_slider(model, z1, {"glasses": z2 - z1})
    first = next(iter(arith.sliders.values()))
    times = dict(
        interpolation=_times_ms(lambda v: setattr(interp.slider, "value", v), values),
        arithmetic=_times_ms(lambda v: setattr(first, "value", 4 * v - 2), values),
        attribute=_times_ms(lambda v: setattr(attr.slider, "value", 6 * v - 3), values),
        decode_all_threads=_times_ms(lambda v: latent.decode(model, z1.unsqueeze(0) * v), values),
        png=_times_ms(lambda v: png_bytes(torch.full((3, image_size, image_size), v)), values))
    assert interp.redraws == attr.redraws == moves + 1, "every move must redraw once"
    factor = enlargement(image_size)
    print(f"widget redraws at {image_size} px, shown x{factor}, over {moves} slider moves "
          f"(torch has {torch.get_num_threads()} threads; the widgets decode on 1):")
    result = {}
    for name, ms in times.items():
        median, p90 = statistics.median(ms), _p90(ms)
        print(f"  {name:<20} median {median:6.2f} ms   90th percentile {p90:6.2f} ms")
        result[f"{name}_ms"], result[f"{name}_p90_ms"] = round(median, 2), round(p90, 2)
    result.update(moves=moves, image_size=image_size, scale=factor)
    return result
