import torch

from dlhelpers import settings
from dlhelpers.chapter.models import AE
from dlhelpers.engine.loops import ae_test_mse, fit_ae
from dlhelpers.engine.train import batches


def fake_digits(n, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 28, 28, generator=g) * 255).to(torch.uint8)


def test_batches_cover_every_row_once():
    x = torch.arange(10).view(10, 1)
    parts = list(batches(x, 4, torch.Generator().manual_seed(0)))
    assert [len(p) for p in parts] == [4, 4, 2]
    assert sorted(torch.cat(parts).flatten().tolist()) == list(range(10))


def test_fit_ae_lowers_the_test_error_and_repeats_with_a_seed(mnist_root):
    from dlhelpers.data.digits import mnist

    x, _ = mnist(train=True)
    xt, _ = mnist(train=False)
    runs = []
    for _ in range(2):
        settings.seed(0)
        model = AE()
        before = ae_test_mse(model, xt[:1000].float().div(255).flatten(1))
        hist = fit_ae(model, x[:3000], xt[:1000], epochs=2, batch_size=256, lr=3e-3, progress=False)
        runs.append(hist)
    assert len(hist["test_mse"]) == 2 and hist["test_mse"][-1] < before / 2
    assert runs[0] == runs[1]
