"""Settings read once from the environment: project folders, data root, quick mode, device, seed.

This module imports nothing else from the package but ``dlhelpers.errors``, so every other module
may import it.

Environment variables
---------------------
DLHELPERS_DATA   where datasets live (default: ``<project>/data``): MNIST in ``MNIST/raw/``, the
                 synthetic faces in ``synthetic-faces/``.
DLHELPERS_QUICK  ``1`` makes every notebook run in seconds (``dlhelpers.engine.recipes`` shrinks each
                 lesson's recipe); the tests use it.
DLHELPERS_PRECISION  ``auto`` (default), ``fp32`` or ``bf16``: the arithmetic the VAE
                 trains in (see ``precision``). Read at every call, so it can be changed in a session.
"""

import contextlib
import ctypes
import os
import random
import sys
from pathlib import Path

import torch

from dlhelpers.errors import UserError

PROJECT = Path(__file__).resolve().parents[1]
FILES = PROJECT / "files"  # saved models, exported figures, the glasses folder
QUICK = os.environ.get("DLHELPERS_QUICK", "").strip().lower() in {"1", "true", "yes", "on"}


class DataRootError(UserError, NotADirectoryError):
    """``DLHELPERS_DATA`` names a file, not a folder."""


class PrecisionError(UserError, ValueError):
    """``DLHELPERS_PRECISION`` is not one of ``PRECISIONS``."""


def data_root():
    """The dataset folder: ``$DLHELPERS_DATA`` if set, else ``<project>/data``.

    Raises ``DataRootError`` (a NotADirectoryError) if the path exists but is not a folder.
    """
    env = os.environ.get("DLHELPERS_DATA", "").strip()
    root = Path(env).expanduser() if env else PROJECT / "data"
    if root.exists() and not root.is_dir():
        raise DataRootError(
            f"The data root {relative(root)} is a file, not a folder. Point DLHELPERS_DATA at a "
            f"folder (or unset it to use data/)."
        )
    return root


def relative(path):
    """``path`` relative to the project folder (``files/runs/x.pt``, ``../shared/data``): what a
    notebook prints, so committed outputs do not show the folders of the machine that ran them.
    Unchanged where no relative path exists (another drive on Windows)."""
    try:
        return Path(os.path.relpath(os.path.abspath(path), PROJECT))
    except ValueError:
        return Path(path)


def device():
    """The fastest device here: CUDA, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed(n=0):
    """Seed Python, and torch (CPU and all GPUs) so a run repeats exactly on the CPU."""
    random.seed(n)
    torch.manual_seed(n)
    return n


PRECISIONS = ("auto", "fp32", "bf16")
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")  # CPUs that multiply bf16 in hardware


def cpu_info(key):
    """The value of ``key`` ("model name", "flags" ...) in ``/proc/cpuinfo``, or "" where missing."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.split(":", 1)[0].strip() == key:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def cpu_flags():
    """The CPU's feature flags (an empty set where ``/proc/cpuinfo`` is missing)."""
    return set(cpu_info("flags").split())


def cpu_name():
    """The CPU's model name ("unknown" where ``/proc/cpuinfo`` is missing)."""
    return cpu_info("model name") or "unknown"


def load_average():
    """The 1-minute load average, rounded (None where the system has none): other work slows a benchmark."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def precision_and_reason(dev):
    """``(precision, why)`` for training on ``dev``; see ``precision``."""
    asked = os.environ.get("DLHELPERS_PRECISION", "").strip().lower() or "auto"
    if asked not in PRECISIONS:
        raise PrecisionError(f"DLHELPERS_PRECISION={asked!r} is not one of {', '.join(PRECISIONS)}.")
    if asked != "auto":
        return asked, "set by DLHELPERS_PRECISION"
    if dev.type == "cuda":
        if torch.cuda.is_bf16_supported():
            return "bf16", "auto: the GPU has bf16"
        return "fp32", "auto: the GPU lacks bf16 (fp16 would need a gradient scaler around the step)"
    if dev.type == "cpu":
        has = sorted(set(BF16_CPU_FLAGS) & cpu_flags())
        if has:
            return "bf16", f"auto: the CPU has {' and '.join(has)}"
        return "fp32", "auto: the CPU has no bf16 arithmetic"
    return "fp32", f"auto: {dev.type}"


def precision(dev=None):
    """The arithmetic training runs in on ``dev`` (default: ``device()``): ``"fp32"`` or ``"bf16"``.

    ``auto`` (the default) picks mixed precision where the hardware has it: bf16 on CPUs with
    ``avx512_bf16`` or ``amx_bf16`` in ``/proc/cpuinfo`` (elsewhere emulated bf16 is slower than
    fp32, so fp32), bf16 on GPUs that support it; fp32 on anything else (older GPUs, Apple's
    MPS). ``DLHELPERS_PRECISION=fp32|bf16`` forces one.
    """
    return precision_and_reason(torch.device(dev or device()))[0]


def autocast(dev, prec):
    """The context a forward pass runs in for precision ``prec`` on ``dev``: ``torch.autocast``
    (bf16: matrix products and convolutions in 16 bits, weights kept in fp32), or nothing for fp32."""
    if prec == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(torch.device(dev).type, dtype=torch.bfloat16)


def keep_freed_memory():
    """Ask glibc to keep freed memory for reuse instead of returning it to the system.

    A training step at 256 px frees and allocates blocks of over 100 MB (the gradients of the
    dense layers, the activations); glibc maps each with ``mmap`` and unmaps it when freed, and
    touching a fresh mapping again costs hundreds of thousands of page faults per step (about a
    quarter of the step on a 2-core CPU). ``mallopt(M_MMAP_MAX=0, M_TRIM_THRESHOLD=1 GiB)`` stops
    that. It is **process-wide** and lasts until the process ends: the process keeps up to 1 GiB
    of freed memory it no longer uses. Linux with glibc only; elsewhere, or if it fails, nothing
    happens. Returns True when applied (now or by an earlier call).
    """
    global _KEEPING
    if _KEEPING is None:
        _KEEPING = False
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL("libc.so.6")
                ok = libc.mallopt(-4, 0) == 1  # M_MMAP_MAX: no mmap for big blocks
                _KEEPING = libc.mallopt(-1, 1 << 30) == 1 and ok  # M_TRIM_THRESHOLD: 1 GiB
            except (OSError, AttributeError):
                pass
    return _KEEPING


_KEEPING = None  # keep_freed_memory's result, once called


def summary():
    """One line a notebook prints in its settings cell."""
    mode = (
        "QUICK (a few batches on small subsets, for tests)"
        if QUICK
        else "full (this series' recipe, printed below; not the book's numbers where a box says so)"
    )
    prec, why = precision_and_reason(device())
    return (
        f"mode: {mode} | device: {device()} | precision: {prec} ({why}) | data root: {relative(data_root())}"
    )
