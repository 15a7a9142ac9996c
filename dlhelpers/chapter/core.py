"""The chapter's own code, as the notebooks show it: what a student reads, short and plain.

Each function is the piece the book shows at the section named in its docstring. The engine
(``dlhelpers.engine.train``) runs exactly these functions and only adds what makes them fast or safe
(mixed precision, memory layout, progress, checkpoints); nothing here knows about any of that.
A notebook may pass its own edited copy (``loss_fn=...``, ``step_fn=...``) to the engine.

Images are floats in [0, 1]; codes are (N, d) or (d,) float tensors.
"""

import torch


def ae_step(model, optimizer, x):
    """One training step of the autoencoder (listing 7.3) on a batch x (N, 784) in [0, 1].

    The loss is the squared error summed over the 784 pixels, averaged over the N images.
    Returns that loss as a number.
    """
    out, mu = model(x)
    loss = ((out - x) ** 2).sum() / len(x)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def reparameterize(mu, std):
    """One code drawn from N(mu, std^2), the encoder's sampling line (listing 7.4).

    mu, std: (N, d). ``randn_like`` draws the noise on mu's device (the book's ``.cuda()``).
    """
    return mu + std * torch.randn_like(std)


def kl_divergence(mu, std):
    """KL divergence of N(mu, std^2) from N(0, 1), per code dimension (equation 7.1's summand).

    Zero exactly when mu = 0 and std = 1; positive everywhere else. Same shape as mu.
    """
    return std**2 / 2 + mu**2 / 2 - torch.log(std) - 0.5


def vae_loss(x, mu, std, out):
    """The VAE's two losses for one batch (listing 7.6): ``(reconstruction, kl)``.

    reconstruction: squared error between x (N, ...) and out, summed over every pixel;
    kl: equation 7.1 summed over the batch's code dimensions. The training loss is their sum.
    ``out`` may be flat (N, 784) for digits x (N, 28, 28): it is compared pixel by pixel.
    """
    reconstruction = ((x - out.view_as(x)) ** 2).sum()
    kl = kl_divergence(mu, std).sum()
    return reconstruction, kl


def vae_step(model, optimizer, x, rec_weight=1.0, loss_fn=vae_loss):
    """One training step of the VAE (listing 7.6) on a batch x (N, 3, S, S) in [0, 1].

    ``rec_weight`` weighs the reconstruction against the KL (1 = the chapter's loss).
    Returns the batch's ``(reconstruction, kl)`` as numbers.
    """
    mu, std, out = model(x)
    reconstruction, kl = loss_fn(x, mu, std, out)
    loss = rec_weight * reconstruction + kl
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return reconstruction.item(), kl.item()


def arithmetic(z1, z2, z3):
    """Encoding arithmetic (listing 7.9): z1 - z2 + z3, e.g. men with glasses - women with
    glasses + women without glasses -> a man without glasses."""
    return z1 - z2 + z3


def blend(z1, z2, w):
    """Interpolation (listing 7.10): w * z1 + (1 - w) * z2; w = 1 gives z1, w = 0 gives z2."""
    return w * z1 + (1 - w) * z2
