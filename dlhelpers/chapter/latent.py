"""Working with codes: encode, decode, group means, arithmetic, interpolation, attribute vectors.

Works on any model with the chapter's interface, whatever its class (the notebooks' own included):
``model.encoder(x)`` returns either a code (N, d), as the AE's does, or ``(mu, std, z)``, as the VAE's
does, and ``model.decoder(z)`` returns images. What the encoder returns decides: a code is used as
it is; of a VAE's triple the mean ``mu`` is the code (deterministic) unless ``sample=True`` asks for
a draw. Models are used in eval mode, no gradients.
"""

import math

import torch

from dlhelpers.chapter import core


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


def code_and_std(encoded):
    """What an encoder returned -> ``(code, std)``: a tensor (N, d) is an AE's code (std None);
    a triple ``(mu, std, z)`` is a VAE's encoding, whose code is mu. TypeError for anything else."""
    if isinstance(encoded, torch.Tensor):
        return encoded, None
    if isinstance(encoded, (tuple, list)) and len(encoded) == 3:
        return encoded[0], encoded[1]
    raise TypeError(
        f"model.encoder returned {type(encoded).__name__}; the chapter's encoders return a code "
        f"(N, d) (the AE) or (mu, std, z) (the VAE)."
    )


@torch.no_grad()
def encode(model, images, sample=False, seed=None, batch_size=500):
    """Codes of ``images`` (N, 784) or (N, C, H, W), floats in [0, 1] -> (N, d) on the CPU.

    An encoder returning (mu, std, z) gives mu, or with ``sample=True`` a draw mu + std * noise
    (seeded by ``seed``); one returning a code gives that code (an AE has no noise to draw).
    """
    device = _eval(model)
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    codes = []
    for x in images.split(batch_size):
        code, std = code_and_std(model.encoder(x.to(device)))
        if sample and std is not None:
            code = code + std * torch.randn(code.shape, generator=gen).to(device)
        codes.append(code.cpu())
    return torch.cat(codes)


def code_size(model):
    """The model's code size d (``latent_dims`` of the VAE, ``z_dim`` of the MNIST models), or
    None for a model without that ``config`` entry."""
    config = getattr(model, "config", None) or {}
    return config.get("latent_dims", config.get("z_dim"))


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
    """Images from codes (N, d), in [0, 1]: what ``model.decoder`` draws, (N, 3, S, S) for the VAE;
    flat images (N, P) with P a square, such as the MNIST models' (N, 784), come back as
    (N, 1, 28, 28). Codes must be finite (ValueError otherwise)."""
    finite(codes)
    device = _eval(model)
    out = torch.cat([model.decoder(z.to(device)).cpu() for z in codes.split(batch_size)])
    side = math.isqrt(out.shape[1]) if out.dim() == 2 else 0
    return out.view(len(out), 1, side, side) if side and side * side == out.shape[1] else out


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


def slerp(z1, z2, w):
    """Spherical blend, with the weight of ``core.blend``: w = 1 gives z1, w = 0 gives z2, and in
    between it moves along the great circle from z2 to z1, keeping lengths typical of N(0, 1) codes
    (linear blends of two random codes are shorter than either). A zero code has no direction, so
    with one the blend is linear (``core.blend``)."""
    _same_shape(z1, z2)
    if z1.norm() < 1e-12 or z2.norm() < 1e-12:
        return core.blend(z1, z2, w)
    a, b = z1 / z1.norm(), z2 / z2.norm()
    omega = torch.arccos((a * b).sum().clamp(-1 + 1e-7, 1 - 1e-7))
    if omega.abs() < 1e-4:
        return core.blend(z1, z2, w)
    s = torch.sin(omega)
    return (torch.sin(w * omega) / s) * z1 + (torch.sin((1 - w) * omega) / s) * z2


def path(start, end, weights=(0, 0.2, 0.4, 0.6, 0.8, 1.0), blend=core.blend):
    """Codes along the way from ``start`` (w = 0) to ``end`` (w = 1), one per weight ->
    (len(weights), d): ``blend(end, start, w)``, w being the weight of ``end`` as in the book's
    blend (figure 7.11). ``blend`` is ``core.blend``, a notebook's own copy, or ``slerp``.
    Both codes have the same shape and are finite; weights are finite numbers, usually in [0, 1],
    at least one."""
    weights = [float(w) for w in weights]
    if not weights:
        raise ValueError("path needs at least one weight, e.g. weights=(0, 0.5, 1).")
    finite(torch.tensor(weights), name="weights")
    _same_shape(start, end)
    return torch.stack([blend(end, start, w) for w in weights])


def attribute_vector(codes_with, codes_without):
    """Direction of a trait: mean code of images with it minus mean of those without -> (d,)."""
    if len(codes_with) == 0 or len(codes_without) == 0:
        raise ValueError("attribute_vector needs codes both with and without the trait.")
    return codes_with.mean(0) - codes_without.mean(0)


def add_attribute(z, direction, strength):
    """Push code(s) ``z`` along ``direction`` by ``strength`` (negative removes the trait)."""
    return z + strength * direction
