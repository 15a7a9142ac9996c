"""The traits of the drawn faces: what each face wears (glasses and their frame, beard, smile,
skin, hair, colours), drawn at random, and the colours they are painted in (``synthetic_faces``
paints them).

    traits = face_traits.random_traits(random.Random(1))   # a dict with the keys of TRAITS
"""

import colorsys

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
# Light to dark brown, the darkest medium-dark so that dark frames stand out (docs/recipes.md)
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


def mix(a, b, t):  # the colour a fraction t (0..1) of the way from colour a to colour b
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def shade(colour, factor):  # each channel multiplied by factor (below 1 darkens)
    return tuple(min(255, round(c * factor)) for c in colour)


def brightness(colour):  # perceived brightness of an RGB colour, 0..255
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def hue(h, saturation, value):  # RGB (0..255) from a hue, saturation and value in 0..1
    return tuple(round(255 * c) for c in colorsys.hsv_to_rgb(h, saturation, value))


def skin_colour(skin):
    """The RGB colour for a skin tone from 0.0 (very light) to 1.0 (dark brown)."""
    position = min(max(skin, 0.0), 1.0) * (len(SKIN_TONES) - 1)
    i = min(int(position), len(SKIN_TONES) - 2)
    return mix(SKIN_TONES[i], SKIN_TONES[i + 1], position - i)


def beard_colour(traits):
    """A darker shade of the hair colour, always clearly darker than the skin."""
    skin = skin_colour(traits["skin"])
    colour = BEARD_COLOURS[traits["hair_colour"]]
    while brightness(colour) > 0.6 * brightness(skin):
        colour = shade(colour, 0.8)
    return colour
