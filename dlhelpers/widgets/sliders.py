"""Live sliders for the classroom: codes decoded and redrawn as you drag.

Built on ``dlhelpers.chapter.latent`` (the arithmetic) and shown with ``ipywidgets``. Codes are (d,) or
(1, d). A redraw decodes one code (model in eval mode, no gradients) and hands PNG bytes to an
``ipywidgets.Image``: a few milliseconds at 64 px, so dragging a slider feels immediate
(``python -m dlhelpers bench widgets`` measures it). Every builder checks its inputs when it is
called, so a mistake shows up as an error in the cell, not as a silent failure at the first drag.

    sliders.interpolation_slider(model, z1, z2, labels=("with glasses", "without"))
    sliders.arithmetic_sliders(model, codes, {"beard_glasses": 1, "nobeard_glasses": -1, ...})
    sliders.attribute_slider(model, z, {"glasses": glasses_vector})

``plot.presentation(True)`` shows them larger, for a projector.
"""

import ipywidgets as W
import torch

from dlhelpers.chapter import core, latent
from dlhelpers.engine.display import enlargement
from dlhelpers.widgets import preview
from dlhelpers.widgets.live import LiveImage, caption, one_code, ready, titled

SWEEP = 9  # frames of a slider's sweep in the preview (then back)


class InterpolationSlider(LiveImage):
    """Two endpoint images and, between them, ``blend(z2, z1, w)`` at w = ``self.slider.value``.

    ``blend`` is the book's (``core.blend``, w the weight of its first code) or a notebook's own
    copy; ``spherical=True`` uses ``latent.slerp``. Attributes: ``slider`` (weight w in [0, 1]),
    ``image`` (the live blend), ``start_image`` and ``end_image`` (decodes of z1 and z2),
    ``readout`` (a line saying what is shown).
    """

    def __init__(self, model, z1, z2, labels=("A", "B"), spherical=False, value=0.0, blend=core.blend):
        super().__init__(ready(model))
        self.z1, self.z2 = one_code(z1, "z1", model), one_code(z2, "z2", model)
        self.labels = tuple(labels)
        self.blend = latent.slerp if spherical else blend
        latent.path(self.z1, self.z2, [0.5], self.blend)  # a shape mismatch raises latent's message here
        self.slider = W.FloatSlider(
            value=value,
            min=0,
            max=1,
            step=0.05,
            description="w",
            readout_format=".2f",
            continuous_update=True,
            layout=W.Layout(width="100%"),
        )
        self.start_image = W.Image(value=self.picture(self.z1), format="png")
        self.end_image = W.Image(value=self.picture(self.z2), format="png")
        self.readout = caption("")
        self.children = [
            W.HBox(
                [
                    titled(f"w = 0: {self.labels[0]}", self.start_image),
                    titled("blend", self.image),
                    titled(f"w = 1: {self.labels[1]}", self.end_image),
                ]
            ),
            self.slider,
            self.readout,
        ]
        self.slider.observe(self.redraw, "value")
        self.redraw()

    def code(self):
        return self.blend(self.z2, self.z1, float(self.slider.value))

    def panels(self):
        return [
            (f"w = 0: {self.labels[0]}", self.start_image.value),
            ("blend", self.image.value),
            (f"w = 1: {self.labels[1]}", self.end_image.value),
        ]

    def lines(self):
        return [preview.Slider("w", float(self.slider.value), 0, 1), preview.text(self.readout.value)]

    def preview_frames(self):
        """The slider swept from w = 0 to 1 and back."""
        return preview.boomerang(self.sweep(self.slider, [k / (SWEEP - 1) for k in range(SWEEP)]))

    def redraw(self, change=None):
        super().redraw()
        w = float(self.slider.value)
        kind = "spherical" if self.blend is latent.slerp else "linear"
        self.readout.value = (
            f"<div style='text-align:center'>{kind} blend: "
            f"{1 - w:.0%} {self.labels[0]} + {w:.0%} {self.labels[1]}</div>"
        )


def interpolation_slider(model, z1, z2, labels=("A", "B"), spherical=False, blend=core.blend):
    """A slider w in [0, 1] (step 0.05) that blends code z1 into z2 and shows the decoded blend.

    ``z1``, ``z2``: single codes (d,) or (1, d) from the same model. The decoded endpoints are shown
    left (w = 0) and right (w = 1), labelled by ``labels``; the middle image is
    ``blend(z2, z1, w)`` decoded, w being the weight of z2 as in the book's blend: ``blend`` is
    ``core.blend`` or a notebook's own copy (``latent.slerp`` with ``spherical=True``), redrawn live.
    The slider starts at w = 0: drag it right to walk from z1 to z2.
    Returns an ``InterpolationSlider`` (an ipywidgets.VBox) with ``.slider`` and ``.image``.
    """
    return InterpolationSlider(model, z1, z2, labels, spherical, blend=blend)


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
        self.codes = {name: one_code(codes[name], name, model) for name in weights}
        decoded = {name: latent.decode(self.model, z) for name, z in self.codes.items()}
        side = next(iter(decoded.values())).shape[-1]
        width = f"{max(160, side * enlargement(side, self.scale))}px"
        self.sliders = {
            name: W.FloatSlider(
                value=float(w),
                min=-2,
                max=2,
                step=0.05,
                readout_format=".2f",
                continuous_update=True,
                layout=W.Layout(width=width),
            )
            for name, w in weights.items()
        }
        self.term_images = {name: W.Image(value=self.png(x), format="png") for name, x in decoded.items()}
        self.label = W.HTML()
        terms = [
            W.VBox(
                [caption(name), self.term_images[name], self.sliders[name]],
                layout=W.Layout(align_items="center", margin="0 4px"),
            )
            for name in weights
        ]
        equals = W.HTML("<span style='font-size:2em'>=</span>")
        self.children = [
            W.HBox(terms + [equals, titled("result", self.image)], layout=W.Layout(align_items="center")),
            self.label,
        ]
        for slider in self.sliders.values():
            slider.observe(self.redraw, "value")
        self.redraw()

    def weights(self):
        """The weights the sliders show now: dict name -> float."""
        return {name: float(s.value) for name, s in self.sliders.items()}

    def code(self):
        return latent.combine(self.codes, self.weights())

    def panels(self):
        terms = [(expression({n: w}), self.term_images[n].value) for n, w in self.weights().items()]
        return terms + [("= result", self.image.value)]

    def lines(self):
        return [preview.text(self.label.value)]

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
        self.z = one_code(z, "z", model)
        self.directions = {name: one_code(d, f"directions[{name!r}]") for name, d in directions.items()}
        for name, d in self.directions.items():
            if d.shape != self.z.shape:
                raise ValueError(
                    f"direction {name!r} has {d.shape[1]} dimensions but the code "
                    f"has {self.z.shape[1]}: make both with the same model."
                )
        self.dropdown = W.Dropdown(options=list(self.directions), description="attribute")
        self.slider = W.FloatSlider(
            value=0,
            min=-3,
            max=3,
            step=0.1,
            description="strength",
            readout_format=".1f",
            continuous_update=True,
            layout=W.Layout(width="100%"),
        )
        self.original_image = W.Image(value=self.picture(self.z), format="png")
        self.readout = caption("")
        self.children = [
            W.HBox([titled("original", self.original_image), titled("changed", self.image)]),
            self.dropdown,
            self.slider,
            self.readout,
        ]
        self.dropdown.observe(self.redraw, "value")
        self.slider.observe(self.redraw, "value")
        self.redraw()

    def code(self):
        direction = self.directions[self.dropdown.value]
        return latent.add_attribute(self.z, direction, float(self.slider.value))

    def panels(self):
        return [("original", self.original_image.value), ("changed", self.image.value)]

    def lines(self):
        return [preview.Slider("strength", float(self.slider.value), -3, 3), preview.text(self.readout.value)]

    def preview_frames(self):
        """The strength swept from −3 to 3 and back."""
        return preview.boomerang(self.sweep(self.slider, torch.linspace(-3, 3, SWEEP - 2).tolist()))

    def redraw(self, change=None):
        super().redraw()
        s = float(self.slider.value)
        self.readout.value = (
            f"<div style='text-align:center'>z {'−' if s < 0 else '+'} "
            f"{abs(s):.1f} × {self.dropdown.value} direction</div>"
        )


def attribute_slider(model, z, directions):
    """Add or remove a trait with a slider: decode ``latent.add_attribute(z, direction, strength)``.

    ``z``: one code (d,) or (1, d); ``directions``: dict name -> direction (d,), e.g. from
    ``latent.attribute_vector`` ({"glasses": v1, "beard": v2}). A dropdown picks the attribute, a
    slider the strength (−3 to 3; negative removes the trait). Returns an ``AttributeSlider``
    (an ipywidgets.VBox) with ``.dropdown``, ``.slider`` and ``.image``.
    """
    return AttributeSlider(model, z, directions)
