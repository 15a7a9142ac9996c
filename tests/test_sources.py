"""``data.where_from``: the line every notebook's first cell prints about where the data comes from."""

import pytest
import torch

from dlhelpers import data, settings
from dlhelpers.data import face_folder, sources
from dlhelpers.data.digits import MNIST_FILES


@pytest.fixture
def empty_root(tmp_path, monkeypatch):
    """A data root without MNIST, and no photos named by the environment."""
    monkeypatch.setenv("DLHELPERS_DATA", str(tmp_path / "data"))
    monkeypatch.delenv(data.PHOTOS_ENV, raising=False)
    (tmp_path / "data").mkdir()
    return tmp_path / "data"


def test_mnist_missing_is_said_to_be_downloaded_and_present_is_not(empty_root):
    line = data.where_from()
    assert "MNIST from" in line and "torchvision downloads it there on first use" in line
    raw = empty_root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in MNIST_FILES:
        (raw / name).touch()
    line = data.where_from()
    assert f"MNIST from {settings.relative(raw)}" in line and "downloads" not in line
    assert "\n" not in line and f"faces: {data.in_use()}" in line


def test_photos_named_by_the_first_cell_are_the_faces_in_use(empty_root, tmp_path, monkeypatch):
    photos = tmp_path / "drive" / "glasses"
    (photos / "G").mkdir(parents=True)
    monkeypatch.setenv(data.PHOTOS_ENV, str(photos))
    line = data.where_from()
    assert "the book's glasses photos" in line and f"set by {data.PHOTOS_ENV}" in line
    monkeypatch.setenv(data.PHOTOS_ENV, str(tmp_path / "mistyped"))
    with pytest.raises(face_folder.NoFacesError, match="not a folder"):
        data.where_from()


@pytest.mark.parametrize("device, hint", [("cpu", True), ("cuda", False)])
def test_on_colab_without_a_gpu_a_second_line_says_how_to_get_one(empty_root, monkeypatch, device, hint):
    monkeypatch.setattr(settings, "device", lambda: torch.device(device))
    assert data.where_from(colab=False).count("\n") == 0
    line = data.where_from(colab=True)
    assert (line.split("\n")[-1] == sources.NO_GPU) is hint and line.count("\n") == int(hint)
