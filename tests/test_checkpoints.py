import pytest
import torch
from torch import nn

from dlhelpers.chapter.models import AE, VAE
from dlhelpers.engine import checkpoints, resuming


def test_save_load_round_trip(tmp_path):
    torch.manual_seed(0)
    model = AE()
    path = checkpoints.save(model, tmp_path / "ae.pt", epoch=3, history={"loss": [1.0, 0.5]})
    back = checkpoints.load(path)
    assert isinstance(back, AE) and not back.training
    x = torch.rand(4, 784)
    assert torch.equal(model(x)[0], back(x)[0])
    assert checkpoints.extra(path) == {"epoch": 3, "history": {"loss": [1.0, 0.5]}}


def test_vae_config_is_rebuilt(tmp_path):
    path = checkpoints.save(VAE(latent_dims=8, image_size=32), tmp_path / "vae.pt")
    back = checkpoints.load(path)
    assert back.config == {"latent_dims": 8, "image_size": 32}


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "ae.pt"
    checkpoints.save(AE(), path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt("killed mid-write")

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(KeyboardInterrupt):
        checkpoints.save(AE(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ae.pt"]


def test_mismatched_model_names_keys_and_shapes(tmp_path):
    path = checkpoints.save(VAE(image_size=32), tmp_path / "vae32.pt")
    with pytest.raises(ValueError, match=r"encoder\.linear1\.weight"):
        checkpoints.load(path, model=VAE(image_size=64))
    with pytest.raises(ValueError, match="holds a 'VAE' model, not the 'AE' passed to load"):
        checkpoints.load(path, model=AE())


def test_truncated_checkpoint_is_reported(tmp_path):
    path = checkpoints.save(AE(), tmp_path / "ae.pt")
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 3])
    with pytest.raises(ValueError, match="truncated"):
        checkpoints.load(path)


class Payload:
    """An object whose unpickling would need arbitrary code."""


def test_arbitrary_pickle_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"state_dict": Payload()}, path)
    with pytest.raises(ValueError, match="Refused"):
        checkpoints.load(path)


def test_bare_state_dict_needs_a_model(tmp_path):
    model = VAE(image_size=32)
    torch.save(model.state_dict(), tmp_path / "VAEglasses.pth")
    with pytest.raises(ValueError, match="pass the model"):
        checkpoints.load(tmp_path / "VAEglasses.pth")
    back = checkpoints.load(tmp_path / "VAEglasses.pth", model=VAE(image_size=32))
    assert torch.equal(back.state_dict()["encoder.conv1.weight"], model.state_dict()["encoder.conv1.weight"])


class ChapterStyleAE(nn.Module):
    """Same attribute names as the chapter's listing 7.1, for making a TorchScript file."""

    def __init__(self):
        super().__init__()
        self.common, self.encoded = nn.Linear(784, 200), nn.Linear(200, 20)
        self.l1, self.decode = nn.Linear(20, 200), nn.Linear(200, 784)

    def forward(self, x):
        mu = self.encoded(torch.relu(self.common(x)))
        return torch.sigmoid(self.decode(torch.relu(self.l1(mu)))), mu


def test_chapter_torchscript_file_loads(tmp_path):
    torch.manual_seed(0)
    chapter = ChapterStyleAE()
    torch.jit.script(chapter).save(str(tmp_path / "AEdigits.pt"))
    model = checkpoints.load_chapter_ae(tmp_path / "AEdigits.pt")
    x = torch.rand(3, 784)
    assert torch.allclose(model(x)[0], chapter(x)[0])


def test_chapter_loader_rejects_other_files(tmp_path):
    (tmp_path / "x.pt").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="TorchScript"):
        checkpoints.load_chapter_ae(tmp_path / "x.pt")


def test_half_precision_file_is_smaller_and_loads_as_float32(tmp_path):
    torch.manual_seed(0)
    model = VAE(image_size=32)
    full = checkpoints.save(model, tmp_path / "full.pt")
    half = checkpoints.save(model, tmp_path / "half.pt", half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    back = checkpoints.load(half)
    w = back.state_dict()["encoder.linear1.weight"]
    assert w.dtype == torch.float32
    assert torch.allclose(w, model.state_dict()["encoder.linear1.weight"], atol=1e-3)


def test_random_bytes_are_not_a_pytorch_file(tmp_path):
    path = tmp_path / "noise.pt"
    path.write_bytes(
        bytes(
            torch.randint(
                0, 256, (4096,), generator=torch.Generator().manual_seed(0), dtype=torch.uint8
            ).tolist()
        )
    )
    with pytest.raises(ValueError, match="is not a PyTorch file"):
        checkpoints.load(path)


def test_a_torchscript_file_points_to_load_chapter_ae(tmp_path):
    torch.jit.script(ChapterStyleAE()).save(str(tmp_path / "AEdigits.pt"))
    with pytest.raises(ValueError, match=r"TorchScript file.*load_chapter_ae"):
        checkpoints.load(tmp_path / "AEdigits.pt")


def test_a_list_payload_is_named(tmp_path):
    torch.save([torch.zeros(3)], tmp_path / "list.pt")
    with pytest.raises(ValueError, match="holds a list, neither a dlhelpers checkpoint nor a state_dict"):
        checkpoints.load(tmp_path / "list.pt")


def test_a_killed_save_leaves_no_temp_file_forever(tmp_path):
    import os
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    ).stdout.strip()
    stale = tmp_path / f".ae.pt.{dead}.k3j9x.tmp"  # what a kill -9 mid-save leaves
    live = tmp_path / f".ae.pt.{os.getppid()}.a1b2c.tmp"  # a save still running elsewhere
    other = tmp_path / f".vae.pt.{dead}.z9y8x.tmp"  # another file's temp: not ours to judge
    for p in (stale, live, other):
        p.write_bytes(b"half")
    checkpoints.save(AE(), tmp_path / "ae.pt")
    assert not stale.exists() and live.exists() and other.exists()


def test_load_with_extra_reads_the_file_once(tmp_path, monkeypatch):
    path = checkpoints.save(AE(), tmp_path / "ae.pt", epoch=3)
    reads = []
    real = checkpoints.read
    monkeypatch.setattr(checkpoints, "read", lambda p: reads.append(p) or real(p))
    model, saved = checkpoints.load(path, with_extra=True)
    assert isinstance(model, AE) and saved == {"epoch": 3} and len(reads) == 1
    bare = tmp_path / "bare.pt"
    torch.save(AE().state_dict(), bare)
    assert checkpoints.load(bare, model=AE(), with_extra=True)[1] == {}


def test_resume_reads_the_checkpoint_once(tmp_path, monkeypatch):
    """A training checkpoint at 256 px is nearly a gigabyte: resuming reads it once."""
    from dlhelpers.engine.train import make_optimizer

    model = VAE(latent_dims=8, image_size=16)
    opt = make_optimizer(model, 1e-3)
    path = checkpoints.save(
        model, tmp_path / "run.pt", epoch=2, history={"rec": [3.0, 2.0]}, optimizer=opt.state_dict()
    )
    reads = []
    real = checkpoints.read
    monkeypatch.setattr(checkpoints, "read", lambda p: reads.append(p) or real(p))
    done, history, samples = resuming.resume(model, opt, path)
    assert (done, history, samples) == (2, {"rec": [3.0, 2.0]}, []) and len(reads) == 1


def test_update_extra_rewrites_only_a_change(tmp_path, monkeypatch):
    path = checkpoints.save(AE(), tmp_path / "ae.pt", epoch=1)
    writes = []
    real = checkpoints.atomic_save
    monkeypatch.setattr(checkpoints, "atomic_save", lambda obj, p: writes.append(p) or real(obj, p))
    checkpoints.update_extra(path, check=None)  # nothing to remove: not rewritten
    assert writes == []
    checkpoints.update_extra(path, check="The held-out error is 9x the training error.")
    assert checkpoints.extra(path) == {"epoch": 1, "check": "The held-out error is 9x the training error."}
    checkpoints.update_extra(path, check=None)
    assert checkpoints.extra(path) == {"epoch": 1} and len(writes) == 2
    assert isinstance(checkpoints.load(path), AE)


def test_errors_name_paths_relative_to_the_project(monkeypatch, tmp_path):
    from dlhelpers import settings
    from dlhelpers.errors import UserError

    monkeypatch.setattr(settings, "PROJECT", tmp_path)
    with pytest.raises(checkpoints.NoCheckpointError) as e:
        checkpoints.load(tmp_path / "files" / "runs" / "x.pt")
    assert "No checkpoint at files/runs/x.pt." in str(e.value) and str(tmp_path) not in str(e.value)
    assert isinstance(e.value, UserError) and isinstance(e.value, FileNotFoundError)
    bad = tmp_path / "files" / "bad.pt"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(checkpoints.CheckpointError, match=r"^files/bad\.pt is not a PyTorch file"):
        checkpoints.load(bad)
