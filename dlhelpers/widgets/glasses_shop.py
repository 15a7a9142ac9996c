"""The glasses shop of the chapter's opening: the glasses direction, and figure 7.2's frames.

    shop = glasses_shop.glasses_shop(model, faces, judge)
    shop                               # a face, a strength slider, the judge's probability below
    glasses_shop.show_frame_strip(shop)  # figure 7.2 as a still, with the judge's verdict

The glasses direction is the mean code of the faces with glasses minus that of the faces without
(``latent.attribute_vector``, from the labels). On the synthetic faces, which know their frame
colour, a second slider picks the frame between the dark-frame and the light-frame directions
(figure 7.2 as a slider): the direction added is ``core.blend(light − none, dark − none, t)``.
Figure 7.1 itself, women wearing a man's glasses by encoding arithmetic, is ``arithmetic_shop``.
Codes are (1, d); faces a ``FaceSet`` (images uint8 (N, 3, S, S), 0..255).
"""

import ipywidgets as W
import torch

from dlhelpers import plot
from dlhelpers.chapter import core, latent
from dlhelpers.measure import verdicts
from dlhelpers.widgets import preview
from dlhelpers.widgets.explorer import MAX_CODES, encode_some, face_names, judge_scores
from dlhelpers.widgets.gifs import GifButton
from dlhelpers.widgets.live import LiveImage, caption, one_thread, ready, titled

MODES = ("put glasses on", "take glasses off")


def directions(codes, faces):
    """The shop's directions from codes (n, d) of the first n faces: {"glasses": (d,)} and, when
    the faces carry frame colours, "dark" and "light" (mean code with that frame − mean without
    glasses)."""
    n = len(codes)
    has = faces.glasses[:n] == 1
    if has.all() or not has.any():
        raise ValueError(
            f"the first {n} faces are all {'with' if has.all() else 'without'} "
            "glasses: the shop needs both to find the glasses direction."
        )
    found = {"glasses": latent.attribute_vector(codes[has], codes[~has])}
    frame = (faces.attributes or {}).get("frame")
    if frame is not None:
        for colour in ("dark", "light"):
            pick = torch.tensor([f == colour for f in frame[:n]])
            if pick.any():
                found[colour] = codes[pick].mean(0) - codes[~has].mean(0)
    return found


class GlassesShop(LiveImage):
    """A face with or without glasses, changed by ``strength`` along the glasses direction.

    Attributes: ``mode`` (ToggleButtons: put on / take off), ``chooser`` (Dropdown of faces
    without glasses, or with them when taking off), ``strength`` (0..3), ``frame`` (0 = dark,
    1 = light; None without frame labels), ``image``, ``original_image``, ``readout`` (the judge's
    glasses probability, live), ``directions``.
    """

    def __init__(self, model, faces, judge, codes=None, choices=30, names=None):
        super().__init__(ready(model))
        self.faces, self.judge = faces, judge
        self.codes = codes if codes is not None else encode_some(model, faces.images)
        self.directions = directions(self.codes, faces)
        n = len(self.codes)
        self.pools = {
            MODES[0]: (faces.glasses[:n] == 0).nonzero().flatten()[:choices].tolist(),
            MODES[1]: (faces.glasses[:n] == 1).nonzero().flatten()[:choices].tolist(),
        }
        self.names = names or {i: f"face {faces.ids[i]}" for i in range(n)}
        self.mode = W.ToggleButtons(options=list(MODES), value=MODES[0])
        self.chooser = W.Dropdown(description="face", layout=W.Layout(width="auto"))
        self.strength = W.FloatSlider(
            value=1.0,
            min=0,
            max=3,
            step=0.1,
            description="strength",
            readout_format=".1f",
            continuous_update=True,
        )
        self.frame = None
        controls = [self.strength]
        if {"dark", "light"} <= set(self.directions):
            self.frame = W.FloatSlider(
                value=0.0,
                min=0,
                max=1,
                step=0.05,
                description="frame: dark",
                readout=False,
                continuous_update=True,
                style={"description_width": "initial"},
            )
            controls.append(W.HBox([self.frame, W.HTML("light")], layout=W.Layout(align_items="center")))
        self.original_image = W.Image(format="png")
        self.readout = caption("")

        self.gif = GifButton(self, "glasses_shop")
        self.children = [
            self.mode,
            self.chooser,
            W.HBox([titled("the customer", self.original_image), titled("in the shop", self.image)]),
            self.readout,
            *controls,
            self.gif,
        ]
        self._fill_chooser()
        self.mode.observe(self._mode_changed, "value")
        self.chooser.observe(self._face_changed, "value")
        for control in (self.strength, self.frame):
            if control is not None:
                control.observe(self.redraw, "value")
        self._face_changed()

    def _fill_chooser(self):
        pool = self.pools[self.mode.value]
        if not pool:
            raise ValueError(f"no face to {self.mode.value} among the first {len(self.codes)}")
        self._holding = True
        self.chooser.options = [(self.names[i], i) for i in pool]
        self.chooser.value = pool[0]
        self._holding = False

    def _mode_changed(self, change):
        self._fill_chooser()
        self._face_changed()

    def _face_changed(self, change=None):
        if getattr(self, "_holding", False):
            return
        self.original_image.value = self.picture(self.face_code())
        self.redraw()

    def face_code(self):
        """The chosen face's code (1, d)."""
        return self.codes[self.chooser.value].view(1, -1)

    def direction(self):
        """The direction added (d,): glasses, or with frame labels the frame-coloured glasses;
        its opposite when taking glasses off."""
        if self.mode.value == MODES[1]:
            return -self.directions["glasses"]
        if self.frame is None:
            return self.directions["glasses"]
        return core.blend(self.directions["light"], self.directions["dark"], float(self.frame.value))

    def code(self, strength=None):
        s = float(self.strength.value if strength is None else strength)
        return latent.add_attribute(self.face_code(), self.direction().view(1, -1), s)

    def redraw(self, change=None):
        with one_thread():
            image = latent.decode(self.model, self.code())
            scores = judge_scores(self.judge, image)
            self.image.value = self.png(image)
        parts = (
            [f"glasses probability <b>{float(scores['glasses'][0]):.2f}</b>"] if "glasses" in scores else []
        )
        if "dark_frame" in scores and self.frame is not None:
            parts.append(f"dark frame {float(scores['dark_frame'][0]):.2f}")
        self.readout.value = f"<div style='text-align:center'>{' · '.join(parts)}</div>"
        self.redraws += 1

    def panels(self):
        return [("the customer", self.original_image.value), ("in the shop", self.image.value)]

    def lines(self):
        sliders = [preview.Slider("strength", float(self.strength.value), 0, 3)]
        if self.frame is not None:
            sliders.append(preview.Slider("frame (0 dark, 1 light)", float(self.frame.value), 0, 1))
        return [f"{self.mode.value}: {self.chooser.label}", *sliders, preview.text(self.readout.value)]

    def preview_frames(self):
        """The strength swept from 1 up to 3, down to 0 and back to 1; then, with frame labels,
        the frame from dark to light and back."""
        shots = self.sweep(self.strength, [1, 1.5, 2, 2.5, 3, 2.5, 2, 1.5, 1, 0.5, 0, 0.5])
        if self.frame is not None:
            shots += self.sweep(self.frame, [0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25])
        return shots

    def gif_codes(self, steps=13):
        """The chosen face from strength 0 to the slider's maximum (steps, d), for a GIF."""
        return torch.cat([self.code(s) for s in torch.linspace(0, self.strength.max, steps)])


def glasses_shop(model, faces, judge, n=MAX_CODES, choices=30):
    """The glasses direction on a ``FaceSet``: pick a face without glasses, add the
    glasses direction with a strength slider (0..3) and read the ``judge``'s glasses probability
    under the image; "take glasses off" does the opposite on faces with glasses. With frame
    labels (the synthetic faces), a frame slider goes from dark to light frames (figure 7.2).
    The first ``n`` faces are encoded. Returns a ``GlassesShop`` (an ipywidgets.VBox)."""

    names = dict(enumerate(face_names(faces, n)))
    return GlassesShop(model, faces, judge, encode_some(model, faces.images, n), choices, names)


# --- Figure 7.2 as a still: the frame slider from dark to light ------------------------------


def frame_strip(shop, steps=6):
    """The shop's face with glasses (at its strength) whose frame goes from dark (w = 0) to light
    (w = 1) in ``steps``: (images (steps, C, H, W) in [0, 1], the judge's scores {trait: (steps,)}).
    ValueError when the faces carry no frame colours (the photos)."""
    if shop.frame is None:
        raise ValueError("these faces carry no frame-colour labels (the photos): no dark-to-light strip")
    light, dark = shop.directions["light"], shop.directions["dark"]
    strength = float(shop.strength.value)
    codes = torch.cat(
        [
            latent.add_attribute(shop.face_code(), core.blend(light, dark, float(t)).view(1, -1), strength)
            for t in torch.linspace(0, 1, steps)
        ]
    )
    with one_thread():
        images = latent.decode(shop.model, codes)
    return images, judge_scores(shop.judge, images)


def show_frame_strip(shop, steps=6, save=None):
    """Draw ``frame_strip`` as one labelled row (``plot.show_rows``) and print the verdicts notebook
    04 prints under figure 7.2 (``verdicts.fade_verdict`` on the dark frame, ``verdicts.dip_verdict``
    on the glasses); on faces without frame colours print why there is no strip."""
    try:
        images, scores = frame_strip(shop, steps)
    except ValueError as e:
        print(f"· {e}")
        return
    label = f"w = 0 (dark) … 1 (light), {steps} steps"
    plot.show_rows([(label, images)], title="figure 7.2: the frame slider, dark to light", save=save)
    if "dark_frame" not in scores:
        print("· no judge of frame colour: look at the strip")
        return
    weights = torch.linspace(0, 1, steps).tolist()
    print(verdicts.fade_verdict(scores["dark_frame"], weights, trait="dark_frame"))
    print(verdicts.dip_verdict(scores["glasses"], weights))
