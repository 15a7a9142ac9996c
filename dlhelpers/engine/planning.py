"""Planning a run by optimizer steps, and judging it: how many epochs a number of faces needs
(``plan``), a clear word when there are too few (``ensure_enough``), and whether the run learned
(``check_learned``, a warning, never an exception: the model is kept whatever it says).
"""

from dataclasses import dataclass

from dlhelpers.errors import UserError


class TooFewFacesError(UserError, ValueError):
    """A folder with too few faces for the lesson to learn from (or to split)."""


@dataclass(frozen=True)
class Plan:
    """A VAE run: ``epochs`` passes over ``images`` faces in batches of ``batch_size``, ``steps``
    steps in all; ``needed``: the recipe's steps (None: counted in epochs); ``min_images``."""

    images: int
    batch_size: int
    epochs: int
    steps: int
    needed: int | None = None
    min_images: int = 0

    @property
    def too_few(self):
        """One sentence when there are too few faces to learn from, else None."""
        if self.images >= self.min_images:
            return None
        return (
            f"{self.images} training faces are too few to learn from: this lesson needs at "
            f"least {self.min_images} (the book trains on 4,050), or it only memorises them "
            f"and its held-out error stays where it started. Add faces to the G/ and NoG/ "
            f"folders."
        )

    def __str__(self):
        need = f"; the lesson needs about {self.needed}" if self.needed else ""
        return (
            f"{self.images} training faces, batch {self.batch_size}, {self.epochs} epochs: "
            f"{self.steps} optimizer steps{need}"
        )


def plan(recipe, n_images, batch_size=None, epochs=None):
    """The batch size, epochs and optimizer steps of a run of ``recipe`` on ``n_images`` faces.

    A recipe counted in steps (``PhotosVAERecipe``) gets the fewest epochs that make at least
    ``recipe.steps`` steps at its batch size (or ``batch_size``), whatever the number of faces:
    the book's run is about 2,800 steps, and 80 steps teach nothing. ``epochs`` (e.g. a command
    line's ``--epochs``) overrides that count. Other recipes keep their epochs. Returns a ``Plan``;
    ``Plan.too_few`` says when the faces cannot teach (``ensure_enough`` raises it)."""
    n = int(n_images)
    bs = int(batch_size or recipe.batch_size)
    per_epoch = max(1, -(-n // bs))
    needed = getattr(recipe, "steps", None)
    if epochs is None:
        epochs = -(-needed // per_epoch) if needed else recipe.epochs
    return Plan(
        images=n,
        batch_size=bs,
        epochs=int(epochs),
        steps=int(epochs) * per_epoch,
        needed=needed,
        min_images=getattr(recipe, "min_images", 0),
    )


def ensure_enough(the_plan):
    """The plan, or ``TooFewFacesError`` (one sentence: how many faces, how many are needed)."""
    if the_plan.too_few:
        raise TooFewFacesError(the_plan.too_few)
    return the_plan


@dataclass(frozen=True)
class Learned:
    """What ``check_learned`` found: ``figures``, a line with the held-out error against the
    untrained model's; ``warning``, one sentence with figures and what to change when the run did
    not learn (None when it did). ``str()`` is the line to print: the figures, or the warning."""

    figures: str
    warning: str | None = None

    @property
    def ok(self):
        """True when the run lowered the held-out error without memorising its training faces."""
        return self.warning is None

    def __str__(self):
        return self.figures if self.ok else f"warning: {self.warning}"


def check_learned(untrained_mse, held_out_mse, training_mse=None, max_overfit=None, the_plan=None):
    """Whether a run learned, as a ``Learned`` verdict; never an exception, so a finished run is
    kept whatever it says (the notebooks and ``train vae`` save the model first).

    Its ``warning`` says what to change when the held-out error per pixel is not below the
    untrained model's (more faces, more steps, or a lower learning rate, by ``the_plan``), or is
    ``max_overfit`` x ``training_mse`` or more (memorising: more faces, or fewer epochs)."""
    steps = f" in {the_plan.steps} optimizer steps" if the_plan is not None else ""
    lower = 1 - held_out_mse / untrained_mse
    seen = f"; training error {training_mse:.4f}" if training_mse is not None else ""
    figures = (
        f"held-out error {held_out_mse:.4f} per pixel against {untrained_mse:.4f} untrained "
        f"({f'{lower:.0%} lower' if lower >= 0 else f'{-lower:.0%} higher'}){steps}{seen}"
    )
    if not held_out_mse < untrained_mse:
        p = the_plan
        if p is not None and p.images < p.min_images:
            change = f"add faces (this run had {p.images}; the lesson needs at least {p.min_images})"
        elif p is not None and p.needed and p.steps < p.needed:
            change = f"train for more epochs (the lesson needs about {p.needed} steps)"
        else:
            change = "train longer (more epochs) or on more faces"
        return Learned(
            figures,
            f"Training did not lower the held-out error{steps} ({held_out_mse:.4f} per pixel "
            f"against {untrained_mse:.4f} untrained): {change}; if the loss grew or jumped, "
            f"lower the learning rate.",
        )
    if training_mse is not None and max_overfit is not None and not held_out_mse < max_overfit * training_mse:
        return Learned(
            figures,
            f"The held-out error ({held_out_mse:.4f} per pixel) is {held_out_mse / training_mse:.1f}x "
            f"the training error ({training_mse:.4f}), over the {max_overfit:g}x this lesson allows: "
            f"it memorised its training faces instead of learning faces; train on more faces, or "
            f"for fewer epochs.",
        )
    return Learned(figures)
