"""Where the grid in decoded faces comes from (notebook 05): the decoder's transposed convolutions
write some pixels more often than their neighbours, the "checkerboard" the chapter mentions.
"""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from dlhelpers import plot
from dlhelpers.chapter import latent


def overlap_counts(decoder):
    """How many kernel taps of ``decoder``'s transposed convolutions reach each output pixel.

    Every ``ConvTranspose2d`` of ``decoder.decoder_conv`` is copied with one channel, all weights 1
    and no bias, and the copies are chained on an input of ones: the result (S, S) counts, for every
    pixel, the paths through the kernels that write into it. Kernel 3 with stride 2 writes some
    pixels twice as often as their neighbours, in each direction: the chapter's "checkerboard".
    """
    layers = [m for m in decoder.decoder_conv if isinstance(m, nn.ConvTranspose2d)]
    r = decoder.unflatten.unflattened_size[-1]
    x = torch.ones(1, 1, r, r)
    with torch.no_grad():
        for m in layers:
            ones = nn.ConvTranspose2d(1, 1, m.kernel_size, m.stride, m.padding, m.output_padding, bias=False)
            ones.weight.fill_(1.0)
            x = ones(x)
    return x[0, 0]


def show_checkerboard(model, n=256, seed=0, period=8, save=None):
    """Where the grid in decoded faces comes from, in three panels: the decoder's overlap counts
    (``overlap_counts``); the same counts folded into one ``period`` x ``period`` tile (three
    stride-2 layers repeat every 8 pixels); and the fine detail of ``n`` decoded random faces (each
    face minus a 3x3 blur of itself) folded the same way. If the decoder's geometry causes the
    grid, the two tiles show the same pattern; the third title gives their correlation r. Returns
    the figure elsewhere than in a notebook.
    """
    counts = overlap_counts(model.decoder)
    z = latent.random_codes(n, model.config["latent_dims"], seed=seed)
    faces = latent.decode(model, z)
    smooth = F.avg_pool2d(F.pad(faces, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    detail = (faces - smooth).mean((0, 1))
    inner = (counts.shape[0] - 8) // period * period  # leave out the uncovered edge

    def fold(x):
        return x[:inner, :inner].reshape(inner // period, period, inner // period, period).mean((0, 2))

    r = torch.corrcoef(torch.stack([fold(counts).flatten().float(), fold(detail).flatten()]))[0, 1]
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), dpi=plot.DPI)
    panels = [
        (counts, "kernel taps reaching each pixel", "viridis"),
        (fold(counts), f"the same, folded into {period}x{period}", "viridis"),
        (fold(detail), f"detail of {n} decodes, folded (r = {r:.2f})", "RdBu_r"),
    ]
    for ax, (image, title, cmap) in zip(axes, panels):
        ax.imshow(image.numpy(), cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize="medium")
        ax.axis("off")
    fig.tight_layout()
    return plot.finish(fig, save)
