"""Where datasets live and how they come into memory.

Images leave this module as uint8 tensors; ``to_float`` turns a batch into floats in [0, 1].
"""
import os
from pathlib import Path

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
    """uint8 images (any shape) -> float32 in [0, 1]."""
    return images.float().div_(255)


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
