"""The MNIST digits of section 7.2, read from ``<data root>/MNIST/raw`` (downloaded when missing).

Images leave this module as uint8 tensors (N, 28, 28), 0..255.
"""

import gzip
import hashlib
import os
import time
import urllib.request
from pathlib import Path

import torchvision
from torchvision.datasets import MNIST

from dlhelpers import settings
from dlhelpers.errors import UserError


class MnistMissingError(UserError, FileNotFoundError):
    """The MNIST files are not where they are read from, and could not be downloaded there."""


class MnistDamagedError(UserError, ValueError):
    """MNIST files that hold other than the 60,000 + 10,000 digits (truncated or wrong)."""


MNIST_FILES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]


def mnist(train=True, root=None):
    """The MNIST digits as ``(images, labels)``.

    images: uint8 tensor (N, 28, 28), values 0..255; labels: int64 tensor (N,), values 0..9.
    N is 60,000 for ``train=True`` and 10,000 for the test set. Loaded through
    ``torchvision.datasets.MNIST`` from ``<root>/MNIST/raw``; missing files are downloaded first
    (``download_mnist``: within ``MNIST_DEADLINE_S`` seconds, never creating a root that does not
    exist). Every failure is a ``MnistMissingError`` (a FileNotFoundError) or ``MnistDamagedError``
    (a ValueError) saying which files to put where, the folder relative to the project.
    """

    root = Path(root) if root is not None else settings.data_root()
    raw = root / "MNIST" / "raw"
    shown = settings.relative(raw)
    missing = [f for f in MNIST_FILES if not (raw / f).exists()]
    hint = (
        f"Put the four MNIST files ({', '.join(MNIST_FILES)}, unzipped) in {shown}, or set "
        f"DLHELPERS_DATA to a folder that holds MNIST/raw/ with them."
    )
    if missing:
        download_mnist(root, f"missing: {', '.join(missing)}", hint)
    try:
        ds = torchvision.datasets.MNIST(root=str(root), train=train, download=False)
    except Exception as e:  # truncated or corrupt file
        raise MnistMissingError(f"MNIST is not usable in {shown} (could not read them: {e}). {hint}") from e
    n = 60000 if train else 10000
    if ds.data.shape != (n, 28, 28) or ds.targets.shape != (n,):
        raise MnistDamagedError(
            f"MNIST files in {shown} hold {tuple(ds.data.shape)} images, expected "
            f"({n}, 28, 28): a file is truncated or wrong. {hint}"
        )
    return ds.data, ds.targets


MNIST_DEADLINE_S = 45  # the whole download, all files and mirrors; a stalled read adds <= 10 s


def download_mnist(root, what, hint):
    """Fetch the missing MNIST files from torchvision's mirrors into ``<root>/MNIST/raw``.

    Gives up after ``MNIST_DEADLINE_S`` seconds in all (a network that stalls cannot hang it), and
    refuses a ``root`` that does not exist (a mistyped DLHELPERS_DATA) unless it is the default
    ``data/``. Each file is checked (md5) and unzipped; raises ``MnistMissingError`` with ``what``
    and ``hint`` (which files to copy where).
    """

    raw = root / "MNIST" / "raw"
    if not root.is_dir() and root != settings.PROJECT / "data":
        raise MnistMissingError(
            f"The data root {settings.relative(root)} does not exist, so MNIST was not "
            f"downloaded there (is DLHELPERS_DATA mistyped?). {hint}"
        )
    end = time.monotonic() + MNIST_DEADLINE_S
    for name, md5 in MNIST.resources:
        target = raw / name.removesuffix(".gz")
        if target.exists():
            continue
        errors = []
        for mirror in MNIST.mirrors:
            try:
                blob = _fetch(mirror + name, end)
                if hashlib.md5(blob).hexdigest() != md5:
                    raise ValueError("the file's checksum is wrong")
                raw.mkdir(parents=True, exist_ok=True)
                part = raw / f".{target.name}.part"
                part.write_bytes(gzip.decompress(blob))
                os.replace(part, target)
                break
            except (OSError, ValueError) as e:  # URLError and socket timeouts are OSErrors
                errors.append(f"{mirror}: {e}")
        else:
            gave_up = (
                f"gave up after {MNIST_DEADLINE_S} s: the network does not answer"
                if time.monotonic() >= end
                else "; ".join(errors)
            )
            raise MnistMissingError(
                f"MNIST could not be downloaded into {settings.relative(raw)} ({what}; {gave_up}). {hint}"
            )


def _fetch(url, end):
    """The bytes at ``url``, or TimeoutError once ``time.monotonic()`` passes ``end``."""

    def left():
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("out of time")
        return min(remaining, 10.0)  # one stalled connect or read waits at most 10 s

    chunks = []
    with urllib.request.urlopen(url, timeout=left()) as response:
        while chunk := response.read(1 << 16):
            chunks.append(chunk)
            left()
    return b"".join(chunks)


def one_per_digit(labels):
    """Indices of the first example of each digit 0..9 (the chapter's row of originals)."""
    return [int((labels == d).nonzero()[0]) for d in range(10)]
