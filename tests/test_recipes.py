"""The recipe table (``dlhelpers.recipes``): one place for every lesson's numbers."""
import dataclasses

from dlhelpers import recipes


def test_quick_mode_only_shrinks_what_it_names():
    for name, full in recipes.FULL.items():
        quick = recipes.active(name, quick=True)
        changed = {f.name for f in dataclasses.fields(full)
                   if getattr(full, f.name) != getattr(quick, f.name)}
        assert changed == set(recipes.QUICK_CHANGES[name]), name
        assert recipes.active(name, quick=False) == full


def test_quick_mode_trains_less():
    for name in ("ae", "faces_vae", "dense_vae", "digit_judge", "trait_judge"):
        assert recipes.active(name, quick=True).epochs < recipes.full(name).epochs


def test_every_default_has_a_comment():
    import inspect
    for full in recipes.FULL.values():
        source = inspect.getsource(type(full)).splitlines()
        for f in dataclasses.fields(full):
            line = next(l for l in source if l.strip().startswith(f"{f.name}:"))
            assert "#" in line, f"{type(full).__name__}.{f.name} has no comment"
