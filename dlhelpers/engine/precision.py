"""How the VAE's loop runs fast without changing what it computes: the memory layout of the images
and of Adam's state, and the forward pass under ``torch.autocast`` in the chosen precision.
"""

import torch

from dlhelpers import settings


def channels_last_pays(dev, images):
    """Whether ``images`` and the model run channels-last: colour images (4-D) on the CPU or a
    GPU, where convolutions in that layout skip a reorder each call (MPS, the MNIST digits: no)."""
    return images.dim() == 4 and dev.type in ("cpu", "cuda")


def match_layout(opt):
    """Give each optimizer state tensor (Adam's moments) its parameter's strides.

    Fused Adam on the CPU assumes that a parameter, its gradient and its moments share one
    memory layout, and silently computes wrong updates when they do not (torch 2.14). Moments
    created before the model turned channels-last, or loaded from an older checkpoint, are
    copied into the parameter's layout here (gradients follow the parameter's layout by themselves).
    """
    for group in opt.param_groups:
        for p in group["params"]:
            state = opt.state.get(p, {})
            for k, v in state.items():
                if torch.is_tensor(v) and v.shape == p.shape and v.stride() != p.stride():
                    state[k] = torch.empty_like(p, dtype=v.dtype).copy_(v)


class Mixed:
    """Calls ``model`` under ``torch.autocast`` for precision ``prec`` and hands back its outputs
    in fp32, so a loss computed from them (the chapter's, or a notebook's own) stays in fp32."""

    def __init__(self, model, device, prec):
        self.model, self.device, self.prec = model, device, prec

    def __call__(self, x):
        with settings.autocast(self.device, self.prec):
            outputs = self.model(x)
        return tuple(t.float() for t in outputs)
