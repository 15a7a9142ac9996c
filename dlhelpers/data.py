"""Where datasets live and how they come into memory.

Images leave this module as uint8 tensors; ``to_float`` turns a batch into floats in [0, 1].
"""
import csv
import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import torch

from . import settings

MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def data_root():
    """The dataset folder: ``$DLHELPERS_DATA`` if set, else ``<project>/data``.

    Raises NotADirectoryError if the path exists but is not a folder.
    """
    env = os.environ.get("DLHELPERS_DATA", "").strip()
    root = Path(env).expanduser() if env else settings.PROJECT / "data"
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(
            f"The data root {root} is a file, not a folder. Point DLHELPERS_DATA at a folder "
            f"(or unset it to use {settings.PROJECT / 'data'}).")
    return root


def to_float(images):
    """uint8 images (any shape) -> a new float32 tensor in [0, 1]; the input is left unchanged."""
    return images.to(torch.float32, copy=True).div_(255)


def mnist(train=True, root=None):
    """The MNIST digits as ``(images, labels)``.

    images: uint8 tensor (N, 28, 28), values 0..255; labels: int64 tensor (N,), values 0..9.
    N is 60,000 for ``train=True`` and 10,000 for the test set. Loaded through
    ``torchvision.datasets.MNIST`` from ``<root>/MNIST/raw``, downloading only when files are missing.
    """
    import torchvision
    root = Path(root) if root is not None else data_root()
    raw = root / "MNIST" / "raw"
    missing = [f for f in MNIST_FILES if not (raw / f).exists()]
    hint = (f"Put the four MNIST files ({', '.join(MNIST_FILES)}) in {raw}, or set "
            f"DLHELPERS_DATA to a folder that holds MNIST/raw/ with them.")
    try:
        ds = torchvision.datasets.MNIST(root=str(root), train=train, download=bool(missing))
    except Exception as e:  # offline download, truncated or corrupt file
        what = f"missing: {', '.join(missing)}" if missing else f"could not read them ({e})"
        raise FileNotFoundError(f"MNIST is not usable in {raw} ({what}). {hint}") from e
    n = 60000 if train else 10000
    if ds.data.shape != (n, 28, 28) or ds.targets.shape != (n,):
        raise ValueError(f"MNIST files in {raw} hold {tuple(ds.data.shape)} images, expected "
                         f"({n}, 28, 28): a file is truncated or wrong. {hint}")
    return ds.data, ds.targets


def one_per_digit(labels):
    """Indices of the first example of each digit 0..9 (the chapter's row of originals)."""
    return [int((labels == d).nonzero()[0]) for d in range(10)]


# ---------------------------------------------------------------------------------------------
# Faces with and without glasses
#
# The chapter's layout, for the real photos and for the synthetic stand-in alike:
#     <folder>/G/face-<id>.png      faces with glasses
#     <folder>/NoG/face-<id>.png    faces without glasses
#     <folder>/attributes.csv       optional; the synthetic set has one (id, file, glasses, ...)
# ---------------------------------------------------------------------------------------------
CLASSES = (("G", 1), ("NoG", 0))          # sub-folder name, glasses label
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
KAGGLE_FACES = Path("faces-spring-2020") / "faces-spring-2020"
LAYOUT = "<folder>/G/*.png (faces with glasses) and <folder>/NoG/*.png (faces without)"
HOW_TO_GET = ("See the README section \"The real glasses data\": download the Kaggle set, then run "
              "`python -m dlhelpers organise <download folder>`. Or call data.faces() with no "
              "folder to use the synthetic faces.")
CACHE_VERSION = 1                          # bump when the cached format or the resizing changes
_FACE_NAME = re.compile(r"^face-(\d+)$")


def _face_id(name):
    """The number in ``face-<id>.<ext>``, or None for any other name."""
    m = _FACE_NAME.match(Path(name).stem)
    return int(m.group(1)) if m else None


# --- Organising the Kaggle download ----------------------------------------------------------

def _read_labels(path, what):
    """``{id: 0 or 1}`` from a CSV with ``id`` and ``glasses`` columns (any others are ignored).

    Rows with an empty ``glasses`` cell are left out. Raises ValueError naming the file and line
    for a missing column or a value that is not an integer id / 0 or 1.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"The {what} file {path} does not exist.")
    labels = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in ("id", "glasses") if c not in header]
        if missing:
            raise ValueError(f"The {what} file {path} has no {' or '.join(missing)} column "
                             f"(its header is {header[:6]}{'...' if len(header) > 6 else ''}). "
                             f"It needs a header row naming 'id' and 'glasses'.")
        reader.fieldnames = header
        for row in reader:
            raw_id, raw_label = (row.get("id") or "").strip(), (row.get("glasses") or "").strip()
            if not raw_id and not raw_label:
                continue                                   # blank line
            try:
                face_id = int(raw_id)
                label = None if raw_label == "" else float(raw_label)
                if label is not None and label not in (0.0, 1.0):
                    raise ValueError
            except ValueError:
                raise ValueError(f"{path}, line {reader.line_num}: expected an integer id and "
                                 f"glasses 0 or 1, got id={raw_id!r}, glasses={raw_label!r}. "
                                 f"Fix or delete that row.") from None
            if label is not None:
                labels[face_id] = int(label)
    return labels


def _copy_if_changed(src, dst):
    """Copy ``src`` to ``dst`` unless ``dst`` already has the same size; True if it copied.

    The copy goes to a hidden temporary name first, so an interrupted run never leaves a
    half-written image under the real name.
    """
    if dst.is_file() and dst.stat().st_size == src.stat().st_size:
        return False
    part = dst.with_name(f".{dst.name}.part")
    shutil.copy2(src, part)
    os.replace(part, dst)
    return True


def organise_kaggle(src, dst=None, corrections=None, progress=True):
    """Copy the Kaggle "glasses or no glasses" download into the chapter's G/NoG layout.

    ``src`` holds ``faces-spring-2020/faces-spring-2020/face-<id>.png`` and ``train.csv``
    (an ``id`` column and a ``glasses`` column, 1 = glasses, 0 = none; only ids 1-4,500 are
    labelled). Each labelled image is copied (never moved: ``src`` is not changed) to
    ``dst/G/face-<id>.png`` or ``dst/NoG/face-<id>.png``; ``dst`` defaults to
    ``files/glasses``. Unlabelled ids are left out.

    ``corrections`` is an optional CSV with header ``id,glasses`` whose labels override
    ``train.csv`` (the Kaggle labels have mistakes). Running again is harmless: files already
    in place with the same size are skipped, and an image whose label changed is copied to its
    new class and its old copy in ``dst`` deleted.

    Returns counts: ``G`` and ``NoG`` (images in each class), ``copied``, ``skipped`` (already
    in place), ``corrected`` (labels the corrections changed or added), ``removed`` (stale
    copies deleted), ``unlabelled`` (images with no label, left out) and ``missing``
    (labelled ids with no image in ``src``).
    """
    from tqdm.auto import tqdm
    src = Path(src).expanduser()
    faces_dir = src / KAGGLE_FACES
    if not faces_dir.is_dir():
        raise FileNotFoundError(
            f"No faces folder at {faces_dir}. Pass the folder the Kaggle download unzipped "
            f"into: it holds train.csv and {KAGGLE_FACES}/face-<id>.png.")
    labels = _read_labels(src / "train.csv", "Kaggle labels")
    corrected = 0
    if corrections is not None:
        for face_id, label in _read_labels(Path(corrections).expanduser(), "corrections").items():
            corrected += labels.get(face_id) != label
            labels[face_id] = label
    images = [p for p in faces_dir.glob("face-*.png")
              if p.is_file() and _face_id(p.name) is not None]
    images.sort(key=lambda p: _face_id(p.name))
    if not images:
        raise FileNotFoundError(f"{faces_dir} holds no face-<id>.png images. Is the download "
                                f"complete? Unzip the Kaggle archive again into {src}.")
    dst = Path(dst).expanduser() if dst is not None else settings.FILES / "glasses"
    for name, _ in CLASSES:
        (dst / name).mkdir(parents=True, exist_ok=True)
    folder_of = {label: name for name, label in CLASSES}
    counts = dict(G=0, NoG=0, copied=0, skipped=0, corrected=corrected, removed=0,
                  unlabelled=0, missing=0)
    seen = set()
    for path in tqdm(images, desc="Copying faces", unit="img", disable=not progress):
        face_id = _face_id(path.name)
        if face_id not in labels:
            counts["unlabelled"] += 1
            continue
        seen.add(face_id)
        label = labels[face_id]
        stale = dst / folder_of[1 - label] / path.name
        if stale.exists():
            stale.unlink()                     # only ever inside dst, never in src
            counts["removed"] += 1
        copied = _copy_if_changed(path, dst / folder_of[label] / path.name)
        counts["copied" if copied else "skipped"] += 1
        counts[folder_of[label]] += 1
    counts["missing"] = len(set(labels) - seen)
    if counts["missing"]:
        warnings.warn(f"{counts['missing']} labelled ids have no image in {faces_dir} "
                      f"(e.g. face-{min(set(labels) - seen)}.png); they were left out.")
    return counts


# --- Loading a G/NoG folder -----------------------------------------------------------------

@dataclass
class Faces:
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

    def __repr__(self):
        n_g = int(self.glasses.sum())
        return (f"Faces({len(self)} images {tuple(self.images.shape[1:])} uint8: {n_g} with "
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
        entries = [e for e in os.scandir(sub) if e.is_file() and not e.name.startswith(".")
                   and Path(e.name).suffix.lower() in IMAGE_SUFFIXES] if sub.is_dir() else []
        if not entries:
            what = "is empty" if sub.is_dir() else "does not exist"
            raise ValueError(f"{sub} {what}: no images of class {name}. The faces folder "
                             f"{folder} must be laid out as {LAYOUT}, with images in both.")
        found += [(f"{name}/{e.name}", e.stat()) for e in entries]
    found.sort(key=lambda item: (_natural_key(Path(item[0]).name), item[0]))
    return found


def _cache_key(listing, size):
    """Short hash of the image list (path, byte size, mtime) and the output size."""
    h = hashlib.sha1(f"v{CACHE_VERSION}|{size}".encode())
    for rel, st in listing:
        h.update(f"|{rel}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _decode(path, size):
    """One image file -> uint8 tensor (3, size, size), values 0..255.

    Any mode (grayscale, RGBA, palette) becomes RGB; a non-square image is center-cropped
    to a square first; then it is resized with the Lanczos filter.
    """
    from PIL import Image
    with Image.open(path) as img:
        img = img.convert("RGB")
    w, h = img.size
    if w != h:
        side = min(w, h)
        left, top = (w - side) // 2, (h - side) // 2
        img = img.crop((left, top, left + side, top + side))
    if img.size != (size, size):
        img = img.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
    pixels = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8)
    return pixels.view(size, size, 3).permute(2, 0, 1)


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
    bad = []
    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        results = pool.map(lambda rel: _try_decode(folder / rel, size), rels)
        for i, (image, reason) in enumerate(tqdm(results, total=len(rels), unit="img",
                                                 desc=f"Decoding faces at {size}px",
                                                 disable=not progress)):
            if image is None:
                bad.append([rels[i], reason])
            else:
                images[i] = image
                ok[i] = True
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
    """Write the cache atomically (temp file + os.replace) and delete older caches."""
    try:
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pt")
        try:
            with os.fdopen(fd, "wb") as f:
                torch.save(cached, f)
            os.chmod(tmp, 0o644)                # mkstemp makes 0600; give the usual permissions
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:          # read-only data folder, full disk: work without a cache
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


def load_faces(folder, size=64, progress=True):
    """Load a G/NoG faces folder (the real photos or the synthetic set) as a ``Faces``.

    images: uint8 tensor (N, 3, size, size), 0..255; glasses: int64 tensor (N,), 1 for G/,
    0 for NoG/; ordered by the id in ``face-<id>.png``. Each image is decoded and resized once;
    the result is cached beside the folder, in ``<folder>/../.cache/<name>-faces-<size>-<key>.pt``
    (not inside it, where ``ImageFolder`` would take it for a class), where the key changes
    whenever an image is added, removed or changed. Files that are not readable images are
    skipped with a warning.
    """
    folder = Path(folder).expanduser()
    size = int(size)
    if size < 1:
        raise ValueError(f"size must be a positive number of pixels, got {size}.")
    listing = _list_images(folder)
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
    parsed = [_face_id(rel) for rel in files]
    all_named = None not in parsed and len(set(parsed)) == len(parsed)
    ids = parsed if all_named else list(range(len(files)))      # face-<id> names, else 0..N-1
    glasses = torch.tensor([1 if rel.startswith("G/") else 0 for rel in files], dtype=torch.int64)
    return Faces(images=cached["images"], glasses=glasses, ids=ids, files=files,
                 attributes=_read_attributes(folder, files, ids), folder=folder)


def faces(size=64, folder=None, n=None):
    """The chapter's faces, as a ``Faces`` (images uint8 (N, 3, size, size), 0..255).

    With ``folder``, loads that G/NoG folder. Without it, uses the real photos in
    ``files/glasses`` when that folder exists, else the synthetic faces in
    ``<data root>/synthetic-faces``, generating ``n`` of them (default: as many as are there,
    else 5,000; at 128 px) when they are missing or were drawn by an older version of
    ``dlhelpers.faces``. Prints one line saying which set it used.
    """
    real = settings.FILES / "glasses"
    if folder is not None:
        print(f"Using the faces in {Path(folder).expanduser()}")
        return load_faces(folder, size)
    if real.exists():
        print(f"Using the real glasses photos in {real}")
        return load_faces(real, size)
    synthetic = data_root() / "synthetic-faces"
    print(f"Using the synthetic faces in {synthetic} (no files/glasses found; "
          f"see README → 'The real glasses data')")
    from . import faces as synthetic_faces
    made = synthetic / ".faces.json"                # what an earlier make_dataset wrote
    n = n or (json.loads(made.read_text()).get("n", 5000) if made.is_file() else 5000)
    synthetic_faces.make_dataset(synthetic, n=n, size=128)   # a no-op unless missing or outdated
    return load_faces(synthetic, size)


def split(images, held_out=0.1, seed=0):
    """Split images (N, ...) into (train, held_out) by a seeded shuffle; held_out is a share."""
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    n_out = int(round(len(images) * held_out))
    return images[order[n_out:]], images[order[:n_out]]


def trait_groups(faces, per_group=3, seed=0, trait="beard"):
    """Indices of ``per_group`` random faces in each of the four groups glasses × ``trait``.

    Returns {"beard_glasses": [...], "nobeard_glasses": [...], "beard_noglasses": [...],
    "nobeard_noglasses": [...]} (named after ``trait``), chosen by a seeded shuffle. Needs the
    labels in ``faces.attributes`` (the synthetic set has them); for the real photos, pick the
    groups by hand with ``widgets.gallery_picker`` instead.
    """
    if not faces.attributes or trait not in faces.attributes:
        raise ValueError(f"These faces have no '{trait}' labels (only the synthetic set does). "
                         f"Pick the groups by index with dlhelpers.widgets.gallery_picker.")
    has = torch.as_tensor(faces.attributes[trait]) == 1
    gen = torch.Generator().manual_seed(seed)
    groups = {}
    for t in (True, False):
        for g in (True, False):
            name = f"{'' if t else 'no'}{trait}_{'' if g else 'no'}glasses"
            pool = ((has == t) & ((faces.glasses == 1) == g)).nonzero().flatten()
            if len(pool) < per_group:
                raise ValueError(f"group {name} has only {len(pool)} faces, {per_group} needed")
            groups[name] = pool[torch.randperm(len(pool), generator=gen)[:per_group]].tolist()
    return groups
