"""The faces lesson run (``engine.lesson_run``): one split, one training, kept, then checked."""

from dataclasses import replace

import pytest
import torch

from dlhelpers.chapter import core
from dlhelpers.chapter.models import VAE
from dlhelpers.engine import checkpoints, lesson_run, planning, recipes, resuming


def faces(n, side=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, side, side), generator=g, dtype=torch.uint8)


def recipe(**changes):
    base = recipes.FacesVAERecipe(size=16, epochs=2, batch_size=8, held_out=0.25, resume=True)
    return replace(base, **changes)


def test_split_faces_holds_out_a_seeded_share_and_cuts_to_the_recipe():
    x = faces(40)
    train, held = lesson_run.split_faces(x, recipe())
    assert (len(train), len(held)) == (30, 10)
    again = lesson_run.split_faces(x, recipe())
    assert torch.equal(train, again[0]) and torch.equal(held, again[1])
    seen = {tuple(t.flatten()[:8].tolist()) for t in train}
    assert not any(tuple(h.flatten()[:8].tolist()) in seen for h in held)  # no face in both
    small = lesson_run.split_faces(x, recipe(train_images=12, held_out_images=3))
    assert (len(small[0]), len(small[1])) == (12, 3)
    with pytest.raises(planning.TooFewFacesError, match="0 for testing"):
        lesson_run.split_faces(faces(3), recipe(held_out=0.1))


def test_the_run_trains_with_the_step_it_is_given_keeps_the_model_and_records_a_warning(tmp_path, capsys):
    r = recipe(max_overfit=0.5)  # a bar no run can clear: the check must warn, and the model stay
    train, held = lesson_run.split_faces(faces(40), r)
    plan = planning.plan(r, len(train), epochs=2, batch_size=8)
    steps = []

    def counting_step(model, optimizer, x, rec_weight=1.0, loss_fn=core.vae_loss):
        steps.append(len(x))
        return core.vae_step(model, optimizer, x, rec_weight, loss_fn)

    path = tmp_path / "vae.pt"
    torch.manual_seed(0)
    result = lesson_run.train_faces_vae(
        VAE(image_size=16), train, held, r, plan, path, progress=False, step_fn=counting_step
    )
    assert len(steps) == plan.steps == 2 * 4  # the notebook's step ran every batch
    assert path.is_file() and not resuming.training_file(path).exists()
    assert not result.learned.ok and "warning" in str(result.learned)
    assert checkpoints.extra(path)["check"] == result.learned.warning
    assert result.held_out > 0 and result.untrained > 0 and result.seconds > 0
    model, saved = checkpoints.load(path, with_extra=True)
    assert model.config["image_size"] == 16 and saved["epoch"] == 2
