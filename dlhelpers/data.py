"""The datasets in memory: the MNIST digits, and the faces in use (the book's photos or the
synthetic stand-in), plus splitting and choosing the four groups of section 7.4.4.

Images leave this module as uint8 tensors, 0..255; ``to_float`` turns a batch into floats in [0, 1].
"""
import json
from pathlib import Path

import torch

from . import face_folder, settings, synthetic_set

MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def to_float(images):
    """Images -> a new float32 tensor in [0, 1]: uint8 (0..255) is divided by 255, floats are
    taken as already in [0, 1]. Any shape; the input is left unchanged."""
    if images.dtype == torch.uint8:
        return images.to(torch.float32, copy=True).div_(255)
    return images.to(torch.float32, copy=True)


def mnist(train=True, root=None):
    """The MNIST digits as ``(images, labels)``.

    images: uint8 tensor (N, 28, 28), values 0..255; labels: int64 tensor (N,), values 0..9.
    N is 60,000 for ``train=True`` and 10,000 for the test set. Loaded through
    ``torchvision.datasets.MNIST`` from ``<root>/MNIST/raw``, downloading only when files are missing.
    """
    import torchvision
    root = Path(root) if root is not None else settings.data_root()
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


def face_set(size=64, folder=None, n=None):
    """The chapter's faces, as a ``face_folder.FaceSet`` (images uint8 (N, 3, size, size), 0..255).

    With ``folder``, loads that G/NoG folder. Without it, uses the real photos in
    ``files/glasses`` when that folder exists, else the synthetic faces in
    ``<data root>/synthetic-faces``, generating ``n`` of them (default: as many as are there,
    else 5,000; at 128 px) when they are missing or were drawn by an older version of
    ``dlhelpers.synthetic_faces``. Prints one line saying which set it used.
    """
    real = settings.FILES / "glasses"
    if folder is not None:
        print(f"Using the faces in {Path(folder).expanduser()}")
        return face_folder.load(folder, size)
    if real.exists():
        print(f"Using the real glasses photos in {real}")
        return face_folder.load(real, size)
    synthetic = settings.data_root() / "synthetic-faces"
    print(f"Using the synthetic faces in {synthetic} (no files/glasses found; "
          f"see README → 'The real glasses data')")
    made = synthetic / ".faces.json"                # what an earlier make_dataset wrote
    n = n or (json.loads(made.read_text()).get("n", 5000) if made.is_file() else 5000)
    synthetic_set.make_dataset(synthetic, n=n, size=128)   # a no-op unless missing or outdated
    return face_folder.load(synthetic, size)


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
    groups by hand with ``gallery.gallery_picker`` instead.
    """
    if not faces.attributes or trait not in faces.attributes:
        raise ValueError(f"These faces have no '{trait}' labels (only the synthetic set does). "
                         f"Pick the groups by index with dlhelpers.gallery.gallery_picker.")
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
