"""The recipe table (``dlhelpers.engine.recipes``): one place for every lesson's numbers."""

import dataclasses

from dlhelpers.engine import planning, recipes


def test_quick_mode_only_shrinks_what_it_names():
    for name, full in recipes.FULL.items():
        quick = recipes.active(name, quick=True)
        changed = {
            f.name for f in dataclasses.fields(full) if getattr(full, f.name) != getattr(quick, f.name)
        }
        assert changed == set(recipes.QUICK_CHANGES[name]), name
        assert recipes.active(name, quick=False) == full


def test_quick_mode_trains_less():
    for name in ("ae", "faces_vae", "dense_vae", "digit_judge", "trait_judge"):
        assert recipes.active(name, quick=True).epochs < recipes.full(name).epochs


def test_every_default_has_a_comment():
    import inspect

    for full in recipes.FULL.values():
        for f in dataclasses.fields(full):
            owner = next(c for c in type(full).__mro__ if f.name in vars(c).get("__annotations__", {}))
            source = inspect.getsource(owner).splitlines()
            line = next(ln for ln in source if ln.strip().startswith(f"{f.name}:"))
            assert "#" in line, f"{owner.__name__}.{f.name} has no comment"


def test_the_photos_recipe_counts_steps_whatever_the_number_of_faces():
    photos = recipes.full("photos_vae")
    for n in (800, 1000, 4050, 10000):
        p = planning.plan(photos, n)
        per_epoch = -(-n // p.batch_size)
        assert p.steps == p.epochs * per_epoch and photos.steps <= p.steps < photos.steps + per_epoch
        assert p.too_few is None and f"{p.steps} optimizer steps" in str(p)
    assert planning.plan(photos, 4050).epochs == photos.epochs  # its epochs: the book's photos
    assert planning.plan(photos, 4050, epochs=3).steps == 3 * -(-4050 // photos.batch_size)
    assert planning.plan(photos, 4050, batch_size=64).batch_size == 64
    few = planning.plan(photos, 540)
    assert "540 training faces are too few to learn from" in few.too_few
    assert f"at least {photos.min_images}" in few.too_few
    import pytest

    with pytest.raises(planning.TooFewFacesError):
        planning.ensure_enough(few)
    faces = recipes.full("faces_vae")  # counted in epochs: its epochs are kept
    assert planning.plan(faces, 4050).epochs == faces.epochs and planning.plan(faces, 10).too_few is None


def test_training_that_did_not_help_is_a_warning_saying_what_to_change():
    """The check never raises (the model is saved first and kept): a warning with the figures
    and what to change, or the figures alone."""
    p = planning.plan(recipes.full("photos_vae"), 486, epochs=10)
    v = planning.check_learned(0.0450, 0.0452, the_plan=p)
    assert not v.ok and v.warning.startswith("Training did not lower the held-out error")
    assert "add faces (this run had 486; the lesson needs at least" in v.warning
    assert str(p.steps) in v.warning and str(v) == f"warning: {v.warning}"
    assert "0% higher" in v.figures
    short = planning.plan(recipes.full("photos_vae"), 4050, epochs=1)
    assert "train for more epochs" in planning.check_learned(0.0450, 0.0452, the_plan=short).warning
    memorised = planning.check_learned(0.09, 0.03, training_mse=0.01, max_overfit=1.5)
    assert "memorised" in memorised.warning and "3.0x the training error (0.0100)" in memorised.warning
    assert (
        "over the 1.5x" in memorised.warning
        and "train on more faces, or for fewer epochs" in memorised.warning
    )
    good = planning.check_learned(0.09, 0.01, training_mse=0.009, max_overfit=1.5)
    assert good.ok and str(good) == good.figures and "89% lower" in str(good)
