"""Settings read once from the environment: project folders, data root, quick mode, device, seed.

This module imports nothing else from the package, so every other module may import it.

Environment variables
---------------------
DLHELPERS_DATA   where datasets live (default: ``<project>/data``): MNIST in ``MNIST/raw/``, the
                 synthetic faces in ``synthetic-faces/``.
DLHELPERS_QUICK  ``1`` makes every notebook run in seconds (``dlhelpers.recipes`` shrinks each
                 lesson's recipe); the tests use it.
"""
import os
import random
from pathlib import Path

import torch

PROJECT = Path(__file__).resolve().parents[1]
FILES = PROJECT / "files"      # saved models, exported figures, the glasses folder
QUICK = os.environ.get("DLHELPERS_QUICK", "").strip().lower() in {"1", "true", "yes", "on"}


def data_root():
    """The dataset folder: ``$DLHELPERS_DATA`` if set, else ``<project>/data``.

    Raises NotADirectoryError if the path exists but is not a folder.
    """
    env = os.environ.get("DLHELPERS_DATA", "").strip()
    root = Path(env).expanduser() if env else PROJECT / "data"
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(
            f"The data root {root} is a file, not a folder. Point DLHELPERS_DATA at a folder "
            f"(or unset it to use {PROJECT / 'data'}).")
    return root


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


def summary():
    """One line a notebook prints in its settings cell."""
    mode = "QUICK (few batches, small subsets)" if QUICK else "full (the chapter's recipe)"
    return f"mode: {mode} | device: {device()} | data root: {data_root()}"
