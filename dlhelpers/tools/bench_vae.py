"""``python -m dlhelpers bench vae``: the chapter's 256-px VAE loop against ``train.fit_vae``, side by
side in one run, on generated 1024-px PNGs. Prints a few readable lines, then one JSON object.
"""

import statistics
import tempfile
import time
from pathlib import Path

import torch
import torchvision
import torchvision.transforms as T
from torch import nn

from dlhelpers import settings
from dlhelpers.chapter.core import vae_loss
from dlhelpers.chapter.models import VAE
from dlhelpers.data.face_folder import load as load_faces
from dlhelpers.data.photo_faces import write_pngs
from dlhelpers.engine import recipes
from dlhelpers.engine.train import fit_vae, vae_scores
from dlhelpers.tools.bench import matmul_peak_gflops


def chapter_style_vae(folder, held_out_files, epochs, size, device="cpu"):
    """The chapter's loop: ImageFolder + Resize + ToTensor per image, batch 16, plain Adam 1e-4,
    fp32 (each batch moved to ``device``, as the book does)."""

    tf = T.Compose([T.Resize(size), T.ToTensor()])
    ds = torchvision.datasets.ImageFolder(str(folder), transform=tf)
    keep = [i for i, (p, _) in enumerate(ds.samples) if Path(p).name not in held_out_files]
    loader = torch.utils.data.DataLoader(torch.utils.data.Subset(ds, keep), batch_size=16, shuffle=True)
    settings.seed(0)
    model = VAE(image_size=size).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    t = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for imgs, _ in loader:
            imgs = imgs.to(device)
            mu, std, out = model(imgs)
            rec, kl = vae_loss(imgs, mu, std, out)
            opt.zero_grad()
            (rec + kl).backward()
            opt.step()
    sync(device)
    return model, (time.perf_counter() - t) / (len(keep) * epochs) * 1000


def sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def vae_train_flops(size, latent_dims=100):
    """FLOPs of training the chapter's VAE on one ``size``-px image: its forward multiply-adds
    (convolutions, transposed convolutions, dense layers; counted with hooks), x2 for a
    multiply-add, x3 for forward plus backward. 0.53 GFLOP at 256 px."""

    model, macs = VAE(latent_dims, size).eval(), []

    def count(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] if hasattr(m, "kernel_size") else 1
        if isinstance(m, nn.Linear):
            macs.append(m.in_features * m.out_features)
        elif isinstance(m, nn.Conv2d):
            macs.append(out[0].numel() * m.in_channels // m.groups * k)
        elif isinstance(m, nn.ConvTranspose2d):
            macs.append(inp[0][0].numel() * m.out_channels // m.groups * k)

    hooks = [
        m.register_forward_hook(count)
        for m in model.modules()
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))
    ]
    with torch.no_grad():
        model(torch.rand(1, 3, size, size))
    for h in hooks:
        h.remove()
    return 6 * sum(macs)


def train_once(images, held, size, batch_size, lr, epochs, device, precision):
    """``train.fit_vae`` as a user runs it: ``(ms, warm_up_s, mse)``.

    ms per image per epoch in the steady state (the median epoch after the first), the seconds the
    first epoch took beyond that (creating kernels, growing memory: paid once per run), and the
    held-out MSE per pixel."""

    settings.seed(0)
    model = VAE(image_size=size).to(device)
    sync(device)
    seconds = fit_vae(
        model, images, epochs=epochs, batch_size=batch_size, lr=lr, progress=False, precision=precision
    )["seconds"]
    steady = statistics.median(seconds[1:] or seconds)
    return steady / len(images) * 1000, max(0.0, seconds[0] - steady), vae_scores(model, held)["mse"]


def full_run_min(decode_ms, train_ms, warm_up_s=0.0, images=4500, epochs=10):
    """Minutes of the book's run: every image decoded once, then ``epochs`` epochs."""
    return (images * decode_ms + images * epochs * train_ms + 1000 * warm_up_s) / 60000


def bench_vae(recipe=recipes.BENCH_VAE):
    """The chapter's 256-px VAE loop against ``train.fit_vae`` on generated 1024-px PNGs.

    Side by side in one run, on ``settings.device()``: the chapter-style loop (fp32, batch 16,
    decoding every epoch), then ``fit_vae`` at the recipe's batch size and at
    ``compare_batch_size``, both in ``settings.precision()`` (decoding once, with ``face_folder``).
    Reports ms per image per epoch, held-out MSE per pixel, the projected minutes of the book's
    run (4,500 images decoded once, 10 epochs at the steady ms per image, plus the first epoch's
    one-time warm-up), and how far training is from the machine's limit:
    ``limit_ms_per_image`` = training FLOPs per image / the best matmul peak measured among the
    precisions used (bf16 autocast multiplies in bf16), ``share_of_limit`` = limit / measured.
    The chapter-style loop runs first, before ``fit_vae`` sets ``settings.keep_freed_memory``.
    The load average (1 min) before and after is printed: other processes slow everything down.
    """

    n_train, n_held = recipe.train_images, recipe.held_out_images
    n, epochs, size, lr = n_train + n_held, recipe.epochs, recipe.size, recipe.lr
    device = settings.device()
    prec, why = settings.precision_and_reason(device)
    threads, load_before = torch.get_num_threads(), settings.load_average()
    peaks = {"fp32": matmul_peak_gflops(device=device)}
    if prec != "fp32":
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[prec]
        peaks[prec] = matmul_peak_gflops(dtype=dtype, device=device)
    flops = vae_train_flops(size)
    limit_ms = flops / max(peaks.values()) / 1e6
    print(f"device {device}, {threads} threads, precision {prec} ({why}); load average {load_before}")
    print(
        "matmul peak: "
        + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in peaks.items())
        + f"; training costs {flops / 1e9:.3f} GFLOP per image: limit {limit_ms:.2f} ms per image"
    )
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        folder, _ = write_pngs(Path(tmp) / "faces", n)
        mb = sum(p.stat().st_size for p in folder.rglob("*.png")) / 1e6
        print(f"wrote {n} PNGs of 1024 px ({mb:.0f} MB) in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        faces = load_faces(folder, size, progress=False)  # decoded and resized once
        decode_ms = (time.perf_counter() - t) / n * 1000
        order = torch.randperm(n, generator=torch.Generator().manual_seed(0))
        held_idx, train_idx = order[:n_held], order[n_held:]
        held, train = faces.images[held_idx], faces.images[train_idx]
        held_files = {Path(faces.files[i]).name for i in held_idx.tolist()}

        base_model, base_ms = chapter_style_vae(folder, held_files, epochs, size, device)
        base_mse = vae_scores(base_model, held)["mse"]
        del base_model
        print(
            f"chapter-style loop (fp32, batch 16, Adam 1e-4): {base_ms:.1f} ms per image per "
            f"epoch, held-out MSE {base_mse:.4f}  [{len(train)} training images, {epochs} epochs]"
        )
        runs = {}
        for bs in dict.fromkeys((recipe.batch_size, recipe.compare_batch_size)):
            ms, warm_up, mse = train_once(train, held, size, bs, lr, epochs, device, prec)
            runs[bs] = (ms, mse, full_run_min(decode_ms, ms, warm_up), warm_up)
            print(
                f"dlhelpers batch {bs:3d} ({prec}, fused Adam {lr:g}, "
                f"{-(-len(train) // bs) * epochs} steps): {ms:.2f} ms per image per epoch "
                f"(+ {warm_up:.1f} s once, in the first epoch), held-out MSE {mse:.4f}, "
                f"{limit_ms / ms:.0%} of the limit; full run {runs[bs][2]:.2f} min"
            )
    train_ms, ours_mse, full_min, warm_up = runs[recipe.batch_size]
    alt_ms, alt_mse, alt_min, _ = runs[recipe.compare_batch_size]
    ours_ms = train_ms + decode_ms / epochs  # the one-time decoding, spread over the epochs
    base_min = 4500 * 10 * base_ms / 60000
    load_after = settings.load_average()
    print(
        f"decode once: {decode_ms:.1f} ms per image; dlhelpers at batch {recipe.batch_size}: "
        f"{ours_ms:.1f} ms per image with decoding spread over {epochs} epochs"
    )
    print(
        f"speedup: {base_ms / ours_ms:.1f}x; held-out MSE {ours_mse:.4f} against {base_mse:.4f} "
        f"chapter-style ({'no worse' if ours_mse <= base_mse else 'WORSE'}); projected full run "
        f"(4,500 images x 10 epochs at {size} px): {full_min:.2f} min with dlhelpers "
        f"({'within' if full_min <= 5 else 'over'} 5 min), {base_min:.0f} min chapter-style"
    )
    print(f"load average (1 min): {load_before} before, {load_after} after")
    return dict(
        baseline_ms_per_image=round(base_ms, 1),
        ours_ms_per_image=round(ours_ms, 1),
        speedup=round(base_ms / ours_ms, 2),
        baseline_mse=round(base_mse, 5),
        ours_mse=round(ours_mse, 5),
        projected_full_run_min=round(full_min, 2),
        baseline_projected_full_run_min=round(base_min, 1),
        device=str(device),
        precision=prec,
        precision_reason=why,
        batch_size=recipe.batch_size,
        threads=threads,
        lr=lr,
        train_images=n_train,
        held_out_images=n_held,
        epochs=epochs,
        size=size,
        decode_ms_per_image=round(decode_ms, 1),
        train_ms_per_image=round(train_ms, 2),
        warm_up_s=round(warm_up, 2),
        train_gflop_per_image=round(flops / 1e9, 3),
        peak_gflops={k: round(v, 1) for k, v in peaks.items()},
        limit_ms_per_image=float(f"{limit_ms:.3g}"),
        share_of_limit=float(f"{limit_ms / train_ms:.3g}"),
        compare_batch_size=recipe.compare_batch_size,
        compare_train_ms_per_image=round(alt_ms, 2),
        compare_mse=round(alt_mse, 5),
        compare_projected_full_run_min=round(alt_min, 2),
        mse_no_worse=bool(ours_mse <= base_mse),
        within_5_min=bool(full_min <= 5),
        load_avg=[load_before, load_after],
    )
