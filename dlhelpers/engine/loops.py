"""The in-memory training loops: the autoencoder of section 7.2.2 (``fit_ae``, which runs the chapter's
``ae_step`` or the notebook's) and the judges' classifiers (``fit_classifier``). The VAE's loop is
``train.fit_vae``.
"""

import math
import time

import torch

from dlhelpers import plot
from dlhelpers.chapter import core
from dlhelpers.chapter.latent import to_float
from dlhelpers.engine import display
from dlhelpers.engine.train import batches, make_optimizer, tqdm


@torch.no_grad()
def ae_test_mse(model, images, batch_size=2000):
    """Mean squared error per pixel of the AE's reconstructions; images (N, 784) floats in [0, 1]."""
    model.eval()
    total = sum(((model(x)[0] - x) ** 2).sum().item() for x in images.split(batch_size))
    return total / images.numel()


def fit_ae(
    model,
    train_images,
    test_images,
    *,
    epochs,
    batch_size,
    lr,
    seed=0,
    originals=None,
    show_after=(),
    progress=True,
    step_fn=core.ae_step,
):
    """Train the AE on MNIST (section 7.2.2) and return its history.

    train_images, test_images: uint8 (N, 28, 28) from ``data.mnist``. Every batch is one
    ``step_fn`` (the chapter's step, ``core.ae_step``: squared error summed over pixels, averaged
    over the batch's images; a notebook may pass its own). After every epoch the
    test set's mean squared error per pixel goes into ``history["test_mse"]``; after each epoch in
    ``show_after`` (1 = after the first) the ten ``originals`` (10, 784) are drawn above their
    reconstructions. Returns {"train_loss": [...], "test_mse": [...]} (per epoch).
    """
    device = next(model.parameters()).device
    xs = to_float(train_images).flatten(1).to(device)
    xt = to_float(test_images).flatten(1).to(device)
    opt = make_optimizer(model, lr)
    gen = torch.Generator().manual_seed(seed)
    history, live, steps = {"train_loss": [], "test_mse": []}, display.LiveLoss(), {"batch loss": []}
    n_batches = math.ceil(len(xs) / batch_size)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        bar = tqdm(
            batches(xs, batch_size, gen),
            total=n_batches,
            desc=f"epoch {epoch}/{epochs}",
            disable=not progress,
            leave=False,
        )
        for x in bar:
            loss = step_fn(model, opt, x)
            total += loss * len(x)
            steps["batch loss"].append(loss)
            live.update(steps)
        history["train_loss"].append(total / len(xs))
        history["test_mse"].append(ae_test_mse(model, xt))
        live.update(steps, force=True)
        if progress:
            print(
                f"epoch {epoch}: train loss {history['train_loss'][-1]:.2f} per image, "
                f"test MSE {history['test_mse'][-1]:.5f} per pixel"
            )
        if originals is not None and epoch in show_after:
            with torch.no_grad():
                model.eval()
                rec = model(originals.to(device))[0]
            plot.show_digits(
                originals, rec, title=f"after epoch {epoch}: originals (top), reconstructions (bottom)"
            )
    if progress:
        print(
            f"trained: {epochs * n_batches:,} optimizer steps (batch {batch_size}) in "
            f"{time.perf_counter() - start:.0f} s"
        )
    model.eval()
    return history


def fit_classifier(net, n, loss_of, epochs, batch_size, lr, gen, name, progress=True, after_epoch=None):
    """The judges' training loop (``dlhelpers.measure.judges``): ``loss_of(indices)`` gives a batch's loss; Adam with a one-cycle
    schedule; batches in an order drawn from ``gen``. ``after_epoch(history)`` may add to the
    history and return text for the epoch's line. Keeps per-epoch "loss" in ``net.history``."""
    opt = make_optimizer(net, lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * math.ceil(n / batch_size))
    history = {"loss": []}
    for epoch in range(1, epochs + 1):
        net.train()
        total = 0.0
        order = torch.randperm(n, generator=gen)
        for idx in tqdm(
            order.split(batch_size), desc=f"{name}, epoch {epoch}/{epochs}", disable=not progress, leave=False
        ):
            loss = loss_of(idx)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        history["loss"].append(total / n)
        note = after_epoch(history) if after_epoch else ""
        if progress:
            print(f"{name} epoch {epoch}: loss {history['loss'][-1]:.4f}{note}")
    net.eval()
    net.history = history
    return net
