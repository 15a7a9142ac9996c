"""``python -m dlhelpers train judges``: retrain the shipped judge files and test them.

Each ``build_*`` trains a judge with its recipe (``recipes.DIGIT_JUDGE``, ``recipes.TRAIT_JUDGE``),
prints its accuracy on images it never saw and saves it as float16 to the path the notebooks load.
"""

import torch

from dlhelpers import data, settings
from dlhelpers.data import synthetic_set
from dlhelpers.engine import checkpoints, recipes
from dlhelpers.measure.judges import (
    DIGITS_PATH,
    TRAITS_PATH,
    digit_accuracy,
    train_digit_judge,
    train_trait_judge,
    trait_accuracy,
)


def build_digit_judge(path=DIGITS_PATH, recipe=recipes.DIGIT_JUDGE, progress=True):
    """Train the digit judge on MNIST's 60,000 training digits and save it (float16) to ``path``."""
    x, y = data.mnist(train=True)
    xt, yt = data.mnist(train=False)
    r = recipe
    net = train_digit_judge(
        x, y, epochs=r.epochs, batch_size=r.batch_size, lr=r.lr, seed=r.seed, test=(xt, yt), progress=progress
    )
    acc = digit_accuracy(net, xt, yt)
    checkpoints.save(net, path, half=True, test_accuracy=acc, epochs=r.epochs, history=net.history)
    print(f"saved {settings.relative(path)}: test accuracy {acc:.4f}")
    return net, acc


def build_trait_judge(path=TRAITS_PATH, recipe=recipes.TRAIT_JUDGE, faces=None, progress=True):
    """Train the trait judge on freshly drawn faces and their one-trait twins (64 px; a share
    ``recipe.thin_share`` of them with thin frames, so it reads thin rebuilt frames too), test it
    on faces of the dataset (``data.face_set``; never seen in training), clean and blurred
    (1.5 px), and on fresh thin-framed faces ("thin"); save it (float16) to ``path``.
    Returns (net, {"clean": ..., "blurred": ..., "thin": ...})."""
    r = recipe
    train, twins = synthetic_set.render_set(
        r.faces, seed=7 + r.seed, size=64, counterfactual=True, thin_frames=r.thin_share, progress=progress
    )
    net = train_trait_judge(
        train, epochs=r.epochs, batch_size=r.batch_size, lr=r.lr, seed=r.seed, twins=twins, progress=progress
    )
    faces = faces if faces is not None else data.face_set(size=64)
    acc = held_out_accuracy(net, faces, n=r.test_faces, seed=r.seed)
    thin = synthetic_set.render_set(r.test_faces, seed=11 + r.seed, size=64, thin_frames=True)
    acc["thin"] = trait_accuracy(net, thin.images, thin.attributes, thin.glasses)
    checkpoints.save(
        net, path, half=True, held_out_accuracy=acc, epochs=r.epochs, trained_on=r.faces, history=net.history
    )
    print(f"saved {settings.relative(path)}: accuracy on {r.test_faces} dataset faces {acc}")
    return net, acc


def held_out_accuracy(net, faces, n=1000, seed=0, sigma=1.5):
    """The trait judge's accuracy on ``n`` random labelled faces: {"clean": {trait: share},
    "blurred": {...}} (blurred by ``sigma`` px)."""
    idx = torch.randperm(len(faces), generator=torch.Generator().manual_seed(seed))[:n]
    some = faces.subset(idx)
    return {
        "clean": trait_accuracy(net, some.images, some.attributes, some.glasses),
        "blurred": trait_accuracy(net, some.images, some.attributes, some.glasses, sigma=sigma),
    }
