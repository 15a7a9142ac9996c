"""Resuming an interrupted training run: the training checkpoint beside a model file
(``training_file``), what a run was trained on and with (``data_identity``), picking up after the
last complete epoch (``resume``), and knowing a finished run when it is asked for again (``finished``).
"""

import hashlib
from pathlib import Path

from dlhelpers import settings
from dlhelpers.engine import checkpoints


def training_file(path):
    """The resumable checkpoint that goes with the model file ``path`` (weights, optimizer state
    and history, written after every epoch): ``vae_photos256.pt`` -> ``vae_photos256_training.pt``.
    ``train.fit_vae`` deletes it once the finished model is saved."""
    path = Path(path)
    return path.with_name(f"{path.stem}_training{path.suffix or '.pt'}")


def data_identity(images):
    """A line naming an image tensor: ``"4050 images (3, 64, 64), sha1 3fa2c1d0e4b7"``, the hash
    taken over about a million of its values, evenly spaced (fast even for 4,500 images at 256 px)."""

    flat = images.reshape(-1)
    sample = flat[:: max(1, len(flat) // 2**20)].cpu().contiguous()
    digest = hashlib.sha1(str(tuple(images.shape)).encode() + sample.numpy().tobytes())
    return f"{len(images)} images {tuple(images.shape[1:])}, sha1 {digest.hexdigest()[:12]}"


def _check_settings(checkpoint, saved, wanted, opt):
    """Compare a resumed run's settings with this call's: a new ``lr`` is honoured (set in the
    optimizer and printed); any other difference is a ``checkpoints.CheckpointError`` naming saved and
    requested values."""
    differ = [k for k in wanted if k in saved and saved[k] != wanted[k]]
    if "lr" in differ:
        for group in opt.param_groups:
            group["lr"] = wanted["lr"]
        print(f"resuming with lr {wanted['lr']:g} (the saved run used {saved['lr']:g})")
    fixed = [k for k in differ if k != "lr"]
    if fixed:
        said = "; ".join(f"{k}: saved {saved[k]}, requested {wanted[k]}" for k in fixed)
        raise checkpoints.CheckpointError(
            f"{settings.relative(checkpoint)} was trained with other settings ({said}). Resume with the "
            f"saved values, or write a new run to another checkpoint path (--out)."
        )


def resume(model, opt, checkpoint, wanted=None):
    """Restore model, optimizer and history from ``checkpoint`` if it exists; return them.

    Used by ``train.fit_vae``. ``wanted``: this call's settings (lr, batch_size, seed, data),
    compared with those saved (see ``_check_settings``); older checkpoints without settings are
    not checked. The file is read once; the model stays on its device. Returns
    ``(epochs_done, history, samples)``.
    """
    if checkpoint is None or not Path(checkpoint).exists():
        return 0, {"rec": [], "kl": [], "held_out_rec": [], "held_out_kl": []}, []
    device = next(model.parameters()).device
    _, saved = checkpoints.load(checkpoint, device=device, model=model, with_extra=True)
    opt.load_state_dict(saved["optimizer"])
    print(f"resuming from {settings.relative(checkpoint)}: {saved['epoch']} epoch(s) done")
    _check_settings(checkpoint, saved.get("settings", {}), wanted or {}, opt)
    return saved["epoch"], saved["history"], list(saved.get("samples", []))


def finished(path, model, wanted, epochs):
    """The extra of ``path`` when it holds a finished run of ``epochs`` epochs with the settings
    ``wanted`` (those ``resume`` compares, lr included), its weights loaded into ``model`` (which
    stays on its device); else None, ``model`` untouched, and a line saying why when ``path``
    holds another run of this model, which the new run replaces when it finishes. A file that
    is not a checkpoint of ``model``'s class is a ``checkpoints.CheckpointError`` (never replaced).
    ``train.fit_vae`` uses it so that rerunning a finished run loads it."""
    path = Path(path)
    if not path.is_file():
        return None
    payload = checkpoints.read(path)
    shown = settings.relative(path)
    if not isinstance(payload, dict) or payload.get("format") != checkpoints.FORMAT:
        raise checkpoints.CheckpointError(
            f"{shown} is not a dlhelpers checkpoint, so a run will not replace it: save to another "
            f"file (--out), or move this one away."
        )
    if payload.get("model") != type(model).__name__:
        raise checkpoints.CheckpointError(
            f"{shown} holds a {payload.get('model')!r} model, not the {type(model).__name__!r} "
            f"being trained, so a run will not replace it: save to another file (--out)."
        )
    saved = payload.get("extra", {})
    if "settings" not in saved:
        print(
            f"{shown} holds a model saved without its run's settings: training a new one, which replaces it"
        )
        return None
    want, have = dict(wanted, epochs=epochs), dict(saved["settings"], epochs=saved.get("epoch"))
    differ = [k for k in want if have.get(k) != want[k]]
    if differ:
        said = "; ".join(f"{k}: saved {have.get(k)}, requested {want[k]}" for k in differ)
        print(
            f"{shown} holds a finished run with other settings ({said}): training a new one, "
            f"which replaces it when it finishes"
        )
        return None
    checkpoints.load_weights(model, payload["state_dict"], source=f"checkpoint {shown}")
    return saved


def stopped(checkpoint, epoch, lr, nan):
    """The line ``train.fit_vae`` prints when training stops early: what was kept, and what to do next."""
    kept = checkpoint is not None and Path(checkpoint).exists()
    where = f"{settings.relative(checkpoint)} keeps epoch {epoch - 1}" if kept else "no checkpoint was saved"
    if nan:
        return (
            f"Stopped during epoch {epoch}: {where}. Rerunning the same call would diverge "
            f"again: lower the learning rate (now {lr:g}; try {lr / 10:g}, --lr on the command "
            f"line){', and a resume continues with it' if kept else ''}."
        )
    return (
        f"Stopped during epoch {epoch}: {where}. Run the same call again to "
        f"{'resume' if kept else 'start over'}."
    )
