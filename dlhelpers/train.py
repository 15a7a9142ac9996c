"""Training loops with a progress bar, a live loss curve and per-epoch checks.

Batches are cut from tensors held in memory (decoded once by ``dlhelpers.data``), so an epoch
costs only the model's arithmetic.
"""
import math

import torch
from tqdm.auto import tqdm

from . import plot
from .data import to_float


def make_optimizer(model, lr):
    """Adam, fused into one kernel per step where this torch and device support it."""
    try:
        return torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(model.parameters(), lr=lr)


def batches(x, batch_size, generator=None):
    """Shuffled mini-batches of the rows of ``x``: an iterator of views (the last may be short)."""
    order = torch.randperm(len(x), generator=generator)
    return x[order.to(x.device)].split(batch_size)


@torch.no_grad()
def ae_test_mse(model, images, batch_size=2000):
    """Mean squared error per pixel of the AE's reconstructions; images (N, 784) floats in [0, 1]."""
    model.eval()
    total = sum(((model(x)[0] - x) ** 2).sum().item() for x in images.split(batch_size))
    return total / images.numel()


def fit_ae(model, train_images, test_images, epochs=10, batch_size=256, lr=3e-3, seed=0,
           originals=None, show_after=(), progress=True):
    """Train the AE on MNIST (section 7.2.2) and return its history.

    train_images, test_images: uint8 (N, 28, 28) from ``data.mnist``. The loss per batch is the
    squared error summed over pixels, averaged over the images of the batch. After every epoch the
    test set's mean squared error per pixel goes into ``history["test_mse"]``; after each epoch in
    ``show_after`` (1 = after the first) the ten ``originals`` (10, 784) are drawn above their
    reconstructions. Returns {"train_loss": [...], "test_mse": [...]} (per epoch).
    """
    device = next(model.parameters()).device
    xs = to_float(train_images).flatten(1).to(device)
    xt = to_float(test_images).flatten(1).to(device)
    opt = make_optimizer(model, lr)
    gen = torch.Generator().manual_seed(seed)
    history, live, steps = {"train_loss": [], "test_mse": []}, plot.LiveLoss(), {"batch loss": []}
    n_batches = math.ceil(len(xs) / batch_size)
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        bar = tqdm(batches(xs, batch_size, gen), total=n_batches, desc=f"epoch {epoch}/{epochs}",
                   disable=not progress, leave=False)
        for x in bar:
            out, _ = model(x)
            loss = ((out - x) ** 2).sum() / len(x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(x)
            steps["batch loss"].append(loss.item())
            live.update(steps)
        history["train_loss"].append(total / len(xs))
        history["test_mse"].append(ae_test_mse(model, xt))
        live.update(steps, force=True)
        if progress:
            print(f"epoch {epoch}: train loss {history['train_loss'][-1]:.2f} per image, "
                  f"test MSE {history['test_mse'][-1]:.5f} per pixel")
        if originals is not None and epoch in show_after:
            with torch.no_grad():
                model.eval()
                rec = model(originals.to(device))[0]
            plot.show_digits(originals, rec, title=f"after epoch {epoch}: originals (top), "
                                                   f"reconstructions (bottom)")
    model.eval()
    return history
