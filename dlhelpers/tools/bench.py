"""``python -m dlhelpers bench ae``: the package's AE loop against the chapter's own, and the matmul
peak every benchmark compares with. ``bench vae``, ``photos`` and ``widgets`` are in ``bench_vae``,
``bench_photos`` and ``bench_widgets``.

Each prints a few readable lines, then one JSON object as its last line.
"""

import time

import torch
import torchvision
import torchvision.transforms as T

from dlhelpers import settings
from dlhelpers.chapter.latent import to_float
from dlhelpers.chapter.models import AE
from dlhelpers.data.digits import mnist
from dlhelpers.engine import recipes
from dlhelpers.engine.loops import ae_test_mse, fit_ae


def matmul_peak_gflops(n=2048, repeats=10, dtype=torch.float32, device="cpu"):
    """Measured matmul speed of ``dtype`` on ``device``, in GFLOP/s (best of ``repeats``)."""
    a = torch.randn(n, n, device=device).to(dtype)
    b = torch.randn(n, n, device=device).to(dtype)
    sync = torch.cuda.synchronize if torch.device(device).type == "cuda" else (lambda: None)
    a @ b
    sync()
    best = min(timed(lambda: (a @ b, sync())) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def ae_train_flops(model, n_images):
    """FLOPs of training the dense AE: 2 per multiply-add forward, about 3x that with backward."""
    macs = sum(p.numel() for name, p in model.named_parameters() if name.endswith("weight"))
    return 3 * 2 * macs * n_images


def chapter_style_ae(epochs, subset=None):
    """The chapter's loop: ToTensor per sample, DataLoader batch 32, Adam 2.5e-4, summed error."""

    tf = T.ToTensor()
    train = torchvision.datasets.MNIST(str(settings.data_root()), train=True, download=True, transform=tf)
    if subset:
        train = torch.utils.data.Subset(train, range(subset))
    loader = torch.utils.data.DataLoader(train, batch_size=32, shuffle=True)
    settings.seed(0)
    model = AE()
    opt = torch.optim.Adam(model.parameters(), lr=2.5e-4)
    t = time.perf_counter()
    for _ in range(epochs):
        for imgs, _ in loader:
            imgs = imgs.view(-1, 784)
            out, _ = model(imgs)
            loss = ((out - imgs) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model, time.perf_counter() - t


def bench_ae(epochs=None, subset=None):
    """The chapter's AE loop against ``loops.fit_ae`` with the recipe, ``epochs`` each."""

    x, _ = mnist(train=True)
    xt, _ = mnist(train=False)
    r = recipes.AE
    epochs = epochs or r.epochs
    x = x[:subset] if subset else x
    test = to_float(xt).flatten(1)
    peak = matmul_peak_gflops()
    print(f"matmul peak: {peak:.0f} GFLOP/s (fp32, {torch.get_num_threads()} threads)")
    base_model, base_s = chapter_style_ae(epochs, subset)
    base_mse = ae_test_mse(base_model, test)
    print(f"chapter-style loop: {base_s:.1f} s for {epochs} epochs, test MSE {base_mse:.5f} per pixel")
    settings.seed(0)
    model = AE()
    t = time.perf_counter()
    fit_ae(model, x, xt, epochs=epochs, batch_size=r.batch_size, lr=r.lr, progress=False)
    ours_s = time.perf_counter() - t
    ours_mse = ae_test_mse(model, test)
    gflops = ae_train_flops(model, len(x) * epochs) / ours_s / 1e9
    print(
        f"dlhelpers.fit_ae:   {ours_s:.1f} s for {epochs} epochs, test MSE {ours_mse:.5f} per pixel "
        f"(includes a test pass per epoch), {gflops:.0f} GFLOP/s = {gflops / peak:.0%} of peak"
    )
    print(f"speedup: {base_s / ours_s:.1f}x")
    return dict(
        baseline_s=round(base_s, 2),
        ours_s=round(ours_s, 2),
        speedup=round(base_s / ours_s, 2),
        baseline_mse=round(base_mse, 5),
        ours_mse=round(ours_mse, 5),
        peak_gflops=round(peak, 1),
        ours_gflops=round(gflops, 1),
    )
