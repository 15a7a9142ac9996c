"""Pictures of the widgets for readers without a kernel: one frame, or an animated PNG of a sweep.

A widget is live only while its kernel runs; a notebook read on GitHub, in nbviewer or as HTML
shows the picture its display carried instead (``live.Previewed``). The frames are drawn from the
widget's own images and captions, so the picture is what the widget showed:

    compose(panels, lines, side)    one frame: captioned panels in a row, text and sliders under it
    gallery(picker)                 a gallery picker's thumbnails, each label on its group's colour
    animation(frames, ms)           frames -> PNG bytes: an animated PNG (APNG) when there are several

Panels are (caption, image) or (caption, image, colour); images are PNG bytes or PIL images.
Lines are str, ``Slider`` (a drawn slider at its value) or ``Chips`` (coloured labels).
Faces are shrunk to about ``TILE`` px, a whole number of times their size (crisp pixels).
"""

import html
import io
import re
from pathlib import Path
from typing import NamedTuple

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

TILE = 128  # about this many pixels per face in a preview (144 for 72-px faces, 140 for digits)
GALLERY_TILE = 108  # ... and per thumbnail of a gallery (at least 100 px: 144 for 72-px faces)
FONT_PX, LINE_PX, GAP = 13, 19, 8
INK, GREY, PAPER = (30, 30, 30), (150, 150, 150), (255, 255, 255)
CLEAR = 255  # the palette index left transparent in an animation's frames


class Slider(NamedTuple):
    """A slider drawn at ``value`` on a track from ``lo`` to ``hi``, "label = value" above it."""

    label: str
    value: float
    lo: float
    hi: float


class Chips(NamedTuple):
    """A line of labels, each on its colour: [(text, "#rrggbb" or None), ...]."""

    items: list


def font(px=FONT_PX):
    """Matplotlib's DejaVu Sans (it has −, ·, ✓ and ✗), or PIL's own font."""
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(path), px) if path.exists() else ImageFont.load_default(px)


def text(markup):
    """The text of an HTML snippet (a widget's caption or readout): tags dropped, entities read."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup or "")).split())


def picture(image):
    """PNG bytes or a PIL image -> a PIL RGB image."""
    if isinstance(image, (bytes, bytearray, memoryview)):  # a W.Image's value is a memoryview
        image = Image.open(io.BytesIO(image))
    return image.convert("RGB")


def shrink(image, side, was, tile=TILE):
    """A picture of ``side``-px images (a face, or a strip of them) enlarged ``was`` times ->
    enlarged the whole number of times that comes nearest ``tile`` px per image (at least once),
    when that is smaller; nearest-neighbour, so pixels stay crisp squares."""
    image = picture(image)
    times = max(1, round(tile / side))
    if times >= was:
        return image
    return image.resize((image.width * times // was, image.height * times // was), Image.NEAREST)


def wrapped(line, width, face):
    """``line`` broken into lines no wider than ``width`` pixels (at word boundaries)."""
    rows = []
    for word in line.split():
        if rows and face.getlength(f"{rows[-1]} {word}") <= width:
            rows[-1] += f" {word}"
        else:
            rows.append(word)
    return rows or [""]


def line_height(line, width, face):
    """Pixels one line (str, ``Slider`` or ``Chips``) takes in a frame ``width`` px wide."""
    if isinstance(line, Slider):
        return LINE_PX + 14
    if isinstance(line, Chips):
        return LINE_PX + 4
    return LINE_PX * len(wrapped(line, width, face))


def draw_line(draw, line, top, width, face):
    """Draw one line (str, ``Slider`` or ``Chips``) centred at height ``top``."""
    if isinstance(line, Slider):
        draw.text((width / 2, top), f"{line.label} = {line.value:.2f}", fill=INK, font=face, anchor="ma")
        half, y = min(120, width / 2 - 20), top + 24  # a track up to 240 px wide, centred
        left, right = width / 2 - half, width / 2 + half
        at = left + (right - left) * (line.value - line.lo) / ((line.hi - line.lo) or 1)
        draw.line((left, y, right, y), fill=GREY, width=3)
        draw.ellipse((at - 6, y - 6, at + 6, y + 6), fill=(33, 150, 243), outline=INK)
    elif isinstance(line, Chips):
        widths = [face.getlength(t) + 10 for t, _ in line.items]
        x = (width - sum(widths) - 6 * (len(widths) - 1)) / 2
        for (t, colour), w in zip(line.items, widths):
            draw.rectangle((x, top + 1, x + w, top + LINE_PX + 1), fill=colour or PAPER)
            draw.text((x + 5, top + 3), t, fill=INK, font=face)
            x += w + 6
    else:
        for k, row in enumerate(wrapped(line, width - 2 * GAP, face)):
            draw.text((width / 2, top + k * LINE_PX), row, fill=INK, font=face, anchor="ma")


def compose(panels, lines=(), side=None, was=1, tile=TILE, columns=None, below=False, min_width=320):
    """One frame: ``panels`` (caption, image[, colour]) in rows of ``columns`` (all in one row by
    default), each image shrunk to about ``tile`` px per face when given its ``side`` and the
    times it ``was`` enlarged (``shrink``), each caption above it (``below``: under it, on its
    colour); then ``lines``, centred. Returns a PIL RGB image on white."""
    face = font()
    cells = []
    for caption, image, *colour in panels:
        image = shrink(image, side, was, tile) if side else picture(image)
        width = max(image.width, int(face.getlength(caption)) + 6)
        cells.append((caption, image, colour[0] if colour else None, width))
    columns = columns or max(1, len(cells))
    rows = [cells[k : k + columns] for k in range(0, len(cells), columns)]
    widths = [sum(c[3] for c in row) + GAP * (len(row) + 1) for row in rows]
    if not cells:  # lines only (a caption): as wide as they need
        widths = [int(face.getlength(ln)) + 2 * GAP for ln in lines if isinstance(ln, str)]
    width = max([min_width, *widths])
    heights = [max(c[1].height for c in row) + LINE_PX + 4 for row in rows]
    height = GAP + sum(h + GAP for h in heights) + sum(line_height(ln, width, face) for ln in lines) + GAP
    frame = Image.new("RGB", (width, height), PAPER)
    draw, top = ImageDraw.Draw(frame), GAP
    for row, row_width, row_height in zip(rows, widths, heights):
        x = (width - row_width) // 2 + GAP
        for caption, image, colour, cell in row:
            image_top = top if below else top + LINE_PX + 4
            text_top = top + image.height + 2 if below else top
            if colour:
                draw.rectangle((x, text_top, x + cell - 1, text_top + LINE_PX), fill=colour)
            frame.paste(image, (x + (cell - image.width) // 2, image_top))
            draw.text((x + cell / 2, text_top + 2), caption, fill=INK, font=face, anchor="ma")
            x += cell + GAP
        top += row_height + GAP
    for line in lines:
        draw_line(draw, line, top, width, face)
        top += line_height(line, width, face)
    return frame


def stack(frames):
    """PIL images one under the other, centred, on white."""
    width = max(f.width for f in frames)
    out = Image.new("RGB", (width, sum(f.height for f in frames)), PAPER)
    top = 0
    for f in frames:
        out.paste(f, ((width - f.width) // 2, top))
        top += f.height
    return out


def gallery(picker, tile=GALLERY_TILE):
    """A ``GalleryPicker`` as it shows: its thumbnails (about ``tile`` px each), each over its
    label on its group's colour when picked, at most 10 a row, and the groups' counts below."""
    panels = [
        (str(picker.ids[b.index]), thumb.value, picker.colours.get(picker.owner.get(b.index)))
        for b, thumb in zip(picker.buttons, picker.thumbs)
    ]
    counts = [
        (
            f"{name}: {len(idx)}/{picker.needs[name]} {'✓' if len(idx) >= picker.needs[name] else '…'}",
            picker.colours[name],
        )
        for name, idx in picker.picks.items()
    ]
    columns = min(10, picker.columns)
    return compose(panels, [Chips(counts)], picker.side, picker.scale, tile, columns, below=True)


def boomerang(frames):
    """Frames played forward then back, so the loop has no jump: [a, b, c] -> [a, b, c, b]."""
    return list(frames) + list(frames)[-2:0:-1]


def animation(frames, ms=250, hold=1000):
    """PIL frames -> PNG bytes: one still PNG for one frame, else an animated PNG (APNG: browsers
    play it; a reader that cannot shows the first frame) looping forever, ``ms`` per frame and
    ``hold`` ms on the first. Frames of different sizes are padded (white) to the largest. All
    share one palette of 255 colours; the last index is transparent, and each frame after the
    first paints only what changed over the one before (the rest transparent, so the file stays
    small: a sweep changes one face and a few words)."""
    width, height = max(f.width for f in frames), max(f.height for f in frames)
    padded = [Image.new("RGB", (width, height), PAPER) for _ in frames]
    for canvas, f in zip(padded, frames):
        canvas.paste(f, ((width - f.width) // 2, 0))
    sample = stack(padded[:: max(1, len(padded) // 8)])  # the palette from up to 8 frames
    palette = sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    shots = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in padded]
    out = io.BytesIO()
    if len(shots) == 1:
        shots[0].save(out, format="png", optimize=True)
        return out.getvalue()
    colours = (shots[0].getpalette() + [0] * 768)[:768]  # 256 entries: CLEAR is one
    indices = [np.asarray(shot) for shot in shots]  # palette indices (H, W)
    changes = [Image.fromarray(indices[0], "P")]
    for before, now in zip(indices, indices[1:]):
        changes.append(Image.fromarray(np.where(now == before, CLEAR, now).astype(np.uint8), "P"))
    for change in changes:
        change.putpalette(colours)
    durations = [hold] + [ms] * (len(shots) - 1)
    changes[0].save(
        out,
        format="png",
        save_all=True,
        append_images=changes[1:],
        duration=durations,
        loop=0,
        transparency=CLEAR,
        blend=1,  # APNG_BLEND_OP_OVER: a transparent pixel keeps what the frame before painted
        optimize=True,
    )
    return out.getvalue()
