"""Saving and loading models: one file holds the weights and the model's configuration.

Files are written atomically (to a temporary file, then renamed) and read with
``torch.load(weights_only=True)``, which refuses anything that would run arbitrary code.
The chapter's own files load too: ``AEdigits.pt`` (TorchScript) and ``VAEglasses.pth`` (a state_dict).
A file that is missing, damaged, unsafe or made for another model raises ``NoCheckpointError`` or
``CheckpointError`` (both ``UserError``s: one sentence, paths relative to the project).
"""

import os
import pickle
import pickletools
import tempfile
import zipfile
from pathlib import Path

import torch

from dlhelpers import settings
from dlhelpers.chapter import models
from dlhelpers.chapter.models import AE
from dlhelpers.errors import UserError

FORMAT = "dlhelpers-checkpoint-1"


class NoCheckpointError(UserError, FileNotFoundError):
    """No file at the path a model was to be loaded from."""


class CheckpointError(UserError, ValueError):
    """A file that is not a checkpoint this model can be loaded from (damaged, unsafe, another
    model or size), or a resume with other settings than the saved run's."""


MODELS = dict(models.MODELS)
"""Every model class a checkpoint can name: the chapter's, and those added with ``register``."""


def register(*classes):
    """Let ``load`` rebuild these model classes by name (the judges' nets register themselves)."""
    MODELS.update({cls.__name__: cls for cls in classes})


def atomic_save(obj, path):
    """``torch.save(obj)`` to ``path`` through a temporary file and a rename, so a crash never
    leaves a half-written file under the real name. Temporary files that killed runs left beside
    ``path`` are deleted first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _remove_stale_temps(path):
    """Delete ``.<name>.<pid>.*.tmp`` files of processes that no longer run (killed mid-save)."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but owned by someone else
        return True
    return True


def save(model, path, half=False, **extra):
    """Write ``model``'s weights, class name and config (plus any ``extra`` plain data) to ``path``.

    ``half=True`` stores float weights as float16 (half the file; they load back as float32).
    """
    payload = {
        "format": FORMAT,
        "model": type(model).__name__,
        "config": dict(model.config),
        "state_dict": {k: _stored(v, half) for k, v in model.state_dict().items()},
        "extra": extra,
    }
    return atomic_save(payload, path)


def _stored(tensor, half):
    tensor = tensor.detach().cpu()
    return tensor.half() if half and tensor.is_floating_point() else tensor


def read(path):
    """The raw content of a checkpoint file, loaded safely (tensors and plain data only)."""
    path = Path(path)
    shown = settings.relative(path)
    if not path.is_file():
        raise NoCheckpointError(f"No checkpoint at {shown}. Train a model first, or check the path.")
    if _is_torchscript(path):
        raise CheckpointError(
            f"{shown} is a TorchScript file (like the chapter's AEdigits.pt), not a "
            f"checkpoint: load it with checkpoints.load_chapter_ae({str(shown)!r})."
        )
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        if "Unsupported global" in str(e) or _pickle_needs_objects(path):
            raise CheckpointError(
                f"Refused to load {shown}: it needs arbitrary Python objects to unpickle, which could "
                f"run code. Only weights (a state_dict or a dlhelpers checkpoint) are accepted."
            ) from e
        raise CheckpointError(
            f"{shown} is not a PyTorch file (or it is damaged). Save it again, or download it again."
        ) from e
    except (RuntimeError, EOFError, OSError) as e:
        raise CheckpointError(
            f"{shown} is truncated or not a PyTorch file ({e}). Save it again, or download it again."
        ) from e


def _pickle_needs_objects(path):
    """True if ``path`` is a well-formed pickle that imports or calls Python objects."""

    try:
        with open(path, "rb") as f:
            ops = {op.name for op, _, _ in pickletools.genops(f)}
    except Exception:  # noqa: BLE001  pickletools raises many kinds on random or damaged bytes
        return False
    return bool(ops & {"GLOBAL", "STACK_GLOBAL", "REDUCE", "INST", "OBJ", "NEWOBJ", "BUILD"})


def _is_torchscript(path):
    """True for a TorchScript archive: a zip holding compiled code (``code/`` or ``constants.pkl``)."""
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.endswith("constants.pkl") or "/code/" in n for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def load_weights(model, state_dict, source="checkpoint"):
    """Copy ``state_dict`` into ``model``, first listing any keys or shapes that do not match."""
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    shapes = [
        f"{k}: {tuple(state_dict[k].shape)} in {source}, {tuple(v.shape)} in the model"
        for k, v in own.items()
        if k in state_dict and state_dict[k].shape != v.shape
    ]
    if missing or unexpected or shapes:
        parts = [
            f"missing keys: {', '.join(missing)}" if missing else "",
            f"unexpected keys: {', '.join(unexpected)}" if unexpected else "",
            f"different shapes: {'; '.join(shapes)}" if shapes else "",
        ]
        raise CheckpointError(
            f"The {source} does not fit {type(model).__name__}"
            f"({model.config}): " + " | ".join(p for p in parts if p)
        )
    model.load_state_dict(state_dict)
    return model


def load(path, device=None, model=None, with_extra=False):
    """Rebuild a model from ``path`` and put it in eval mode on ``device`` (default: CPU).

    ``path`` may be a dlhelpers checkpoint of any model in ``MODELS`` (the model is rebuilt
    from its config; the judges too) or a bare
    state_dict such as the chapter's ``VAEglasses.pth`` (then pass the ``model`` to fill).
    Raises ``CheckpointError`` (a ValueError) naming mismatched keys or shapes, a truncated file,
    or an unsafe file. ``with_extra=True`` returns ``(model, extra)``, the file read once (see
    ``extra``).
    """
    payload = read(path)
    shown = settings.relative(path)
    saved = {}
    if isinstance(payload, dict) and payload.get("format") == FORMAT:
        saved = payload.get("extra", {})
        if model is None:
            kind = MODELS.get(payload.get("model"))
            if kind is None:
                raise CheckpointError(
                    f"{shown} holds a model of class {payload.get('model')!r}, which "
                    f"dlhelpers does not know (it knows {', '.join(MODELS)})."
                )
            model = kind(**payload["config"])
        elif payload.get("model") != type(model).__name__:
            raise CheckpointError(
                f"{shown} holds a {payload.get('model')!r} model, not the "
                f"{type(model).__name__!r} passed to load: pick another file or model."
            )
        load_weights(model, payload["state_dict"], source=f"checkpoint {shown}")
    elif not isinstance(payload, dict) or not all(isinstance(v, torch.Tensor) for v in payload.values()):
        raise CheckpointError(
            f"{shown} holds a {type(payload).__name__}, neither a dlhelpers checkpoint "
            f"nor a state_dict (a dict of tensors)."
        )
    elif model is None:
        raise CheckpointError(
            f"{shown} is a bare state_dict; pass the model to load it into, "
            f"e.g. load(path, model=VAE(image_size=256))."
        )
    else:
        load_weights(model, payload, source=f"state_dict {shown}")
    model = model.to(device or "cpu").eval()
    return (model, saved) if with_extra else model


def extra(path):
    """The plain data saved beside the weights (epoch, history, optimizer state...)."""
    return read(path).get("extra", {})


def update_extra(path, **values):
    """Set ``values`` in the plain data saved beside the weights in ``path`` (a value of None
    removes its key); the file is rewritten (atomically) only when that changes something.
    Returns ``path``."""
    payload = read(path)
    saved = payload.setdefault("extra", {})
    changed = {k: v for k, v in values.items() if saved.get(k) != v}
    if changed:
        for k, v in changed.items():
            if v is None:
                saved.pop(k, None)
            else:
                saved[k] = v
        atomic_save(payload, path)
    return Path(path)


def load_chapter_ae(path, device=None):
    """Load the chapter's TorchScript ``AEdigits.pt`` into an ``AE`` (its weights copied in)."""

    try:
        scripted = torch.jit.load(str(path), map_location="cpu")
    except Exception as e:
        raise CheckpointError(
            f"{settings.relative(path)} is not a TorchScript file like the chapter's AEdigits.pt ({e})"
        ) from e
    model = AE()
    load_weights(model, scripted.state_dict(), source=f"TorchScript file {settings.relative(path)}")
    return model.to(device or "cpu").eval()


# --- Resuming a training run (train.fit_vae) ----------------------------------------------------
