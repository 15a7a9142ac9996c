"""Saving and loading models: one file holds the weights and the model's configuration.

Files are written atomically (to a temporary file, then renamed) and read with
``torch.load(weights_only=True)``, which refuses anything that would run arbitrary code.
The chapter's own files load too: ``AEdigits.pt`` (TorchScript) and ``VAEglasses.pth`` (a state_dict).
"""
import os
import pickle
import tempfile
from pathlib import Path

import torch

from .models import MODELS

FORMAT = "dlhelpers-checkpoint-1"


def save(model, path, half=False, **extra):
    """Write ``model``'s weights, class name and config (plus any ``extra`` plain data) to ``path``.

    ``half=True`` stores float weights as float16 (half the file; they load back as float32).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "model": type(model).__name__, "config": dict(model.config),
               "state_dict": {k: _stored(v, half) for k, v in model.state_dict().items()},
               "extra": extra}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _stored(tensor, half):
    tensor = tensor.detach().cpu()
    return tensor.half() if half and tensor.is_floating_point() else tensor


def read(path):
    """The raw content of a checkpoint file, loaded safely (tensors and plain data only)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}. Train a model first, or check the path.")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise ValueError(
            f"Refused to load {path}: it needs arbitrary Python objects to unpickle, which could run "
            f"code. Only weights (a state_dict or a dlhelpers checkpoint) are accepted. ({e})") from e
    except (RuntimeError, EOFError, OSError) as e:
        raise ValueError(f"{path} is truncated or not a PyTorch file ({e}). "
                         f"Save it again, or download it again.") from e


def load_weights(model, state_dict, source="checkpoint"):
    """Copy ``state_dict`` into ``model``, first listing any keys or shapes that do not match."""
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    shapes = [f"{k}: {tuple(state_dict[k].shape)} in {source}, {tuple(v.shape)} in the model"
              for k, v in own.items() if k in state_dict and state_dict[k].shape != v.shape]
    if missing or unexpected or shapes:
        parts = [f"missing keys: {', '.join(missing)}" if missing else "",
                 f"unexpected keys: {', '.join(unexpected)}" if unexpected else "",
                 f"different shapes: {'; '.join(shapes)}" if shapes else ""]
        raise ValueError(f"The {source} does not fit {type(model).__name__}"
                         f"({model.config}): " + " | ".join(p for p in parts if p))
    model.load_state_dict(state_dict)
    return model


def load(path, device=None, model=None):
    """Rebuild a model from ``path`` and put it in eval mode on ``device`` (default: CPU).

    ``path`` may be a dlhelpers checkpoint (the model is rebuilt from its config) or a bare
    state_dict such as the chapter's ``VAEglasses.pth`` (then pass the ``model`` to fill).
    Raises ValueError naming mismatched keys or shapes, a truncated file, or an unsafe file.
    """
    payload = read(path)
    if isinstance(payload, dict) and payload.get("format") == FORMAT:
        if model is None:
            model = MODELS[payload["model"]](**payload["config"])
        load_weights(model, payload["state_dict"], source=f"checkpoint {path}")
    elif model is not None and isinstance(payload, dict):
        load_weights(model, payload, source=f"state_dict {path}")
    else:
        raise ValueError(f"{path} is a bare state_dict; pass the model to load it into, "
                         f"e.g. load(path, model=VAE(image_size=256)).")
    return model.to(device or "cpu").eval()


def extra(path):
    """The plain data saved beside the weights (epoch, history, optimizer state...)."""
    return read(path).get("extra", {})


def load_chapter_ae(path, device=None):
    """Load the chapter's TorchScript ``AEdigits.pt`` into an ``AE`` (its weights copied in)."""
    from .models import AE
    try:
        scripted = torch.jit.load(str(path), map_location="cpu")
    except Exception as e:
        raise ValueError(f"{path} is not a TorchScript file like the chapter's AEdigits.pt ({e})") from e
    model = AE()
    load_weights(model, scripted.state_dict(), source=f"TorchScript file {path}")
    return model.to(device or "cpu").eval()
