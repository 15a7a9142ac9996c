"""Benchmarks that print figures: ``python -m dlhelpers bench ae`` (and ``vae``, ``widgets``).

Each prints a few readable lines, then one JSON object as its last line.
"""
import statistics
import time
from pathlib import Path

import torch

from . import latent, recipes, settings


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
    from .models import AE
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
    """The chapter's AE loop against ``train.fit_ae`` with the recipe, ``epochs`` each."""
    from .data import mnist, to_float
    from .models import AE
    from .train import ae_test_mse, fit_ae
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
    from .synthetic_faces import render
    from .synthetic_set import face_traits
    rng = np.random.default_rng(seed)
    for i in range(1, n + 1):
        traits = face_traits(i, seed)
        img = np.asarray(render(traits, 128).resize((side, side), Image.BICUBIC), np.int16)
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


def bench_vae(recipe=recipes.BENCH_VAE):
    """The chapter's 256-px VAE loop against ``train.fit_vae`` on generated 1024-px PNGs."""
    import tempfile
    from .face_folder import load as load_faces
    from .models import VAE
    from .train import fit_vae, vae_scores
    n, epochs, size, batch_size, lr = (recipe.images, recipe.epochs, recipe.size,
                                       recipe.batch_size, recipe.lr)
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


def _times_ms(set_value, values):
    """Milliseconds each call ``set_value(v)`` took, one per value."""
    times = []
    for v in values:
        t = time.perf_counter()
        set_value(v)
        times.append((time.perf_counter() - t) * 1000)
    return times


def _p90(times):
    return sorted(times)[int(0.9 * (len(times) - 1))]


def bench_widgets(moves=50, image_size=64, seed=0):
    """Milliseconds per slider redraw of each slider widget, for a ``VAE(image_size=64)``.

    A redraw is what one slider move costs in Python: the blend, one decode, the PNG (the browser
    adds its own few ms to show the new image). Reports the median and the 90th percentile over
    ``moves`` moves, and, for comparison, one decode on all of torch's threads. Random weights:
    the timing does not depend on them. Prints readable lines and returns the figures as a dict.
    """
    from .models import VAE
    from .plot import enlargement, png_bytes
    from .sliders import arithmetic_sliders, attribute_slider, interpolation_slider
    torch.manual_seed(seed)
    model = VAE(image_size=image_size).eval()
    d = model.config["latent_dims"]
    z1, z2, z3 = latent.random_codes(3, d, seed)
    values = [round((i % 20) / 20 + 0.025, 3) for i in range(moves)]  # every move a new value
    interp = interpolation_slider(model, z1, z2)
    arith = arithmetic_sliders(model, {"a": z1, "b": z2, "c": z3}, {"a": 1, "b": -1, "c": 1})
    attr = attribute_slider(model, z1, {"glasses": z2 - z1})
    first = next(iter(arith.sliders.values()))
    times = dict(
        interpolation=_times_ms(lambda v: setattr(interp.slider, "value", v), values),
        arithmetic=_times_ms(lambda v: setattr(first, "value", 4 * v - 2), values),
        attribute=_times_ms(lambda v: setattr(attr.slider, "value", 6 * v - 3), values),
        decode_all_threads=_times_ms(lambda v: latent.decode(model, z1.unsqueeze(0) * v), values),
        png=_times_ms(lambda v: png_bytes(torch.full((3, image_size, image_size), v)), values))
    assert interp.redraws == attr.redraws == moves + 1, "every move must redraw once"
    factor = enlargement(image_size)
    print(f"widget redraws at {image_size} px, shown x{factor}, over {moves} slider moves "
          f"(torch has {torch.get_num_threads()} threads; the widgets decode on 1):")
    result = {}
    for name, ms in times.items():
        median, p90 = statistics.median(ms), _p90(ms)
        print(f"  {name:<20} median {median:6.2f} ms   90th percentile {p90:6.2f} ms")
        result[f"{name}_ms"], result[f"{name}_p90_ms"] = round(median, 2), round(p90, 2)
    result.update(moves=moves, image_size=image_size, scale=factor)
    return result
