"""Synthetic face portraits with known attributes: a stand-in for the chapter's glasses photos.

Every face is drawn from a small dictionary of traits (glasses, beard, smile, skin tone, hair...)
with Pillow, at 4x the target size and then shrunk, so edges are smooth. The same traits always
give the same pixels, and ``make_dataset`` always writes the same files for the same seed.

The traits are drawn BOLD on purpose: a VAE at 64 px blurs away thin details (1-px glasses
frames vanish), so frames are about 2.7 px wide at 64 px, beards cover the whole jaw and a smile
opens the mouth wide. Dark and light frames share what a mean of codes must keep: a dark rim and
tinted lenses (drawn without them, an average of one dark and two light pairs decoded to no glasses).
The rim is bold and the tint the same, so that subtracting a light pair from a dark
one leaves little that looks like glasses (the chapter's expression subtracts glasses from glasses).

    import random
    from dlhelpers.data import face_traits, synthetic_faces
    traits = face_traits.random_traits(random.Random(1))     # a dict, see face_traits.TRAITS
    image = synthetic_faces.render(traits, size=64)          # a 64x64 RGB PIL image

``dlhelpers.data.synthetic_set`` writes whole datasets of them (and draws sets in memory).
"""

import math

from PIL import Image, ImageDraw

from dlhelpers.data.face_traits import (
    EYE_COLOURS,
    HAIR_COLOURS,
    beard_colour,
    hue,
    shade,
    skin_colour,
)

SUPERSAMPLE = 4  # draw at 4x the size, then average each 4x4 block into one pixel


# --- The canvas: unit coordinates -----------------------------------------------------------


class _Canvas:
    """A square picture drawn in unit coordinates: (0, 0) top left, (1, 1) bottom right. The
    face's scale and shift (traits ``scale``, ``dx``, ``dy``) are applied here."""

    def __init__(self, size, traits, background):
        self.px = size * SUPERSAMPLE
        self.image = Image.new("RGB", (self.px, self.px), background)
        self.draw = ImageDraw.Draw(self.image, "RGBA")  # RGBA: fills may be see-through
        self.k = traits["scale"] * self.px  # pixels per unit
        self.x0 = (0.5 + traits["dx"]) * self.px - 0.5 * self.k  # where x=0 lands
        self.y0 = (0.5 + traits["dy"]) * self.px - 0.5 * self.k

    def xy(self, x, y):
        return (self.x0 + x * self.k, self.y0 + y * self.k)

    def box(self, cx, cy, rx, ry):
        return [*self.xy(cx - rx, cy - ry), *self.xy(cx + rx, cy + ry)]

    def width(self, w):  # a line width in whole pixels
        return max(1, round(w * self.k))

    def ellipse(self, cx, cy, rx, ry, fill=None, outline=None, width=0.0):
        """An ellipse centred on (cx, cy); an outline of ``width`` is centred on its edge."""
        half = width / 2
        self.draw.ellipse(
            self.box(cx, cy, rx + half, ry + half),
            fill=fill,
            outline=outline,
            width=self.width(width) if outline else 0,
        )

    def chord(self, cx, cy, rx, ry, start, end, fill):
        """An ellipse's part from angle ``start`` to ``end`` (degrees clockwise from 3 o'clock)."""
        self.draw.chord(self.box(cx, cy, rx, ry), start, end, fill=fill)

    def polygon(self, points, fill):
        self.draw.polygon([self.xy(x, y) for x, y in points], fill=fill)

    def line(self, points, fill, width):
        self.draw.line([self.xy(x, y) for x, y in points], fill=fill, width=self.width(width), joint="curve")

    def arc(self, cx, cy, rx, ry, start, end, fill, width):
        self.draw.arc(self.box(cx, cy, rx, ry), start, end, fill=fill, width=self.width(width))


# --- The parts of a face, back to front ------------------------------------------------------
# Head: centre (0.5, 0.47), half-width 0.21, half-height 0.27. Eyes at x = 0.5 -/+ 0.085, y = 0.47.

HEAD = (0.5, 0.47, 0.21, 0.27)
EYE_X, EYE_Y = 0.085, 0.47


def _body(c, skin, shirt):
    c.ellipse(0.5, 1.1, 0.40, 0.28, fill=shirt)  # shoulders
    c.polygon([(0.43, 0.62), (0.57, 0.62), (0.58, 0.86), (0.42, 0.86)], fill=shade(skin, 0.85))
    c.chord(0.5, 0.82, 0.08, 0.06, 0, 180, fill=shade(skin, 0.85))  # neckline


def _hair_back(c, style, hair):
    """The hair behind the head: the crown, and the long fall of long hair."""
    if style == "long":
        c.polygon([(0.27, 0.40), (0.73, 0.40), (0.76, 0.84), (0.24, 0.84)], fill=hair)
    if style in ("short", "long"):
        c.ellipse(0.5, 0.43, 0.235, 0.27, fill=hair)
    if style == "bald":  # a rim of hair above the ears
        c.ellipse(0.5, 0.49, 0.232, 0.16, fill=hair)
    if style == "curly":
        for i in range(11):  # a ring of curls around the crown
            a = math.radians(170 + i * 20)
            c.ellipse(0.5 + 0.22 * math.cos(a), 0.45 + 0.27 * math.sin(a), 0.07, 0.07, fill=hair)


def _head(c, skin):
    for side in (-1, 1):  # ears
        c.ellipse(0.5 + side * 0.205, 0.49, 0.04, 0.065, fill=shade(skin, 0.92))
    c.ellipse(*HEAD, fill=skin)


def _hair_front(c, style, hair):
    """What covers the forehead: a fringe or a row of curls (nothing when bald)."""
    if style in ("short", "long"):
        c.chord(*HEAD, 200, 340, fill=hair)
    elif style == "curly":
        for i in range(7):
            a = math.radians(205 + i * 21.5)
            c.ellipse(0.5 + 0.2 * math.cos(a), 0.42 + 0.22 * math.sin(a), 0.055, 0.055, fill=hair)


BEARD_TOP = [
    (0.69, 0.50),
    (0.64, 0.58),
    (0.58, 0.597),
    (0.55, 0.577),
    (0.5, 0.571),
    (0.45, 0.577),
    (0.42, 0.597),
    (0.36, 0.58),
    (0.31, 0.50),
]  # right to left


def _beard(c, colour):
    """Jaw, chin and moustache: the lower rim of an ellipse a little wider than the head,
    closed by a line that runs under the cheeks and nose."""
    jaw = [
        (0.5 + 0.218 * math.cos(math.radians(a)), 0.47 + 0.285 * math.sin(math.radians(a)))
        for a in range(180, -1, -10)
    ]  # left to right, under the chin
    c.polygon(jaw + BEARD_TOP, fill=colour)


def _eyes(c, hair, iris):
    for side in (-1, 1):
        x = 0.5 + side * EYE_X
        c.ellipse(x, EYE_Y, 0.045, 0.028, fill=(250, 250, 248))
        c.ellipse(x, EYE_Y, 0.024, 0.024, fill=iris)
        c.ellipse(x, EYE_Y, 0.012, 0.012, fill=(15, 12, 12))
        c.line(
            [(x - 0.05, EYE_Y - 0.058 + side * 0.004), (x + 0.05, EYE_Y - 0.058 - side * 0.004)],
            fill=hair,
            width=0.022,
        )  # eyebrow


def _nose_and_mouth(c, skin, smile):
    c.line([(0.5, 0.49), (0.49, 0.555), (0.512, 0.56)], fill=shade(skin, 0.72), width=0.014)
    if smile:  # wide open: dark mouth, teeth
        c.chord(0.5, 0.618, 0.088, 0.065, 0, 180, fill=(95, 22, 32))
        c.chord(0.5, 0.618, 0.074, 0.026, 0, 180, fill=(245, 245, 240))
    else:
        c.line([(0.465, 0.642), (0.535, 0.642)], fill=(150, 60, 65), width=0.022)


def _glasses(c, kind, thin=False, lenses=True):
    """Two big lenses, a bridge and arms to the ears; the frames are about 2.7 px wide at 64 px.

    Both kinds have the same tinted lenses with a glint. Pale frames are two-tone: a pale band
    inside a bold dark rim, so that in pixels a dark pair minus a pale pair is a thin band, not a
    whole pair of glasses (version 3's pale frames, a thin rim and a brown tint, let "men with dark
    frames - women with pale frames" decode to glasses: see ``claims.frame_balance``).
    ``thin=True`` draws harder glasses for testing what a VAE keeps: frames half as wide (about
    1.3 px at 64 px), in colours closer to skin, no rim, the faint tint of version 2's pale lenses.
    ``lenses=False`` leaves out the lenses' tint and glint: only the frames are drawn.
    """
    dark = kind == "dark"
    frame = (22, 20, 26) if dark else (236, 230, 205)  # near-black or pale gold
    edge = None if dark else (52, 46, 42)  # the dark rim of pale frames
    tint = (30, 35, 60, 110)  # see-through lens colour
    rx, ry, w = 0.072, 0.062, 0.044
    rim = 0.022  # rim width on each side
    if thin:
        frame, edge = ((80, 70, 72) if dark else (220, 205, 180)), None
        tint = tint if dark else (225, 240, 255, 60)
        w /= 2

    def bar(points):  # an arm or the bridge
        if edge:
            c.line(points, fill=edge, width=0.04)
            c.line(points, fill=frame, width=0.04 - 1.2 * rim)
        else:
            c.line(points, fill=frame, width=0.024 / (2 if thin else 1))

    for side in (-1, 1):
        x = 0.5 + side * EYE_X
        if lenses:
            c.ellipse(x, EYE_Y, rx, ry, fill=tint)
        if edge:  # rim, then the pale band on it
            c.ellipse(x, EYE_Y, rx, ry, outline=edge, width=w + 0.02)
            c.ellipse(x, EYE_Y, rx, ry, outline=frame, width=w + 0.02 - 2 * rim)
        else:
            c.ellipse(x, EYE_Y, rx, ry, outline=frame, width=w)
        if lenses and (dark or not thin):  # a glint on each lens
            c.arc(x, EYE_Y, rx * 0.62, ry * 0.62, 200, 250, fill=(255, 255, 255, 150), width=0.014)
        bar([(x + side * (rx + w / 2 - 0.01), EYE_Y - 0.01), (0.5 + side * 0.215, EYE_Y - 0.005)])
    bar([(0.5 - 0.02, EYE_Y - 0.02), (0.5 + 0.02, EYE_Y - 0.02)])


def render(traits, size=64):
    """The face described by ``traits`` (see ``TRAITS``) as an RGB PIL image of size x size, drawn
    at 4x the size and shrunk by averaging 4x4 blocks; the same traits always give the same pixels."""
    skin = skin_colour(traits["skin"])
    hair = HAIR_COLOURS[traits["hair_colour"]]
    style = traits["hair_style"]
    c = _Canvas(size, traits, background=hue(traits["background"], 0.22, 0.9))
    _body(c, skin, hue(traits["shirt"], 0.55, 0.7))
    _hair_back(c, style, hair)
    _head(c, skin)
    _hair_front(c, style, hair)
    if traits["beard"]:
        _beard(c, beard_colour(traits))
    _eyes(c, hair, EYE_COLOURS[traits["eyes"]])
    _nose_and_mouth(c, skin, traits["smile"])
    if traits["glasses"] != "none":
        _glasses(
            c, traits["glasses"], thin=traits.get("thin_frames", False), lenses=traits.get("lenses", True)
        )
    return c.image.reduce(SUPERSAMPLE)
