"""The faces lesson's training run, written once: notebook 02, ``python -m dlhelpers train vae``,
``bench photos`` and ``bench thin`` all split their faces with ``split_faces`` and train with
``train_faces_vae``.

    train_x, held_x = lesson_run.split_faces(faces.images, recipe)
    run = planning.ensure_enough(planning.plan(recipe, len(train_x)))
    result = lesson_run.train_faces_vae(VAE(image_size=recipe.size), train_x, held_x, recipe, run, path)
    print(result.learned)      # the held-out error against the untrained model's, or a warning

The model is saved to ``path`` the moment its last epoch ends, before any check; a check that
fails is a warning recorded in the file (``data.load_vae`` repeats it), never lost work.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from dlhelpers.chapter import core
from dlhelpers.engine import checkpoints, planning, recipes, resuming
from dlhelpers.engine.train import fit_vae, vae_scores


def split(images, held_out=0.1, seed=0):
    """Split images (N, ...) into (train, held_out) by a seeded shuffle; ``held_out`` is a share 0..1."""
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    n_out = int(round(len(images) * held_out))
    return images[order[n_out:]], images[order[:n_out]]


def split_faces(images, recipe):
    """A faces recipe's (train, held_out) split of ``images`` (N, 3, S, S): ``recipe.held_out`` of
    them held out by ``recipe.seed``, each part cut to ``train_images`` / ``held_out_images`` when
    the recipe sets them. ``TooFewFacesError`` when either part would be empty."""
    train, held = split(images, recipe.held_out, seed=recipe.seed)
    train, held = train[: recipe.train_images], held[: recipe.held_out_images]
    if len(train) == 0 or len(held) == 0:
        raise planning.TooFewFacesError(
            f"Holding out {recipe.held_out:g} of {len(images)} faces leaves {len(train)} for "
            f"training and {len(held)} for testing; both need at least one: use more faces or "
            f"another held-out share."
        )
    return train, held


@dataclass
class LessonRun:
    """What ``train_faces_vae`` returns: the trained ``model``, its ``history`` (per-epoch losses
    and decoded samples), the ``learned`` verdict, the model file ``path``, training ``seconds``
    and the errors per pixel it was judged by (``untrained``, ``held_out``, ``training``)."""

    model: nn.Module
    history: dict
    learned: planning.Learned
    path: Path
    seconds: float
    untrained: float
    held_out: float
    training: float


def train_faces_vae(
    model,
    train_x,
    held_x,
    recipe,
    plan,
    path,
    *,
    rec_weight=None,
    sample_codes=None,
    resume=None,
    progress=True,
    step_fn=core.vae_step,
    loss_fn=core.vae_loss,
):
    """Train ``model`` on ``train_x`` (uint8 (N, 3, S, S)) as the faces lesson does, keep it, check it.

    ``plan`` (``planning.plan``) gives the epochs and batch size; ``recipe`` the learning rate,
    seed, loss balance (``recipes.rec_weight``; ``rec_weight`` overrides it) and the memorising
    limit. Each batch is ``step_fn(model, optimizer, x, rec_weight, loss_fn)``, the notebook's own
    step when it passes one. With ``resume`` (default: the recipe's) a checkpoint next to ``path``
    lets an interrupted run continue; when the last epoch ends ``fit_vae`` saves the model to
    ``path`` and deletes that checkpoint. Then the held-out and training errors are compared with
    the untrained model's (``planning.check_learned``) and a warning is recorded in the file.
    """
    path = Path(path)
    untrained = vae_scores(model, held_x)["mse"]
    resume = recipe.resume if resume is None else resume
    start = time.perf_counter()
    history = fit_vae(
        model,
        train_x,
        epochs=plan.epochs,
        batch_size=plan.batch_size,
        lr=recipe.lr,
        rec_weight=recipes.rec_weight(recipe, given=rec_weight),
        held_out=held_x,
        sample_codes=sample_codes,
        checkpoint=resuming.training_file(path) if resume else None,
        save_to=path,
        seed=recipe.seed,
        progress=progress,
        step_fn=step_fn,
        loss_fn=loss_fn,
    )
    seconds = time.perf_counter() - start
    held, seen = vae_scores(model, held_x)["mse"], vae_scores(model, train_x[: len(held_x)])["mse"]
    learned = planning.check_learned(untrained, held, seen, recipe.max_overfit, plan)
    checkpoints.update_extra(path, check=learned.warning)
    return LessonRun(model, history, learned, path, seconds, untrained, held, seen)
