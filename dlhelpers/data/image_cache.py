"""The on-disk cache of a decoded faces folder, so ``face_folder.load`` decodes each image once.

A cache file holds ``{"images": uint8 tensor (N, 3, size, size) 0..255, "files": N relative
paths, "bad": [[path, reason]]}``. Its name carries ``cache_key``, a hash of the image list and
the size, so a changed folder gets a new cache; a cache that does not load is rebuilt.
"""

import hashlib
import warnings

import torch

from dlhelpers import settings
from dlhelpers.engine import checkpoints

CACHE_VERSION = 3  # bump when the cached format or the resizing changes


def cache_key(listing, size):
    """Short hash of the image list (path, byte size, mtime) and the output size."""
    h = hashlib.sha1(f"v{CACHE_VERSION}|{size}".encode())
    for rel, st in listing:
        h.update(f"|{rel}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def load_cache(path, size):
    """The cached dict if ``path`` holds a sound one (images uint8 (N, 3, size, size) for N
    files), else None (a bad cache is rebuilt)."""
    if not path.is_file():
        return None
    try:
        cached = torch.load(path, weights_only=True)
        images, files = cached["images"], cached["files"]
        if (
            images.dtype != torch.uint8
            or tuple(images.shape[1:]) != (3, size, size)
            or images.shape[0] != len(files)
        ):
            raise ValueError("shapes do not match")
        return cached
    except Exception as e:  # noqa: BLE001  a damaged cache can fail in torch.load in many ways
        warnings.warn(
            f"Ignoring the unreadable cache {settings.relative(path)} ({e}); rebuilding it.", stacklevel=2
        )
        return None


def save_cache(path, cached):
    """Write the cache atomically and delete older caches of the same folder and size."""
    try:
        checkpoints.atomic_save(cached, path)
    except (OSError, RuntimeError) as e:  # read-only folder, full disk (torch raises RuntimeError)
        warnings.warn(
            f"Could not write the cache {settings.relative(path)} ({e}); the images will be decoded again next time.",
            stacklevel=2,
        )
        return
    prefix = path.name.rsplit("-", 1)[0] + "-"  # <name>-faces-<size>-
    for old in path.parent.glob(prefix + "*.pt"):
        if old != path:
            old.unlink(missing_ok=True)
