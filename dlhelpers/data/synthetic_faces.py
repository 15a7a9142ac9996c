"""Synthetic face portraits with known attributes: a stand-in for the chapter's glasses photos.

Every face is drawn from a small dictionary of traits (glasses, beard, smile, skin tone, hair...)
with Pillow, at 4x the target size and then shrunk, so edges are smooth. The same traits always
give the same pixels, and ``make_dataset`` always writes the same files for the same seed.

The traits are drawn BOLD on purpose: a VAE at 64 px blurs away thin details (1-px glasses
frames vanish), so frames are about 2.7 px wide at 64 px, beards cover the whole jaw and a smile
opens the mouth wide. Dark and light frames share what a mean of codes must keep: a dark rim and
tinted lenses (drawn without them, an average of one dark and two light pairs decoded to no glasses).
Since version 4 the rim is bold and the tint the same, so that subtracting a light pair from a dark
one leaves little that looks like glasses (the chapter's expression subtracts glasses from glasses).

    import random
    from dlhelpers import synthetic_faces
    traits = synthetic_faces.random_traits(random.Random(1))   # a dict, see TRAITS
    image = synthetic_faces.render(traits, size=64)            # a 64x64 RGB PIL image

``dlhelpers.synthetic_set`` writes whole datasets of them (and draws sets in memory).
"""

import colorsys
import math

from PIL import Image, ImageDraw

SUPERSAMPLE = 4  # draw at 4x the size, then average each 4x4 block into one pixel
VERSION = 4  # bump whenever the drawing changes, so old datasets get rebuilt

TRAITS = {
    "glasses": "'none', 'dark' or 'light' (about 50% / 25% / 25%): no glasses, thick near-black "
    "frames, or equally thick two-tone frames (a pale band in a bold dark rim); the "
    "same tinted lenses in both",
    "beard": "0 or 1 (about 50%): a full beard over jaw and chin, darker than the hair",
    "smile": "0 or 1 (about 50%): a wide open smile or a short closed mouth",
    "skin": "0.0 (very light) .. 1.0 (dark brown), uniform",
    "hair_style": "'short', 'long', 'curly' or 'bald' (about 40% / 30% / 20% / 10%)",
    "hair_colour": "'black', 'brown', 'auburn', 'blonde' or 'grey' (30/30/10/20/10%)",
    "eyes": "'brown', 'blue' or 'green' (iris colour, 50/33/17%)",
    "background": "0.0 .. 1.0, the hue of the pale plain background",
    "shirt": "0.0 .. 1.0, the hue of the shirt",
    "dx": "-0.04 .. 0.04, sideways shift of the whole face as a fraction of the picture side",
    "dy": "-0.04 .. 0.04, vertical shift, likewise",
    "scale": "0.92 .. 1.08, size of the face relative to the average",
}

HAIR_STYLES = ["short", "long", "curly", "bald"]
HAIR_COLOURS = {
    "black": (35, 28, 26),
    "brown": (92, 58, 34),
    "auburn": (140, 66, 36),
    "blonde": (214, 178, 105),
    "grey": (165, 162, 158),
}
BEARD_COLOURS = {
    "black": (24, 20, 19),
    "brown": (62, 38, 24),
    "auburn": (104, 44, 24),
    "blonde": (150, 108, 58),
    "grey": (110, 108, 106),
}
EYE_COLOURS = {"brown": (96, 58, 30), "blue": (60, 110, 170), "green": (70, 125, 80)}
# Light to dark brown, the darkest kept medium-dark: with (92, 58, 38) the VAE kept dark glasses on
# dark faces in about 60% of cases after 25 epochs (too little contrast), with (142, 94, 64) in all.
SKIN_TONES = [(255, 226, 200), (238, 194, 160), (214, 160, 118), (178, 120, 82), (142, 94, 64)]

COLUMNS = ["id", "file", "glasses", "frame", "beard", "smile", "skin", "hair_style", "hair_colour"]


# --- Drawing a random set of traits ----------------------------------------------------------


def _pick(rng, options, weights=None):
    """One of ``options``, using only ``rng.random()`` (works for random.Random and numpy)."""
    weights = weights or [1] * len(options)
    r = float(rng.random()) * sum(weights)
    for option, w in zip(options, weights):
        r -= w
        if r < 0:
            return option
    return options[-1]


def _uniform(rng, low, high):
    """A number in [low, high], rounded to 3 decimals so it survives a trip through a CSV file."""
    return round(low + (high - low) * float(rng.random()), 3)


def random_traits(rng):
    """A random face: a dict with the keys of ``TRAITS`` (see there for the value ranges).

    ``rng`` is a ``random.Random`` or a ``numpy.random.Generator``; the same rng state always
    gives the same traits.
    """
    return {
        "glasses": _pick(rng, ["none", "dark", "light"], [2, 1, 1]),
        "beard": _pick(rng, [0, 1]),
        "smile": _pick(rng, [0, 1]),
        "skin": _uniform(rng, 0, 1),
        "hair_style": _pick(rng, HAIR_STYLES, [4, 3, 2, 1]),
        "hair_colour": _pick(rng, list(HAIR_COLOURS), [3, 3, 1, 2, 1]),
        "eyes": _pick(rng, list(EYE_COLOURS), [3, 2, 1]),
        "background": _uniform(rng, 0, 1),
        "shirt": _uniform(rng, 0, 1),
        "dx": _uniform(rng, -0.04, 0.04),
        "dy": _uniform(rng, -0.04, 0.04),
        "scale": _uniform(rng, 0.92, 1.08),
    }


# --- Colours ---------------------------------------------------------------------------------


def _mix(a, b, t):  # the colour a fraction t (0..1) of the way from colour a to colour b
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def _shade(colour, factor):  # each channel multiplied by factor (below 1 darkens)
    return tuple(min(255, round(c * factor)) for c in colour)


def _brightness(colour):  # perceived brightness of an RGB colour, 0..255
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def _hue(h, saturation, value):  # RGB (0..255) from a hue, saturation and value in 0..1
    return tuple(round(255 * c) for c in colorsys.hsv_to_rgb(h, saturation, value))


def skin_colour(skin):
    """The RGB colour for a skin tone from 0.0 (very light) to 1.0 (dark brown)."""
    position = min(max(skin, 0.0), 1.0) * (len(SKIN_TONES) - 1)
    i = min(int(position), len(SKIN_TONES) - 2)
    return _mix(SKIN_TONES[i], SKIN_TONES[i + 1], position - i)


def beard_colour(traits):
    """A darker shade of the hair colour, always clearly darker than the skin."""
    skin = skin_colour(traits["skin"])
    colour = BEARD_COLOURS[traits["hair_colour"]]
    while _brightness(colour) > 0.6 * _brightness(skin):
        colour = _shade(colour, 0.8)
    return colour


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
    c.polygon([(0.43, 0.62), (0.57, 0.62), (0.58, 0.86), (0.42, 0.86)], fill=_shade(skin, 0.85))
    c.chord(0.5, 0.82, 0.08, 0.06, 0, 180, fill=_shade(skin, 0.85))  # neckline


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
        c.ellipse(0.5 + side * 0.205, 0.49, 0.04, 0.065, fill=_shade(skin, 0.92))
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
    c.line([(0.5, 0.49), (0.49, 0.555), (0.512, 0.56)], fill=_shade(skin, 0.72), width=0.014)
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
    c = _Canvas(size, traits, background=_hue(traits["background"], 0.22, 0.9))
    _body(c, skin, _hue(traits["shirt"], 0.55, 0.7))
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
