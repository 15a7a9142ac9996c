"""The engine: every training loop (the AE of 7.2.2, the VAE of 7.4.2, the judges' classifiers).

Each loop runs the chapter's step from ``dlhelpers.chapter.core`` on every batch and adds what makes it
fast or safe: batches cut from tensors in memory, mixed precision, progress bars, a live loss
curve, per-epoch checks and (VAE) checkpoints and resuming.
"""

import math
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm as _tqdm

from dlhelpers import settings
from dlhelpers.chapter import core
from dlhelpers.chapter.latent import to_float
from dlhelpers.engine import checkpoints, display, resuming
from dlhelpers.engine.precision import Mixed, channels_last_pays, match_layout
from dlhelpers.errors import UserError


class DivergedError(UserError, FloatingPointError):
    """The loss stopped being a finite number: training stopped (a lower learning rate helps)."""


class tqdm(_tqdm):
    """``tqdm.auto.tqdm`` redrawing at most once a second, also for ``set_postfix``: a redraw per
    batch (about 17,000 widget messages in notebook 02) overflowed the kernel's queues under nbval."""

    def __init__(self, *args, mininterval=1.0, **kwargs):
        super().__init__(*args, mininterval=mininterval, **kwargs)

    def set_postfix(self, ordered_dict=None, refresh=False, **kwargs):
        super().set_postfix(ordered_dict, refresh, **kwargs)


def make_optimizer(model, lr):
    """Adam, fused into one kernel per step where this torch and device support it."""
    try:
        return torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(model.parameters(), lr=lr)


def batches(x, batch_size, generator=None):
    """Shuffled mini-batches of the rows of ``x``, cut one at a time (the last may be short)."""
    order = torch.randperm(len(x), generator=generator).to(x.device)
    return (x[idx] for idx in order.split(batch_size))


@torch.no_grad()
def vae_scores(model, images, batch_size=64):
    """Per-image reconstruction error and KL on ``images`` (uint8 (N, 3, S, S), or (N, 28, 28) for
    the MNIST ``DenseVAE``), mean codes decoded.

    Returns {"rec": summed squared error per image, "kl": KL per image, "mse": error per pixel}.
    """
    model.eval()
    device = next(model.parameters()).device
    rec = kl = 0.0
    for x in images.split(batch_size):
        x = to_float(x.to(device))
        mu, std, _ = model.encoder(x)
        r, k = core.vae_loss(x, mu, std, model.decoder(mu))
        rec, kl = rec + r.item(), kl + k.item()
    n = len(images)
    return {"rec": rec / n, "kl": kl / n, "mse": rec / images[0].numel() / n}


def vae_epoch(
    model,
    opt,
    images,
    batch_size,
    label,
    live,
    steps,
    progress=True,
    rec_weight=1.0,
    precision=None,
    loss_fn=core.vae_loss,
    step_fn=core.vae_step,
):
    """One pass of VAE training over ``images`` (uint8) in shuffled batches: ``step_fn`` (the
    chapter's step, ``core.vae_step``) with ``loss_fn`` (``core.vae_loss``) on every batch.

    Appends each batch's reconstruction error and KL per image to ``steps`` (for the live plot)
    and returns the summed (reconstruction, kl) of the epoch. A loss that is not finite raises
    ``DivergedError`` (a FloatingPointError) naming ``label`` (the epoch) and the batch.

    What the engine adds around the step (the results are the chapter's): ``precision`` (default
    ``settings.precision``: bf16 on CPUs with bf16 arithmetic and on GPUs that have it, else
    fp32) runs the forward pass under ``torch.autocast`` (``Mixed``), weights and Adam in fp32;
    images and model are channels-last; images stay uint8 until each batch is cut, on the model's
    device. On the CPU it first calls ``settings.keep_freed_memory`` (glibc keeps freed memory: no
    page faults on the 126 MB gradients each step; process-wide).
    """
    device = next(model.parameters()).device
    prec = precision or settings.precision(device)
    if device.type == "cpu":
        settings.keep_freed_memory()  # process-wide: see its docstring
    layout = torch.channels_last if channels_last_pays(device, images) else torch.contiguous_format
    model.to(memory_format=layout).train()  # same parameters, only their strides change
    match_layout(opt)
    fast = model if prec == "fp32" else Mixed(model, device, prec)
    rec_sum = kl_sum = 0.0
    bar = tqdm(
        batches(images, batch_size),
        total=math.ceil(len(images) / batch_size),
        desc=label,
        disable=not progress,
        leave=False,
    )
    for b, x in enumerate(bar, 1):
        x = to_float(x.to(device).contiguous(memory_format=layout))  # float32, same layout
        rec, kl = step_fn(fast, opt, x, rec_weight, loss_fn)
        if not math.isfinite(rec_weight * rec + kl):
            raise DivergedError(
                f"The loss became {rec_weight * rec + kl} in {label}, batch {b}. "
                f"Training stopped; try a lower learning rate."
            )
        rec_sum, kl_sum = rec_sum + rec, kl_sum + kl
        steps["rec"].append(rec / len(x))
        steps["kl"].append(kl / len(x))
        live.update(steps)
        bar.set_postfix(rec=f"{steps['rec'][-1]:.0f}", kl=f"{steps['kl'][-1]:.0f}")
    return rec_sum, kl_sum


def fit_vae(
    model,
    images,
    *,
    epochs,
    batch_size,
    lr,
    rec_weight=1.0,
    held_out=None,
    sample_codes=None,
    checkpoint=None,
    save_to=None,
    seed=0,
    progress=True,
    precision=None,
    loss_fn=core.vae_loss,
    step_fn=core.vae_step,
):
    """Train the VAE (section 7.4.2) on ``images``, uint8 (N, 3, S, S); resumable; saved when done.

    Also trains the MNIST ``DenseVAE`` on digits, uint8 (N, 28, 28).

    Every batch is one ``step_fn(model, optimizer, x, rec_weight, loss_fn)``: the chapter's
    ``core.vae_step`` with ``core.vae_loss`` unless a notebook passes its own (an edited loss
    trains through the same engine). Loss per batch: ``rec_weight`` x summed squared error + KL;
    both parts are reported per image. ``rec_weight=1`` is the chapter's loss. Because the error is summed over
    pixels, a smaller image weighs the KL more: at 64 px the error has 16x fewer terms than at the
    book's 256 px, and ``rec_weight=16`` restores the book's balance.
    After every epoch: the held-out images' error and KL (mean codes), a grid decoded from the fixed
    ``sample_codes`` (k, latent_dims) so you can watch faces appear, and, if ``checkpoint`` is a
    path, a checkpoint written atomically. One epoch is ``vae_epoch``. Calling again with the same checkpoint resumes after the
    last complete epoch (after Ctrl-C or a killed process) and gives the same result as an
    uninterrupted run. A resume must use the same ``batch_size``, ``seed``, ``rec_weight`` and
    images (``CheckpointError`` naming saved and requested values); a new ``lr`` is used and said.
    A loss that is not finite stops training (``DivergedError``), naming the epoch and batch and
    what to change.
    ``save_to``: the model file. When the last epoch completes, the model is saved there at once
    (half precision, with ``epoch``, ``history`` without the samples, and ``settings``), whatever
    any later check says, and the ``checkpoint`` (weights and optimizer state, several times the
    model's size) is deleted, so one finished run leaves one file. Called again with the same
    ``checkpoint`` and ``save_to`` once that run is finished, it loads the saved model instead of
    training again (``resuming.finished``; then "samples" is empty); other settings or epochs
    train anew, replacing ``save_to`` when done.
    ``precision``: "fp32" or "bf16" for the forward pass (default: ``settings.precision``,
    mixed precision where the hardware has it; see ``vae_epoch``). The images are held on the
    model's device as uint8 (4,500 at 256 px: 0.9 GB).
    Returns the history: per-epoch lists ("rec", "kl" per image; "held_out_rec", "held_out_kl";
    "seconds" of training), plus "samples" (uint8 grids, one per epoch).
    """
    device = next(model.parameters()).device
    images = images.to(device)  # uint8 on the GPU too: batches cut there
    run = dict(
        lr=lr, batch_size=batch_size, seed=seed, rec_weight=rec_weight, data=resuming.data_identity(images)
    )  # what a resume must match (lr may change)
    if checkpoint is not None and save_to is not None and not Path(checkpoint).exists():
        saved = resuming.finished(save_to, model, run, epochs)
        if saved is not None:
            model.eval()
            print(
                f"{settings.relative(save_to)} holds this run, finished ({epochs} epochs): loaded "
                f"it instead of training again (delete the file to train anew)"
            )
            return dict(saved.get("history", {}), samples=[])
    opt = make_optimizer(model, lr)
    done, history, samples = resuming.resume(model, opt, checkpoint, run)
    live, steps, shown = display.LiveLoss("loss per image while training"), {"rec": [], "kl": []}, None
    epoch = done
    try:
        for epoch in range(done + 1, epochs + 1):
            torch.manual_seed(seed * 1000 + epoch)  # shuffling and sampling repeat on resume
            start = time.perf_counter()
            rec_sum, kl_sum = vae_epoch(
                model,
                opt,
                images,
                batch_size,
                f"epoch {epoch}/{epochs}",
                live,
                steps,
                progress,
                rec_weight,
                precision,
                loss_fn,
                step_fn,
            )
            history.setdefault("seconds", []).append(time.perf_counter() - start)
            history["rec"].append(rec_sum / len(images))
            history["kl"].append(kl_sum / len(images))
            if held_out is not None:
                scores = vae_scores(model, held_out)
                history["held_out_rec"].append(scores["rec"])
                history["held_out_kl"].append(scores["kl"])
            if sample_codes is not None:
                model.eval()
                with torch.no_grad():
                    grid = model.decoder(sample_codes.to(device)).cpu()
                samples.append(display.to_uint8_grid(grid, nrow=len(grid)))
                shown = display.update_image(shown, samples[-1], f"samples after epoch {epoch}")
            if checkpoint is not None:
                checkpoints.save(
                    model,
                    checkpoint,
                    epoch=epoch,
                    history=history,
                    samples=samples,
                    optimizer=opt.state_dict(),
                    settings=run,
                )
            if progress:
                held = (
                    f", held-out {history['held_out_rec'][-1]:.0f} + {history['held_out_kl'][-1]:.0f}"
                    if held_out is not None
                    else ""
                )
                print(
                    f"epoch {epoch}: reconstruction {history['rec'][-1]:.0f} + KL "
                    f"{history['kl'][-1]:.0f} per image{held}"
                )
    except (KeyboardInterrupt, FloatingPointError) as e:
        print(
            resuming.stopped(checkpoint, epoch, opt.param_groups[0]["lr"], isinstance(e, FloatingPointError))
        )
        raise
    live.update(steps, force=True)
    if progress and epochs > done:
        n = (epochs - done) * math.ceil(len(images) / batch_size)
        print(
            f"trained: {n:,} optimizer steps (batch {batch_size}) in "
            f"{sum(history['seconds'][done:]):.0f} s of training"
        )
    model.eval()
    if save_to is not None:
        _save_finished(model, save_to, checkpoint, history, run, progress)
    return dict(history, samples=samples)


def _save_finished(model, save_to, checkpoint, history, run, progress):
    """``fit_vae``'s last act: the finished model saved to ``save_to``, then its resumable
    ``checkpoint`` deleted (never when both are one file)."""
    saved = checkpoints.save(
        model, save_to, half=True, epoch=len(history["rec"]), history=dict(history), settings=run
    )
    removed = (
        checkpoint is not None and Path(checkpoint).resolve() != saved.resolve() and Path(checkpoint).exists()
    )
    if removed:
        Path(checkpoint).unlink()
    if progress:
        gone = f"; removed the training checkpoint {settings.relative(checkpoint)}" if removed else ""
        print(f"saved {settings.relative(saved)} ({saved.stat().st_size / 1e6:.1f} MB){gone}")
