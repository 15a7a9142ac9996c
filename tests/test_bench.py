"""The benchmarks (``dlhelpers.tools.bench``), run tiny: they must print their figures and JSON."""

import dataclasses
import json

import pytest
import torch

from dlhelpers.chapter.models import AE
from dlhelpers.engine import recipes
from dlhelpers.tools import bench, bench_vae
from dlhelpers.tools.cli import main


def test_ae_train_flops_counts_the_four_weight_matrices():
    macs = 784 * 200 + 200 * 20 + 20 * 200 + 200 * 784
    assert bench.ae_train_flops(AE(), 10) == 6 * macs * 10


@pytest.mark.slow
def test_bench_ae_prints_json_with_the_agreed_keys(mnist_root, capsys):
    assert main(["bench", "ae", "--epochs", "1", "--subset", "640"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    assert set(result) == {
        "baseline_s",
        "ours_s",
        "speedup",
        "baseline_mse",
        "ours_mse",
        "peak_gflops",
        "ours_gflops",
    }
    assert 0 < result["ours_mse"] < 0.2  # one epoch on 640 digits: well below untrained


@pytest.mark.slow
def test_bench_vae_reports_the_agreed_keys(tmp_path, monkeypatch):
    """A tiny run (small images, 12 PNGs, two epochs) of the faces benchmark."""
    real = bench_vae.write_pngs
    monkeypatch.setattr(bench_vae, "write_pngs", lambda dst, n: real(dst, n, side=64, draw=64))
    tiny = dataclasses.replace(
        recipes.full("bench_vae"), train_images=10, held_out_images=2, epochs=2, size=32
    )
    result = bench_vae.bench_vae(tiny)
    assert set(result) >= {
        "baseline_ms_per_image",
        "ours_ms_per_image",
        "speedup",
        "baseline_mse",
        "ours_mse",
        "projected_full_run_min",
        "precision",
        "batch_size",
        "threads",
        "limit_ms_per_image",
        "share_of_limit",
        "compare_mse",
    }
    assert 0 < result["ours_mse"] < 1 and 0 < result["baseline_mse"] < 1
    assert result["precision"] in {"fp32", "bf16", "fp16"} and result["batch_size"] == tiny.batch_size
    assert result["limit_ms_per_image"] > 0 and 0 < result["share_of_limit"]
    assert result["threads"] == torch.get_num_threads()


def test_vae_train_flops_counts_convolutions_and_dense_layers():
    """0.53 GFLOP per image at 256 px, as the speed study measured; dense layers dominate."""
    assert bench_vae.vae_train_flops(256) / 1e9 == pytest.approx(0.532, abs=0.001)
    r = 3  # 32 px: 32/8 - 1
    dense = 2 * 32 * r * r * 1024 + 3 * 1024 * 100
    convs = (
        16 * 16 * 8 * 3 * 9
        + 8 * 8 * 16 * 8 * 9
        + r * r * 32 * 16 * 9  # encoder
        + r * r * 32 * 16 * 9
        + 8 * 8 * 16 * 8 * 9
        + 16 * 16 * 8 * 3 * 9
    )  # decoder (inputs)
    assert bench_vae.vae_train_flops(32) == 6 * (dense + convs)


def test_matmul_peak_measures_bf16_too():
    assert bench.matmul_peak_gflops(n=64, repeats=2, dtype=torch.bfloat16) > 0


def test_bench_widgets_prints_the_json_last(capsys, monkeypatch):
    from dlhelpers.tools import bench_widgets

    real = bench_widgets.bench_widgets
    monkeypatch.setattr(bench_widgets, "bench_widgets", lambda: real(moves=3, image_size=16))
    assert main(["bench", "widgets"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"interpolation_ms", "arithmetic_ms", "attribute_ms"} <= set(result)
    assert result["moves"] == 3 and result["image_size"] == 16


@pytest.mark.slow
def test_bench_photos_walks_the_whole_path_and_reports_it(tmp_path, capsys, monkeypatch):
    """A tiny run (32 px, 120 portraits, a few steps) of the photos path: every line and key."""
    from dlhelpers.data import photo_faces
    from dlhelpers.tools import bench_photos

    real = photo_faces.kaggle_download
    monkeypatch.setattr(photo_faces, "kaggle_download", lambda dst, n: real(dst, n, side=64))
    tiny = dataclasses.replace(
        recipes.full("photos_vae"), size=32, steps=12, min_images=50, train_images=None, held_out_images=None
    )
    result = bench_photos.bench_photos(images=120, recipe=tiny, workdir=tmp_path, check_faces=40)
    out = capsys.readouterr().out
    for words in (
        "Kaggle-layout download of 120",
        "plan: 97 training faces, batch 32, 3 epochs: 12 optimizer steps",
        "book's picks",
        "chapter's arithmetic",
        "thin, pale frames",
        "wall times",
    ):
        assert words in out, words
    assert result["steps"] == 12 and result["untrained_mse"] > 0 and result["size"] == 32
    assert set(result["group_glasses"]) == {
        "men_glasses",
        "women_glasses",
        "men_noglasses",
        "women_noglasses",
    }
    assert {"judge_dark", "shape_light", "faces"} <= set(result["thin_frames"])
    lines = bench_photos.describe(result).splitlines()  # notebook 02's appendix lines
    assert len(lines) == 3 and "32 px, batch 32, 12 steps" in lines[0] and "thin frames" in lines[2]
    assert list(tmp_path.iterdir()) == []  # the temporary folder is gone
