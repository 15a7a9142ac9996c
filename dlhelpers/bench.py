"""Benchmarks that print figures: ``python -m dlhelpers.bench ae`` (and ``vae``, ``widgets``).

Each prints a few readable lines, then one JSON object as its last line.
"""
import argparse
import json
import time
from pathlib import Path

import torch

from . import settings


def matmul_peak_gflops(n=2048, repeats=10):
    """Measured fp32 matmul speed on this machine, in GFLOP/s (best of ``repeats``)."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n ** 3 / best / 1e9


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def ae_train_flops(model, n_images):
    """FLOPs of training the dense AE: 2 per multiply-add forward, about 3x that with backward."""
    macs = sum(p.numel() for name, p in model.named_parameters() if name.endswith("weight"))
    return 3 * 2 * macs * n_images


def chapter_style_ae(epochs, subset=None):
    """The chapter's loop: ToTensor per sample, DataLoader batch 32, Adam 2.5e-4, summed error."""
    import torchvision
    import torchvision.transforms as T
    from .data import data_root
    from .models import AE
    tf = T.ToTensor()
    train = torchvision.datasets.MNIST(str(data_root()), train=True, download=True, transform=tf)
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


def bench_ae(epochs=10, subset=None):
    from .data import mnist, to_float
    from .models import AE
    from .train import ae_test_mse, fit_ae
    x, _ = mnist(train=True)
    xt, _ = mnist(train=False)
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
    fit_ae(model, x, xt, epochs=epochs, progress=False)
    ours_s = time.perf_counter() - t
    ours_mse = ae_test_mse(model, test)
    gflops = ae_train_flops(model, len(x) * epochs) / ours_s / 1e9
    print(f"dlhelpers.fit_ae:   {ours_s:.1f} s for {epochs} epochs, test MSE {ours_mse:.5f} per pixel "
          f"(includes a test pass per epoch), {gflops:.0f} GFLOP/s = {gflops / peak:.0%} of peak")
    print(f"speedup: {base_s / ours_s:.1f}x")
    return dict(baseline_s=round(base_s, 2), ours_s=round(ours_s, 2),
                speedup=round(base_s / ours_s, 2), baseline_mse=round(base_mse, 5),
                ours_mse=round(ours_mse, 5), peak_gflops=round(peak, 1),
                ours_gflops=round(gflops, 1))


def full_size_pngs(dst, n, side=1024, seed=0):
    """Write ``n`` synthetic faces as ``side``-px PNGs in the G/NoG layout, like the Kaggle photos.

    Faces are drawn at 128 px, enlarged, and given a light film grain so that the files are about
    the size of photographs (smooth cartoons would compress, and decode, unrealistically fast).
    """
    import numpy as np
    from PIL import Image
    from . import faces
    rng = np.random.default_rng(seed)
    for i in range(1, n + 1):
        traits = faces.face_traits(i, seed)
        img = np.asarray(faces.render(traits, 128).resize((side, side), Image.BICUBIC), np.int16)
        img = np.clip(img + rng.integers(-4, 5, img.shape), 0, 255).astype(np.uint8)
        folder = Path(dst) / ("NoG" if traits["glasses"] == "none" else "G")
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(folder / f"face-{i}.png", compress_level=1)
    return Path(dst)


def chapter_style_vae(folder, held_out_files, epochs, size):
    """The chapter's loop: ImageFolder + Resize + ToTensor per image, batch 16, plain Adam 1e-4."""
    import torchvision
    import torchvision.transforms as T
    from .models import VAE, vae_loss
    tf = T.Compose([T.Resize(size), T.ToTensor()])
    ds = torchvision.datasets.ImageFolder(str(folder), transform=tf)
    keep = [i for i, (p, _) in enumerate(ds.samples) if Path(p).name not in held_out_files]
    loader = torch.utils.data.DataLoader(torch.utils.data.Subset(ds, keep), batch_size=16, shuffle=True)
    settings.seed(0)
    model = VAE(image_size=size)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    t = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for imgs, _ in loader:
            mu, std, out = model(imgs)
            rec, kl = vae_loss(imgs, mu, std, out)
            opt.zero_grad()
            (rec + kl).backward()
            opt.step()
    return model, (time.perf_counter() - t) / (len(keep) * epochs) * 1000


def bench_vae(epochs=10, subset=160, size=256, batch_size=32, lr=1e-3):
    import tempfile
    from .data import load_faces
    from .models import VAE
    from .train import fit_vae, vae_scores
    n = subset
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        folder = full_size_pngs(Path(tmp) / "faces", n)
        mb = sum(p.stat().st_size for p in folder.rglob("*.png")) / 1e6
        print(f"wrote {n} PNGs of 1024 px ({mb:.0f} MB) in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        faces = load_faces(folder, size, progress=False)      # decoded and resized once
        decode_ms = (time.perf_counter() - t) / n * 1000
        order = torch.randperm(n, generator=torch.Generator().manual_seed(0))
        held, train_idx = order[: n // 10], order[n // 10:]
        held_files = {Path(faces.files[i]).name for i in held.tolist()}
        base_model, base_ms = chapter_style_vae(folder, held_files, epochs, size)
        base_mse = vae_scores(base_model, faces.images[held])["mse"]
        print(f"chapter-style loop: {base_ms:.1f} ms per image per epoch, held-out MSE {base_mse:.4f}")
        settings.seed(0)
        model = VAE(image_size=size)
        t = time.perf_counter()
        fit_vae(model, faces.images[train_idx], epochs=epochs, batch_size=batch_size, lr=lr,
                progress=False)
        train_ms = (time.perf_counter() - t) / (len(train_idx) * epochs) * 1000
        ours_mse = vae_scores(model, faces.images[held])["mse"]
    ours_ms = train_ms + decode_ms / epochs       # the one-time decoding, spread over the epochs
    full_min = (4500 * decode_ms + 4500 * 10 * train_ms) / 60000
    print(f"dlhelpers: decode once {decode_ms:.1f} ms per image, then {train_ms:.1f} ms per image "
          f"per epoch (batch {batch_size}, lr {lr}); {ours_ms:.1f} ms with decoding spread over "
          f"{epochs} epochs; held-out MSE {ours_mse:.4f}")
    print(f"speedup: {base_ms / ours_ms:.1f}x; projected full run (4,500 images x 10 epochs at "
          f"{size} px): {full_min:.1f} min with dlhelpers, {4500 * 10 * base_ms / 60000:.0f} min chapter-style")
    return dict(baseline_ms_per_image=round(base_ms, 1), ours_ms_per_image=round(ours_ms, 1),
                speedup=round(base_ms / ours_ms, 2), baseline_mse=round(base_mse, 5),
                ours_mse=round(ours_mse, 5), projected_full_run_min=round(full_min, 1))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m dlhelpers.bench", description=__doc__)
    p.add_argument("what", choices=["ae", "vae", "widgets"])
    p.add_argument("--epochs", type=int, default=10, help="default: the chapter's 10")
    p.add_argument("--subset", type=int, default=None,
                   help="ae: train on the first N digits; vae: generate N images (default 160)")
    args = p.parse_args(argv)
    if args.what == "ae":
        result = bench_ae(args.epochs, args.subset)
    elif args.what == "widgets":
        from .widgets import bench_widgets
        result = bench_widgets()
    else:
        result = bench_vae(args.epochs, args.subset or 160)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
