"""Decoding and resizing face images safely and fast, for ``face_folder.load`` (``decode_all``).

What it guards against: 16-bit and transparent images (scaled and composited, not clipped),
images too large to decode (``MAX_MEGAPIXELS``), and files that are not images (skipped with a
reason). What makes it fast: torchvision's libpng decoder for plain 8-bit RGB PNGs (the Kaggle
photos), a JPEG's reduced-scale ``draft``, and a few decoding threads. Images leave this module
as uint8 tensors (3, size, size), values 0..255.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
import torchvision.transforms.v2.functional as TF
from PIL import Image
from torchvision.transforms.functional import pil_to_tensor
from tqdm.auto import tqdm

MAX_MEGAPIXELS = 40  # larger images (after a JPEG's draft shrink) are skipped, not decoded


def square_resized(img, size):
    """A PIL image -> uint8 tensor (3, size, size), values 0..255.

    Any mode becomes RGB first (``as_rgb``: 16-bit grayscale scaled to 8 bits, transparency
    composited on white); then ``resized``.
    """

    return resized(pil_to_tensor(as_rgb(img)), size)


def resized(x, size):
    """uint8 (3, H, W) -> uint8 (3, size, size): center-cropped to a square, then resized.

    torch's bicubic filter with antialiasing, close to PIL's Lanczos (mean difference 0.16 of 255
    at 1024 -> 256 px); one resizing for both decoders, so they give the same pixels.
    """

    side = min(x.shape[-2:])
    x = TF.center_crop(x, [side, side])
    if side != size:
        x = TF.resize(x, [size, size], interpolation=TF.InterpolationMode.BICUBIC, antialias=True)
    return x


def as_rgb(img):
    """A PIL image of any mode -> an 8-bit RGB image.

    16-bit grayscale (modes I;16 and I, 0..65535) is scaled to 0..255 (PIL's own conversion would
    clip it, and a mid-grey would come out white); transparent pixels (RGBA, LA, palette or
    grayscale with a transparent colour) are composited on a white background.
    """

    if img.mode.startswith("I"):
        grey = np.asarray(img).astype(np.float32) * (255 / 65535)
        return Image.fromarray(grey.round().clip(0, 255).astype(np.uint8), "L").convert("RGB")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, img.convert("RGBA")).convert("RGB")
    return img.convert("RGB")


def _decode(path, size):
    """One image file -> uint8 tensor (3, size, size), values 0..255 (see ``resized``).

    PIL reads the header first. An 8-bit RGB PNG without transparency (the Kaggle photos) is then
    decoded by torchvision's libpng decoder, the fastest here; every other image by PIL
    (``square_resized``), a JPEG at a reduced scale (``draft``) when it is far larger than ``size``.
    An image above ``MAX_MEGAPIXELS`` is refused with ValueError before it is decoded (a 100-MP
    PNG would take over a gigabyte and seconds), so ``load`` skips it like other bad files.
    """

    try:
        from torchvision.io import ImageReadMode, decode_image, read_file
    except ImportError:  # torchvision 0.29 deprecated its decoders: PIL does it all then
        decode_image = None
    with Image.open(path) as img:
        w, h = img.size
        if w * h > MAX_MEGAPIXELS * 1e6:
            raise ValueError(
                f"{w}x{h} pixels is above the limit of {MAX_MEGAPIXELS} megapixels "
                f"(decode.MAX_MEGAPIXELS); shrink the image first"
            )
        plain_png = img.format == "PNG" and img.mode == "RGB" and "transparency" not in img.info
        if not plain_png or decode_image is None:
            if img.format == "JPEG":
                img.draft("RGB", (2 * size, 2 * size))
            img.load()
            return square_resized(img, size)
    x = decode_image(read_file(str(path)), mode=ImageReadMode.RGB)
    if x.dtype != torch.uint8:  # a 16-bit PNG: 0..65535 -> 0..255
        x = (x.double() * (255 / 65535)).round().to(torch.uint8)
    return resized(x, size)


def _try_decode(path, size):
    """``(tensor, None)``, or ``(None, reason)`` when the file is not a readable image."""
    try:
        return _decode(path, size), None
    except Exception as e:  # noqa: BLE001  PIL and torchvision raise many kinds on a bad file
        return None, f"{type(e).__name__}: {e}"


def decode_all(folder, rels, size, progress=True):
    """Decode and resize every image once, on a few threads (PIL releases the GIL).

    Returns ``(images, kept, bad)``: uint8 tensor (len(kept), 3, size, size), values 0..255, the
    relative paths that decoded, and ``[[path, reason]]`` for those that did not.
    """

    images = torch.empty(len(rels), 3, size, size, dtype=torch.uint8)
    ok = torch.zeros(len(rels), dtype=torch.bool)

    def decode_into(i):  # each worker writes its own row: the main thread stays idle
        image, reason = _try_decode(folder / rels[i], size)
        if image is not None:
            images[i] = image
            ok[i] = True
        return reason

    bad = []
    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        reasons = pool.map(decode_into, range(len(rels)))
        for i, reason in enumerate(
            tqdm(
                reasons, total=len(rels), unit="img", desc=f"Decoding faces at {size}px", disable=not progress
            )
        ):
            if reason is not None:
                bad.append([rels[i], reason])
    kept = [rel for rel, good in zip(rels, ok.tolist()) if good]
    return (images if bool(ok.all()) else images[ok]), kept, bad
