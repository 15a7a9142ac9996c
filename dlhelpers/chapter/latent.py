"""Working with codes: encode, decode, group means, arithmetic, interpolation, attribute vectors.

Works for both models: the AE's code is its ``mu``; the VAE's code is the mean of its encoding
(deterministic) unless ``sample=True`` asks for a draw. Models are used in eval mode, no gradients.
"""

import torch

from dlhelpers.chapter import core
from dlhelpers.chapter.models import AE, DenseVAE


def to_float(images):
    """Images -> a new float32 tensor in [0, 1]: uint8 (0..255) is divided by 255, floats are
    taken as already in [0, 1]. Any shape; the input is left unchanged."""
    if images.dtype == torch.uint8:
        return images.to(torch.float32, copy=True).div_(255)
    return images.to(torch.float32, copy=True)


def _eval(model):
    if model.training:
        model.eval()
    return next(model.parameters()).device


@torch.no_grad()
def encode(model, images, sample=False, seed=None, batch_size=500):
    """Codes of ``images`` (N, 784) or (N, C, H, W), floats in [0, 1] -> (N, d) on the CPU.

    For a VAE, ``sample=True`` draws z = mu + std * noise (seeded by ``seed``) instead of mu.
    """
    device = _eval(model)
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    codes = []
    for x in images.split(batch_size):
        x = x.to(device)
        if isinstance(model, AE):
            codes.append(model.encoder(x).cpu())
            continue
        mu, std, _ = model.encoder(x)
        if sample:
            noise = torch.randn(mu.shape, generator=gen).to(device)
            mu = mu + std * noise
        codes.append(mu.cpu())
    return torch.cat(codes)


def finite(*codes, name="code"):
    """Raise ValueError if any of ``codes`` holds NaN or infinity (it would decode to noise)."""
    for z in codes:
        if not bool(torch.isfinite(torch.as_tensor(z)).all()):
            raise ValueError(
                f"The {name} holds NaN or infinite values; a code must be finite "
                f"numbers (did an earlier step divide by zero or diverge?)."
            )


@torch.no_grad()
def decode(model, codes, batch_size=500):
    """Images from codes (N, d): (N, 1, 28, 28) for the MNIST models, (N, 3, S, S) for the VAE;
    in [0, 1]. Codes must be finite (ValueError otherwise)."""
    finite(codes)
    device = _eval(model)
    out = torch.cat([model.decoder(z.to(device)).cpu() for z in codes.split(batch_size)])
    return out.view(len(out), 1, 28, 28) if isinstance(model, (AE, DenseVAE)) else out


def random_codes(n, dim, seed=0):
    """``n`` codes drawn from N(0, 1) in ``dim`` dimensions, shape (n, dim), repeatable by seed."""
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


def pca_2d(codes):
    """Project codes (N, d) onto their first two principal components -> (N, 2)."""
    centred = codes - codes.mean(0)
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    return centred @ v[:2].T


def mean_code(model, images):
    """The average code of a group of images (N, C, H, W) in [0, 1] -> (d,). N must be >= 1."""
    if len(images) == 0:
        raise ValueError("mean_code got an empty group: pick at least one image for it.")
    return encode(model, images).mean(0)


def combine(codes, weights):
    """Weighted sum of named codes: ``combine({"a": za, "b": zb}, {"a": 1, "b": -1})`` -> za - zb.

    The chapter's arithmetic z1 - z2 + z3 is ``combine(codes, {"z1": 1, "z2": -1, "z3": 1})``.
    Every code must have the same shape; names in ``weights`` must be in ``codes``.
    """
    if not weights:
        raise ValueError("combine needs at least one weighted term.")
    unknown = [name for name in weights if name not in codes]
    if unknown:
        raise KeyError(f"no code named {unknown}; known: {sorted(codes)}")
    shapes = {name: tuple(codes[name].shape) for name in weights}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"codes of different sizes cannot be combined: {shapes}")
    finite(*(codes[name] for name in weights))
    finite(torch.tensor([float(w) for w in weights.values()]), name="weights")
    return sum(w * codes[name] for name, w in weights.items())


def _same_shape(z1, z2):
    """Raise ValueError unless z1 and z2 are finite codes of the same shape."""
    if z1.shape != z2.shape:
        raise ValueError(
            f"cannot interpolate between codes of shapes {tuple(z1.shape)} and "
            f"{tuple(z2.shape)}: encode both with the same model."
        )
    finite(z1, z2)


def lerp(z1, z2, w):
    """The path from z1 (w = 0) to z2 (w = 1): the chapter's blend ``core.blend(z2, z1, w)``,
    i.e. w * z2 + (1 - w) * z1, after checking both codes."""
    _same_shape(z1, z2)
    return core.blend(z2, z1, w)


def slerp(z1, z2, w):
    """Spherical blend: moves along the great circle between z1 and z2, keeping lengths typical of
    N(0, 1) codes (linear blends of two random codes are shorter than either). A zero code has
    no direction, so with one the blend is linear (``lerp``)."""
    _same_shape(z1, z2)
    if z1.norm() < 1e-12 or z2.norm() < 1e-12:
        return lerp(z1, z2, w)
    a, b = z1 / z1.norm(), z2 / z2.norm()
    omega = torch.arccos((a * b).sum().clamp(-1 + 1e-7, 1 - 1e-7))
    if omega.abs() < 1e-4:
        return lerp(z1, z2, w)
    s = torch.sin(omega)
    return (torch.sin((1 - w) * omega) / s) * z1 + (torch.sin(w * omega) / s) * z2


def path(z1, z2, weights=(0, 0.2, 0.4, 0.6, 0.8, 1.0), spherical=False):
    """Codes along the way from z1 to z2, one per weight -> (len(weights), d). Weights are
    finite numbers, usually in [0, 1]; at least one."""
    weights = [float(w) for w in weights]
    if not weights:
        raise ValueError("path needs at least one weight, e.g. weights=(0, 0.5, 1).")
    finite(torch.tensor(weights), name="weights")
    blend = slerp if spherical else lerp
    return torch.stack([blend(z1, z2, w) for w in weights])


def attribute_vector(codes_with, codes_without):
    """Direction of a trait: mean code of images with it minus mean of those without -> (d,)."""
    if len(codes_with) == 0 or len(codes_without) == 0:
        raise ValueError("attribute_vector needs codes both with and without the trait.")
    return codes_with.mean(0) - codes_without.mean(0)


def add_attribute(z, direction, strength):
    """Push code(s) ``z`` along ``direction`` by ``strength`` (negative removes the trait)."""
    return z + strength * direction
