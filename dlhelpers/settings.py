"""Settings read once from the environment: project folders, quick mode, device, seeding.

Environment variables
---------------------
DLHELPERS_DATA   where datasets live (default: ``<project>/data``); see ``dlhelpers.data``.
DLHELPERS_QUICK  ``1`` makes every notebook run in seconds (few batches, small subsets).
"""
import os
import random
from pathlib import Path

import torch

PROJECT = Path(__file__).resolve().parents[1]
FILES = PROJECT / "files"      # saved models, exported figures, the glasses folder
QUICK = os.environ.get("DLHELPERS_QUICK", "").strip().lower() in {"1", "true", "yes", "on"}


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
    from .data import data_root
    mode = "QUICK (few batches, small subsets)" if QUICK else "full (the chapter's recipe)"
    return f"mode: {mode} | device: {device()} | data root: {data_root()}"
