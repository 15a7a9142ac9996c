import os
import platform
import random
import sys
from pathlib import Path

import pytest
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
    assert (
        f"data root: {settings.relative(settings.data_root())}" in full
        and f"device: {settings.device()}" in full
    )


def test_precision_auto_follows_the_cpu_flags(monkeypatch):
    monkeypatch.delenv("DLHELPERS_PRECISION", raising=False)
    monkeypatch.setattr(settings, "cpu_flags", lambda: {"avx2", "avx512f", "avx512_bf16"})
    assert settings.precision("cpu") == "bf16"
    monkeypatch.setattr(settings, "cpu_flags", lambda: {"avx2", "amx_bf16", "amx_tile"})
    assert settings.precision("cpu") == "bf16"
    monkeypatch.setattr(settings, "cpu_flags", lambda: {"avx2", "avx512f"})  # the Xeon: no bf16
    assert settings.precision("cpu") == "fp32"
    monkeypatch.setattr(settings, "cpu_flags", lambda: set())  # no /proc/cpuinfo
    assert settings.precision("cpu") == "fp32"
    assert settings.precision("mps") == "fp32"


def test_precision_auto_on_cuda_is_bf16_or_fp32(monkeypatch):
    monkeypatch.delenv("DLHELPERS_PRECISION", raising=False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert settings.precision("cuda") == "bf16"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert settings.precision("cuda") == "fp32"


def test_precision_can_be_forced_and_summary_says_so(monkeypatch):
    monkeypatch.setattr(settings, "cpu_flags", lambda: {"avx512_bf16"})
    monkeypatch.setattr(settings, "device", lambda: torch.device("cpu"))
    monkeypatch.setenv("DLHELPERS_PRECISION", "fp32")
    assert settings.precision() == "fp32"
    assert "precision: fp32 (set by DLHELPERS_PRECISION)" in settings.summary()
    monkeypatch.setenv("DLHELPERS_PRECISION", "BF16")
    assert settings.precision() == "bf16"
    monkeypatch.setenv("DLHELPERS_PRECISION", "auto")
    assert "precision: bf16 (auto: the CPU has avx512_bf16)" in settings.summary()
    monkeypatch.setenv("DLHELPERS_PRECISION", "fp8")
    with pytest.raises(ValueError, match="fp8"):
        settings.precision()
    monkeypatch.setenv("DLHELPERS_PRECISION", "fp16")  # needs a gradient scaler: not offered
    with pytest.raises(ValueError, match="fp16"):
        settings.precision("cpu")


def test_cpu_flags_reads_proc_cpuinfo():
    flags = settings.cpu_flags()
    assert isinstance(flags, set)
    if os.path.exists("/proc/cpuinfo") and os.uname().machine == "x86_64":
        assert "sse2" in flags


def test_autocast_runs_matmuls_in_the_precision():
    a = torch.randn(4, 4)
    with settings.autocast("cpu", "bf16"):
        assert (a @ a).dtype == torch.bfloat16
    with settings.autocast("cpu", "fp32"):
        assert (a @ a).dtype == torch.float32


def test_keep_freed_memory_never_fails_and_is_idempotent():
    first = settings.keep_freed_memory()
    assert isinstance(first, bool) and settings.keep_freed_memory() == first
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert first


def test_printed_paths_are_relative_to_the_project():
    assert settings.relative(settings.FILES / "runs" / "x.pt") == Path("files/runs/x.pt")
    assert settings.relative(settings.PROJECT.parent / "shared" / "data") == Path("../shared/data")
