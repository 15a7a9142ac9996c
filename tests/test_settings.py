import random

import torch

from dlhelpers import settings


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert settings.device().type == "cpu"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert settings.device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert settings.device().type == "cuda"


def test_seed_repeats_random_draws():
    settings.seed(3)
    a = (random.random(), torch.rand(4))
    settings.seed(3)
    b = (random.random(), torch.rand(4))
    assert a[0] == b[0] and torch.equal(a[1], b[1])


def test_summary_names_mode_device_and_root(monkeypatch):
    monkeypatch.setattr(settings, "QUICK", True)
    quick = settings.summary()
    monkeypatch.setattr(settings, "QUICK", False)
    full = settings.summary()
    assert quick.startswith("mode: QUICK") and full.startswith("mode: full")
    assert f"data root: {settings.data_root()}" in full and f"device: {settings.device()}" in full
