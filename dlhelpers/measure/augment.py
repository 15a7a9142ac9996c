"""Image augmentation that teaches the judges to read blurry decoded images.

The judges are trained on clean images but score a VAE's blurry decodes, so every training batch
is shifted, turned, blurred, washed out or mixed. Inputs and outputs are floats in [0, 1],
(N, C, H, W); every random choice comes from the ``torch.Generator`` passed in, so a seed repeats.
"""

import math

import torch
import torch.nn.functional as F


def blur(images, sigma):
    """Gaussian blur of floats (N, C, H, W), each image with its own ``sigma`` in pixels.

    ``sigma`` is a number or an (N,) tensor; 0 leaves an image (practically) unchanged.
    Edges are padded by repeating the border pixels.
    """
    n, c, h, w = images.shape
    sigma = torch.as_tensor(sigma, dtype=images.dtype).flatten().expand(n).clamp_min(1e-3)
    radius = max(1, math.ceil(3 * float(sigma.max())))
    radius = min(radius, h - 1, w - 1)
    t = torch.arange(-radius, radius + 1, dtype=images.dtype)
    k = torch.exp(-(t[None] ** 2) / (2 * sigma[:, None] ** 2))
    k = (k / k.sum(1, keepdim=True)).repeat_interleave(c, 0)  # (N*C, K)
    x = F.pad(images.reshape(1, n * c, h, w), (radius,) * 4, mode="replicate")
    x = F.conv2d(x, k[:, None, None, :], groups=n * c)
    x = F.conv2d(x, k[:, None, :, None], groups=n * c)
    return x.reshape(n, c, h, w)


def _rand(n, low, high, gen):
    return low + (high - low) * torch.rand(n, generator=gen)


def _affine(x, gen, shift, rotate=0.0, scale=(1.0, 1.0), flip=False):
    """Random small shifts (pixels), rotations (degrees), zooms and (optionally) mirror images."""
    n, _, h, _ = x.shape
    angle = _rand(n, -rotate, rotate, gen) * math.pi / 180
    s = _rand(n, *scale, gen)
    sx = s * torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0) if flip else s
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(angle) / sx, -torch.sin(angle) / s
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(angle) / sx, torch.cos(angle) / s
    theta[:, :, 2] = _rand(2 * n, -shift, shift, gen).view(n, 2) * 2 / h
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, padding_mode="border", align_corners=False)


def sometimes(n, p, gen):
    return torch.rand(n, generator=gen) < p


def digits(x, y, gen, mix=0.15, junk=0.05):
    """Shifted, turned, zoomed and blurred digits with soft targets; some overlays and some junk.

    x: floats (N, 1, 28, 28); y: labels (N,). Returns (images, targets (N, 10) summing to 1).
    """
    n = len(x)
    target = F.one_hot(y, 10).float()
    x = _affine(x, gen, shift=2.0, rotate=10.0, scale=(0.9, 1.1))
    # overlays of two digits: a ghost of both, not one confident digit
    m = sometimes(n, mix, gen)
    if m.any():
        other = torch.randint(n, (int(m.sum()),), generator=gen)
        lam = _rand(len(other), 0.3, 0.7, gen)
        x[m] = lam[:, None, None, None] * x[m] + (1 - lam[:, None, None, None]) * x[other]
        target[m] = lam[:, None] * target[m] + (1 - lam[:, None]) * target[other]
    # smooth noise: no digit at all
    j = sometimes(n, junk, gen)
    if j.any():
        k = int(j.sum())
        noise = torch.rand(k, 1, 28, 28, generator=gen) * _rand(k, 0.3, 1.0, gen)[:, None, None, None]
        x[j] = blur(noise, _rand(k, 0.7, 2.5, gen)).clamp(0, 1)
        target[j] = 0.1
    # blur, as the decoders' outputs are blurry
    b = sometimes(n, 0.5, gen)
    if b.any():
        x[b] = blur(x[b], _rand(int(b.sum()), 0.3, 1.2, gen))
    return x.clamp(0, 1), target


def faces(x, gen, p_blur=0.8, max_sigma=2.5):
    """Mirrored, shifted, blurred, washed-out and noisy faces, as the VAE might decode them."""
    n = len(x)
    x = _affine(x, gen, shift=2.0, rotate=4.0, scale=(0.95, 1.05), flip=True)
    b = sometimes(n, p_blur, gen)
    if b.any():
        x[b] = blur(x[b], _rand(int(b.sum()), 0.3, max_sigma, gen))
    d = sometimes(n, 0.2, gen)  # down- then up-sampled
    if d.any():
        s = x.shape[-1]
        small = F.interpolate(
            x[d],
            scale_factor=0.25 if torch.rand(1, generator=gen) < 0.5 else 0.5,
            mode="bilinear",
            antialias=True,
            align_corners=False,
        )
        x[d] = F.interpolate(small, size=(s, s), mode="bilinear", align_corners=False)
    grey = x.mean(1, keepdim=True)  # washed-out colours
    sat = _rand(n, 0.4, 1.1, gen)[:, None, None, None]
    x = grey + sat * (x - grey)
    mean = x.mean((1, 2, 3), keepdim=True)  # contrast, brightness, tint
    x = mean + _rand(n, 0.7, 1.15, gen)[:, None, None, None] * (x - mean)
    x = x + (torch.rand(n, 3, 1, 1, generator=gen) - 0.5) * 0.16
    x = x + torch.randn(x.shape, generator=gen) * _rand(n, 0, 0.05, gen)[:, None, None, None]
    return x.clamp(0, 1)
