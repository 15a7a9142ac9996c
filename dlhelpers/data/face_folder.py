"""Loading a folder of faces in the chapter's layout, decoded and resized once, then cached.

    <folder>/G/face-<id>.png      faces with glasses
    <folder>/NoG/face-<id>.png    faces without glasses
    <folder>/attributes.csv       optional; the synthetic set has one (id, file, glasses, ...)

The real photos (after ``python -m dlhelpers organise``) and the synthetic faces share this layout,
so ``load`` serves both. Images leave this module as uint8 tensors, 0..255. Decoding and resizing
(fast paths, size caps, odd image modes) are in ``decode``; the on-disk cache in ``image_cache``.
"""

import csv
import os
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch

from dlhelpers import settings
from dlhelpers.data import decode, image_cache
from dlhelpers.errors import UserError

CLASSES = (("G", 1), ("NoG", 0))  # sub-folder name, glasses label
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
LAYOUT = "<folder>/G/*.png (faces with glasses) and <folder>/NoG/*.png (faces without)"
HOW_TO_GET = (
    'See the README section "The real glasses data": download the Kaggle set, then run '
    "`python -m dlhelpers organise <download folder>`. Or call data.face_set() with no "
    "folder to use the synthetic faces."
)
_FACE_NAME = re.compile(r"^face-(\d+)$")


class NoFacesError(UserError, FileNotFoundError):
    """No faces folder where one was named."""


class FacesFolderError(UserError, ValueError):
    """A faces folder not in the G/NoG layout, or none of whose images can be read."""


class NotAFolderError(UserError, NotADirectoryError):
    """A file where a faces folder was named."""


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
    attributes: dict | None = None
    folder: Path | None = None

    def __len__(self):
        return len(self.files)

    def subset(self, indices):
        """The faces at ``indices`` (a list or an int tensor), as a new ``FaceSet``."""
        idx = torch.as_tensor(indices, dtype=torch.int64)
        at = idx.tolist()
        attributes = (
            None
            if self.attributes is None
            else {
                k: (v[idx] if isinstance(v, torch.Tensor) else [v[i] for i in at])
                for k, v in self.attributes.items()
            }
        )
        return FaceSet(
            self.images[idx],
            self.glasses[idx],
            [self.ids[i] for i in at],
            [self.files[i] for i in at],
            attributes,
            self.folder,
        )

    def __repr__(self):
        n_g = int(self.glasses.sum())
        return (
            f"FaceSet({len(self)} images {tuple(self.images.shape[1:])} uint8: {n_g} with "
            f"glasses, {len(self) - n_g} without; from {settings.relative(self.folder)})"
        )


def _natural_key(name):
    """Sort key that puts face-2 before face-10."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", name)]


def _list_images(folder):
    """Sorted ``[(relative posix path, os.stat_result)]`` of the images in G/ and NoG/.

    Raises ``NoFacesError`` (a FileNotFoundError) for a missing folder (saying how to get the
    data) and ``FacesFolderError`` (a ValueError) when a class folder is missing or empty.
    """
    shown = settings.relative(folder)
    if not folder.exists():
        raise NoFacesError(f"The faces folder {shown} does not exist. {HOW_TO_GET}")
    if not folder.is_dir():
        raise NotAFolderError(f"{shown} is a file; expected a folder laid out as {LAYOUT}.")
    found = []
    for name, _ in CLASSES:
        sub = folder / name
        entries = (
            [
                e
                for e in os.scandir(sub)
                if not e.name.startswith(".") and Path(e.name).suffix.lower() in IMAGE_SUFFIXES
            ]
            if sub.is_dir()
            else []
        )
        stats = [(f"{name}/{e.name}", _stat(e)) for e in entries]
        stats = [(rel, st) for rel, st in stats if st is not None]
        if not stats:
            what = "is empty" if sub.is_dir() else "does not exist"
            raise FacesFolderError(
                f"{settings.relative(sub)} {what}: no images of class {name}. The faces folder "
                f"{shown} must be laid out as {LAYOUT}, with images in both."
            )
        found += stats
    found.sort(key=lambda item: (_natural_key(Path(item[0]).name), item[0]))
    return found


def _stat(entry):
    """The ``os.stat_result`` of a regular file (following links), else None; a file that cannot be
    read (a symlink loop, a broken link, no permission) is skipped with a warning."""
    try:
        st = entry.stat()
    except OSError as e:
        warnings.warn(
            f"Skipped {settings.relative(entry.path)}: it cannot be read ({e.strerror or e}).", stacklevel=2
        )
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _warn_duplicate_ids(folder, listing):
    """Warn when the same ``face-<id>`` is in both G/ and NoG/ (it would load with both labels)."""
    ids = {
        name: {face_id(rel) for rel, _ in listing if rel.startswith(name + "/")} - {None}
        for name, _ in CLASSES
    }
    both = sorted(ids["G"] & ids["NoG"])
    if both:
        shown = ", ".join(f"face-{i}" for i in both[:5]) + (" ..." if len(both) > 5 else "")
        warnings.warn(
            f"{len(both)} id(s) are in both G/ and NoG/ of {settings.relative(folder)} ({shown}): each loads "
            f"twice, with opposite labels. Delete the wrong copies (the organiser "
            f"`python -m dlhelpers organise` does).",
            stacklevel=2,
        )


def read_attributes(folder):
    """The columns of ``<folder>/attributes.csv`` in the file's row order, or None without one:
    {name: int64 tensor (N,) if every value is an integer, float32 tensor (N,) if every value is a
    number, else a list of N strings}. The one reader of that file."""
    path = Path(folder) / "attributes.csv"
    if not path.is_file():
        return None
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    return {name: _as_column([(r.get(name) or "").strip() for r in rows]) for name in reader.fieldnames or []}


def _aligned_attributes(folder, files, ids):
    """``read_attributes`` of ``folder`` with its rows put in the order of ``files`` (matched by
    the ``file`` column, else by ``id``), ``id`` and ``file`` left out; None, with a warning,
    when rows are missing."""
    columns = read_attributes(folder)
    if columns is None:
        return None
    path = Path(folder) / "attributes.csv"
    if "file" in columns:
        keys, found = files, [Path(f).as_posix() for f in columns["file"]]
    elif "id" in columns:
        keys, found = [str(i) for i in ids], [str(i) for i in columns["id"].tolist()]
    else:
        warnings.warn(
            f"{settings.relative(path)} has neither a 'file' nor an 'id' column; attributes left out.",
            stacklevel=2,
        )
        return None
    row_of = {k: i for i, k in enumerate(found)}
    lost = [k for k in keys if k not in row_of]
    if lost:
        warnings.warn(
            f"{settings.relative(path)} has no row for {len(lost)} of the {len(keys)} images "
            f"(e.g. {lost[0]}); attributes left out.",
            stacklevel=2,
        )
        return None
    order = [row_of[k] for k in keys]
    return {
        name: col[order] if isinstance(col, torch.Tensor) else [col[i] for i in order]
        for name, col in columns.items()
        if name not in ("id", "file")
    }


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
    not images, symlink loops, above ``decode.MAX_MEGAPIXELS``) are skipped with a warning naming
    them, and so is an id found in both G/ and NoG/ (it loads twice, with both labels).
    """
    folder = Path(folder).expanduser()
    size = int(size)
    if size < 1:
        raise ValueError(f"size must be a positive number of pixels, got {size}.")
    listing = _list_images(folder)
    _warn_duplicate_ids(folder, listing)
    key = image_cache.cache_key(listing, size)
    cache = folder.parent / ".cache" / f"{folder.name}-faces-{size}-{key}.pt"
    cached = image_cache.load_cache(cache, size)
    if cached is None:
        images, kept, bad = decode.decode_all(folder, [rel for rel, _ in listing], size, progress)
        cached = {"images": images, "files": kept, "bad": bad}
        image_cache.save_cache(cache, cached)
    for rel, reason in cached["bad"]:
        warnings.warn(
            f"Skipped {settings.relative(folder / rel)}: not a readable image ({reason}). Delete or "
            f"replace the file to silence this warning.",
            stacklevel=2,
        )
    files = list(cached["files"])
    if not files:
        raise FacesFolderError(
            f"None of the images in {settings.relative(folder)} could be read; expected {LAYOUT}."
        )
    parsed = [face_id(rel) for rel in files]
    all_named = None not in parsed and len(set(parsed)) == len(parsed)
    ids = parsed if all_named else list(range(len(files)))  # face-<id> names, else 0..N-1
    glasses = torch.tensor([1 if rel.startswith("G/") else 0 for rel in files], dtype=torch.int64)
    return FaceSet(
        images=cached["images"],
        glasses=glasses,
        ids=ids,
        files=files,
        attributes=_aligned_attributes(folder, files, ids),
        folder=folder,
    )
