import json

from dlhelpers import bench, checkpoints
from dlhelpers.__main__ import main as cli
from dlhelpers.models import AE


def test_matmul_peak_is_measured():
    assert bench.matmul_peak_gflops(n=256, repeats=2) > 0


def test_ae_train_flops_counts_the_four_weight_matrices():
    macs = 784 * 200 + 200 * 20 + 20 * 200 + 200 * 784
    assert bench.ae_train_flops(AE(), 10) == 6 * macs * 10


def test_bench_ae_prints_json_with_the_agreed_keys(mnist_root, capsys):
    bench.main(["ae", "--epochs", "1", "--subset", "640"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    assert set(result) == {"baseline_s", "ours_s", "speedup", "baseline_mse", "ours_mse",
                           "peak_gflops", "ours_gflops"}
    assert result["baseline_s"] > 0 and 0 < result["ours_mse"] < 1


def test_cli_trains_and_saves_an_ae(mnist_root, tmp_path, monkeypatch):
    import dlhelpers.data as data
    real = data.mnist
    monkeypatch.setattr(data, "mnist", lambda train=True: tuple(t[:500] for t in real(train)))
    out = tmp_path / "ae.pt"
    cli(["train", "ae", "--epochs", "1", "--out", str(out)])
    model = checkpoints.load(out)
    assert isinstance(model, AE) and len(checkpoints.extra(out)["history"]["test_mse"]) == 1


def test_bench_vae_reports_the_agreed_keys(tmp_path, monkeypatch):
    """A tiny run (small images, 12 PNGs, one epoch) of the faces benchmark."""
    real = bench.full_size_pngs
    monkeypatch.setattr(bench, "full_size_pngs", lambda dst, n: real(dst, n, side=64))
    result = bench.bench_vae(epochs=1, subset=12, size=32)
    assert set(result) == {"baseline_ms_per_image", "ours_ms_per_image", "speedup", "baseline_mse",
                           "ours_mse", "projected_full_run_min"}
    assert result["baseline_ms_per_image"] > 0 and 0 < result["ours_mse"] < 1


def test_cli_bench_passes_its_arguments_on(monkeypatch):
    seen = []
    monkeypatch.setattr(bench, "main", lambda argv: seen.append(argv))
    cli(["bench", "ae", "--epochs", "1"])
    assert seen == [["ae", "--epochs", "1"]]
