"""Loading a folder of faces in the chapter's layout, decoded and resized once, then cached.

    <folder>/G/face-<id>.png      faces with glasses
    <folder>/NoG/face-<id>.png    faces without glasses
    <folder>/attributes.csv       optional; the synthetic set has one (id, file, glasses, ...)

The real photos (after ``python -m dlhelpers organise``) and the synthetic faces share this layout,
so ``load`` serves both. Images leave this module as uint8 tensors, 0..255.
"""
import csv
import hashlib
import os
import re
import stat
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import torch

from . import checkpoints

CLASSES = (("G", 1), ("NoG", 0))          # sub-folder name, glasses label
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
LAYOUT = "<folder>/G/*.png (faces with glasses) and <folder>/NoG/*.png (faces without)"
HOW_TO_GET = ("See the README section \"The real glasses data\": download the Kaggle set, then run "
              "`python -m dlhelpers organise <download folder>`. Or call data.face_set() with no "
              "folder to use the synthetic faces.")
CACHE_VERSION = 3                          # bump when the cached format or the resizing changes
_FACE_NAME = re.compile(r"^face-(\d+)$")


def face_id(name):
    """The number in ``face-<id>.<ext>``, or None for any other name."""
    m = _FACE_NAME.match(Path(name).stem)
    return int(m.group(1)) if m else None



@dataclass
class FaceSet:
    """Face images with glasses labels, in the order of their ids.

    images:     uint8 tensor (N, 3, size, size), values 0..255 (``to_float`` makes [0, 1])
    glasses:    int64 tensor (N,), 1 = glasses (folder G), 0 = none (folder NoG)
    ids:        list of N ints, the number in ``face-<id>.png`` (or 0..N-1 for other names)
    files:      list of N paths relative to the folder, e.g. ``"G/face-12.png"``
    attributes: None, or (when the folder has attributes.csv) a dict column name -> N values
                aligned with ``images``: int64/float32 tensors for numeric columns, else lists
    folder:     the folder the images came from
    """
    images: torch.Tensor
    glasses: torch.Tensor
    ids: list
    files: list
    attributes: Optional[dict] = None
    folder: Optional[Path] = None

    def __len__(self):
        return len(self.files)

    def subset(self, indices):
        """The faces at ``indices`` (a list or an int tensor), as a new ``FaceSet``."""
        idx = torch.as_tensor(indices, dtype=torch.int64)
        at = idx.tolist()
        attributes = None if self.attributes is None else {
            k: (v[idx] if isinstance(v, torch.Tensor) else [v[i] for i in at])
            for k, v in self.attributes.items()}
        return FaceSet(self.images[idx], self.glasses[idx], [self.ids[i] for i in at],
                       [self.files[i] for i in at], attributes, self.folder)

    def __repr__(self):
        n_g = int(self.glasses.sum())
        return (f"FaceSet({len(self)} images {tuple(self.images.shape[1:])} uint8: {n_g} with "
                f"glasses, {len(self) - n_g} without; from {self.folder})")


def _natural_key(name):
    """Sort key that puts face-2 before face-10."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", name)]


def _list_images(folder):
    """Sorted ``[(relative posix path, os.stat_result)]`` of the images in G/ and NoG/.

    Raises FileNotFoundError for a missing folder (saying how to get the data) and ValueError
    when a class folder is missing or empty.
    """
    if not folder.exists():
        raise FileNotFoundError(f"The faces folder {folder} does not exist. {HOW_TO_GET}")
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file; expected a folder laid out as {LAYOUT}.")
    found = []
    for name, _ in CLASSES:
        sub = folder / name
        entries = [e for e in os.scandir(sub) if not e.name.startswith(".")
                   and Path(e.name).suffix.lower() in IMAGE_SUFFIXES] if sub.is_dir() else []
        stats = [(f"{name}/{e.name}", _stat(e)) for e in entries]
        stats = [(rel, st) for rel, st in stats if st is not None]
        if not stats:
            what = "is empty" if sub.is_dir() else "does not exist"
            raise ValueError(f"{sub} {what}: no images of class {name}. The faces folder "
                             f"{folder} must be laid out as {LAYOUT}, with images in both.")
        found += stats
    found.sort(key=lambda item: (_natural_key(Path(item[0]).name), item[0]))
    return found


def _stat(entry):
    """The ``os.stat_result`` of a regular file (following links), else None; a file that cannot be
    read (a symlink loop, a broken link, no permission) is skipped with a warning."""
    try:
        st = entry.stat()
    except OSError as e:
        warnings.warn(f"Skipped {entry.path}: it cannot be read ({e.strerror or e}).")
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _warn_duplicate_ids(folder, listing):
    """Warn when the same ``face-<id>`` is in both G/ and NoG/ (it would load with both labels)."""
    ids = {name: {face_id(rel) for rel, _ in listing if rel.startswith(name + "/")} - {None}
           for name, _ in CLASSES}
    both = sorted(ids["G"] & ids["NoG"])
    if both:
        shown = ", ".join(f"face-{i}" for i in both[:5]) + (" ..." if len(both) > 5 else "")
        warnings.warn(f"{len(both)} id(s) are in both G/ and NoG/ of {folder} ({shown}): each loads "
                      f"twice, with opposite labels. Delete the wrong copies (the organiser "
                      f"`python -m dlhelpers organise` does).")


def _cache_key(listing, size):
    """Short hash of the image list (path, byte size, mtime) and the output size."""
    h = hashlib.sha1(f"v{CACHE_VERSION}|{size}".encode())
    for rel, st in listing:
        h.update(f"|{rel}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def square_resized(img, size):
    """A PIL image -> uint8 tensor (3, size, size), values 0..255.

    Any mode becomes RGB first (``as_rgb``: 16-bit grayscale scaled to 8 bits, transparency
    composited on white); then ``resized``.
    """
    from torchvision.transforms.functional import pil_to_tensor
    return resized(pil_to_tensor(as_rgb(img)), size)


def resized(x, size):
    """uint8 (3, H, W) -> uint8 (3, size, size): center-cropped to a square, then resized.

    torch's bicubic filter with antialiasing, close to PIL's Lanczos (mean difference 0.16 of 255
    at 1024 -> 256 px); one resizing for both decoders, so they give the same pixels.
    """
    import torchvision.transforms.v2.functional as TF
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
    import numpy as np
    from PIL import Image
    if img.mode.startswith("I"):
        grey = np.asarray(img).astype(np.float32) * (255 / 65535)
        return Image.fromarray(grey.round().clip(0, 255).astype(np.uint8), "L").convert("RGB")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, img.convert("RGBA")).convert("RGB")
    return img.convert("RGB")


MAX_MEGAPIXELS = 40      # larger images (after a JPEG's draft shrink) are skipped, not decoded


def _decode(path, size):
    """One image file -> uint8 tensor (3, size, size), values 0..255 (see ``resized``).

    PIL reads the header first. An 8-bit RGB PNG without transparency (the Kaggle photos) is then
    decoded by torchvision's libpng decoder, the fastest here; every other image by PIL
    (``square_resized``), a JPEG at a reduced scale (``draft``) when it is far larger than ``size``.
    An image above ``MAX_MEGAPIXELS`` is refused with ValueError before it is decoded (a 100-MP
    PNG would take over a gigabyte and seconds), so ``load`` skips it like other bad files.
    """
    from PIL import Image
    try:
        from torchvision.io import ImageReadMode, decode_image, read_file
    except ImportError:          # torchvision 0.29 deprecated its decoders: PIL does it all then
        decode_image = None
    with Image.open(path) as img:
        w, h = img.size
        if w * h > MAX_MEGAPIXELS * 1e6:
            raise ValueError(f"{w}x{h} pixels is above the limit of {MAX_MEGAPIXELS} megapixels "
                             f"(face_folder.MAX_MEGAPIXELS); shrink the image first")
        plain_png = img.format == "PNG" and img.mode == "RGB" and "transparency" not in img.info
        if not plain_png or decode_image is None:
            if img.format == "JPEG":
                img.draft("RGB", (2 * size, 2 * size))
            img.load()
            return square_resized(img, size)
    x = decode_image(read_file(str(path)), mode=ImageReadMode.RGB)
    if x.dtype != torch.uint8:                     # a 16-bit PNG: 0..65535 -> 0..255
        x = (x.double() * (255 / 65535)).round().to(torch.uint8)
    return resized(x, size)


def _try_decode(path, size):
    """``(tensor, None)``, or ``(None, reason)`` when the file is not a readable image."""
    try:
        return _decode(path, size), None
    except Exception as e:              # truncated file, not an image, decompression bomb ...
        return None, f"{type(e).__name__}: {e}"


def _decode_all(folder, rels, size, progress=True):
    """Decode and resize every image once, on a few threads (PIL releases the GIL).

    Returns ``(images, kept, bad)``: uint8 tensor (len(kept), 3, size, size), the relative
    paths that decoded, and ``[[path, reason]]`` for those that did not.
    """
    from tqdm.auto import tqdm
    images = torch.empty(len(rels), 3, size, size, dtype=torch.uint8)
    ok = torch.zeros(len(rels), dtype=torch.bool)

    def decode_into(i):            # each worker writes its own row: the main thread stays idle
        image, reason = _try_decode(folder / rels[i], size)
        if image is not None:
            images[i] = image
            ok[i] = True
        return reason

    bad = []
    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        reasons = pool.map(decode_into, range(len(rels)))
        for i, reason in enumerate(tqdm(reasons, total=len(rels), unit="img",
                                        desc=f"Decoding faces at {size}px", disable=not progress)):
            if reason is not None:
                bad.append([rels[i], reason])
    kept = [rel for rel, good in zip(rels, ok.tolist()) if good]
    return (images if bool(ok.all()) else images[ok]), kept, bad


def _load_cache(path, size):
    """The cached dict if ``path`` holds a sound one, else None (a bad cache is rebuilt)."""
    if not path.is_file():
        return None
    try:
        cached = torch.load(path, weights_only=True)
        images, files = cached["images"], cached["files"]
        if (images.dtype != torch.uint8 or tuple(images.shape[1:]) != (3, size, size)
                or images.shape[0] != len(files)):
            raise ValueError("shapes do not match")
        return cached
    except Exception as e:
        warnings.warn(f"Ignoring the unreadable cache {path} ({e}); rebuilding it.")
        return None


def _save_cache(path, cached):
    """Write the cache atomically and delete older caches of the same folder and size."""
    try:
        checkpoints.atomic_save(cached, path)
    except (OSError, RuntimeError) as e:   # read-only folder, full disk (torch raises RuntimeError)
        warnings.warn(f"Could not write the cache {path} ({e}); the images will be decoded "
                      f"again next time.")
        return
    prefix = path.name.rsplit("-", 1)[0] + "-"          # <name>-faces-<size>-
    for old in path.parent.glob(prefix + "*.pt"):
        if old != path:
            old.unlink(missing_ok=True)


def _read_attributes(folder, files, ids):
    """Columns of ``<folder>/attributes.csv`` aligned with ``files``, or None.

    Rows are matched by the ``file`` column (else by ``id``). Numeric columns become int64 or
    float32 tensors (N,); others stay lists of strings. ``id`` and ``file`` are left out.
    """
    path = folder / "attributes.csv"
    if not path.is_file():
        return None
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = [h for h in (reader.fieldnames or []) if h not in ("id", "file")]
    if "file" in (reader.fieldnames or []):
        by_key = {Path(r["file"]).as_posix(): r for r in rows}
        keys = files
    elif "id" in (reader.fieldnames or []):
        by_key = {r["id"].strip(): r for r in rows}
        keys = [str(i) for i in ids]
    else:
        warnings.warn(f"{path} has neither a 'file' nor an 'id' column; attributes left out.")
        return None
    lost = [k for k in keys if k not in by_key]
    if lost:
        warnings.warn(f"{path} has no row for {len(lost)} of the {len(keys)} images "
                      f"(e.g. {lost[0]}); attributes left out.")
        return None
    columns = {}
    for name in header:
        values = [(by_key[k].get(name) or "").strip() for k in keys]
        columns[name] = _as_column(values)
    return columns


def _as_column(values):
    """Strings -> int64 tensor if all are integers, float32 tensor if all are numbers, else list."""
    for kind, dtype in ((int, torch.int64), (float, torch.float32)):
        try:
            return torch.tensor([kind(v) for v in values], dtype=dtype)
        except ValueError:
            pass
    return values


def load(folder, size=64, progress=True):
    """Load a G/NoG faces folder (the real photos or the synthetic set) as a ``FaceSet``.

    images: uint8 tensor (N, 3, size, size), 0..255; glasses: int64 tensor (N,), 1 for G/,
    0 for NoG/; ordered by the id in ``face-<id>.png``. Each image is decoded and resized once;
    the result is cached beside the folder, in ``<folder>/../.cache/<name>-faces-<size>-<key>.pt``
    (not inside it, where ``ImageFolder`` would take it for a class), where the key changes
    whenever an image is added, removed or changed. Files that are not readable images (truncated,
    not images, symlink loops, above ``MAX_MEGAPIXELS``) are skipped with a warning naming them,
    and so is an id found in both G/ and NoG/ (it loads twice, with both labels).
    """
    folder = Path(folder).expanduser()
    size = int(size)
    if size < 1:
        raise ValueError(f"size must be a positive number of pixels, got {size}.")
    listing = _list_images(folder)
    _warn_duplicate_ids(folder, listing)
    cache = folder.parent / ".cache" / f"{folder.name}-faces-{size}-{_cache_key(listing, size)}.pt"
    cached = _load_cache(cache, size)
    if cached is None:
        images, kept, bad = _decode_all(folder, [rel for rel, _ in listing], size, progress)
        cached = {"images": images, "files": kept, "bad": bad}
        _save_cache(cache, cached)
    for rel, reason in cached["bad"]:
        warnings.warn(f"Skipped {folder / rel}: not a readable image ({reason}). Delete or "
                      f"replace the file to silence this warning.")
    files = list(cached["files"])
    if not files:
        raise ValueError(f"None of the images in {folder} could be read; expected {LAYOUT}.")
    parsed = [face_id(rel) for rel in files]
    all_named = None not in parsed and len(set(parsed)) == len(parsed)
    ids = parsed if all_named else list(range(len(files)))      # face-<id> names, else 0..N-1
    glasses = torch.tensor([1 if rel.startswith("G/") else 0 for rel in files], dtype=torch.int64)
    return FaceSet(images=cached["images"], glasses=glasses, ids=ids, files=files,
                   attributes=_read_attributes(folder, files, ids), folder=folder)

