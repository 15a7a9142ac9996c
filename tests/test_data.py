import shutil

import pytest
import torch

from dlhelpers import data, settings
from dlhelpers.data import digits


def test_data_root_from_env_or_default(monkeypatch, tmp_path):
    monkeypatch.setenv("DLHELPERS_DATA", str(tmp_path))
    assert settings.data_root() == tmp_path
    monkeypatch.delenv("DLHELPERS_DATA")
    assert settings.data_root().name == "data"


def test_data_root_that_is_a_file_is_refused(monkeypatch, tmp_path):
    f = tmp_path / "not-a-folder"
    f.write_text("x")
    monkeypatch.setenv("DLHELPERS_DATA", str(f))
    with pytest.raises(NotADirectoryError, match="DLHELPERS_DATA"):
        settings.data_root()


def test_mnist_shapes_types_and_ranges(mnist_root):
    x, y = data.mnist(train=True)
    assert x.shape == (60000, 28, 28) and x.dtype == torch.uint8
    assert y.shape == (60000,) and int(y.min()) == 0 and int(y.max()) == 9
    xt, yt = data.mnist(train=False)
    assert xt.shape == (10000, 28, 28) and yt.shape == (10000,)
    f = data.to_float(xt[:5])
    assert f.dtype == torch.float32 and 0 <= float(f.min()) and float(f.max()) <= 1


def test_one_per_digit_picks_each_digit_once(mnist_root):
    _, y = data.mnist(train=False)
    idx = data.one_per_digit(y)
    assert [int(y[i]) for i in idx] == list(range(10))


def _no_network(monkeypatch):
    import urllib.request

    def refuse(*a, **k):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_offline_with_no_files_names_folder_and_variable(monkeypatch, tmp_path):
    _no_network(monkeypatch)
    with pytest.raises(FileNotFoundError) as e:
        data.mnist(root=tmp_path)
    msg = str(e.value)
    assert str(tmp_path / "MNIST" / "raw") in msg and "DLHELPERS_DATA" in msg


def test_half_present_files_are_named(monkeypatch, tmp_path, mnist_root):
    _no_network(monkeypatch)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f in data.MNIST_FILES[:2]:
        shutil.copy(mnist_root / "MNIST" / "raw" / f, raw / f)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        data.mnist(root=tmp_path)


def test_truncated_file_gives_clear_error(monkeypatch, tmp_path, mnist_root):
    _no_network(monkeypatch)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f in data.MNIST_FILES:
        shutil.copy(mnist_root / "MNIST" / "raw" / f, raw / f)
    blob = (raw / "t10k-images-idx3-ubyte").read_bytes()
    (raw / "t10k-images-idx3-ubyte").write_bytes(blob[: len(blob) // 2])
    with pytest.raises((FileNotFoundError, ValueError), match="MNIST"):
        data.mnist(train=False, root=tmp_path)


@pytest.fixture
def stalling_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a stalled proxy)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_stalling_network_gives_up_in_time_with_a_clear_message(monkeypatch, tmp_path, stalling_server):
    import time

    import torchvision

    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [stalling_server, stalling_server])
    monkeypatch.setattr(digits, "MNIST_DEADLINE_S", 1.5)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)  # loopback only, never a real proxy
    monkeypatch.setenv("no_proxy", "*")
    start = time.monotonic()
    with pytest.raises(FileNotFoundError) as e:
        data.mnist(root=tmp_path)
    assert time.monotonic() - start < 6
    msg = str(e.value)
    assert "gave up after 1.5 s" in msg and str(tmp_path / "MNIST" / "raw") in msg
    assert "train-images-idx3-ubyte" in msg and "DLHELPERS_DATA" in msg
    assert not (tmp_path / "MNIST").exists()  # no empty folders left behind


def test_a_mistyped_data_root_is_not_created(monkeypatch, tmp_path):
    _no_network(monkeypatch)
    typo = tmp_path / "shraed" / "data"
    monkeypatch.setenv("DLHELPERS_DATA", str(typo))
    with pytest.raises(FileNotFoundError, match=r"shraed/data does not exist.*DLHELPERS_DATA"):
        data.mnist()
    assert not (tmp_path / "shraed").exists()
