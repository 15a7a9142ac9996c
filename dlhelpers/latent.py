"""Working with codes: encode, decode, group means, arithmetic, interpolation, attribute vectors.

Works for both models: the AE's code is its ``mu``; the VAE's code is the mean of its encoding
(deterministic) unless ``sample=True`` asks for a draw. Models are used in eval mode, no gradients.
"""
import torch

from .models import AE


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


@torch.no_grad()
def decode(model, codes, batch_size=500):
    """Images from codes (N, d): (N, 1, 28, 28) for the AE, (N, 3, S, S) for the VAE; in [0, 1]."""
    device = _eval(model)
    out = torch.cat([model.decoder(z.to(device)).cpu() for z in codes.split(batch_size)])
    return out.view(len(out), 1, 28, 28) if isinstance(model, AE) else out


def random_codes(n, dim, seed=0):
    """``n`` codes drawn from N(0, 1) in ``dim`` dimensions, shape (n, dim), repeatable by seed."""
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


def pca_2d(codes):
    """Project codes (N, d) onto their first two principal components -> (N, 2)."""
    centred = codes - codes.mean(0)
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    return centred @ v[:2].T
