"""Shared test set-up: the data root points at ../shared/data when it exists (never the network)."""

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if "DLHELPERS_DATA" not in os.environ and SHARED.is_dir():
    os.environ["DLHELPERS_DATA"] = str(SHARED)
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def mnist_root():
    """The folder that holds MNIST/raw/ with the four files, or skip when none is available."""
    from dlhelpers.data.digits import MNIST_FILES
    from dlhelpers.settings import data_root

    root = data_root()
    if not all((root / "MNIST" / "raw" / f).exists() for f in MNIST_FILES):
        pytest.skip(f"MNIST files not found under {root}/MNIST/raw (set DLHELPERS_DATA)")
    return root


def pytest_collection_modifyitems(items):
    """Notebook runs (nbval) are slow: ``tasks.py test -m "not slow"`` leaves them out."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
