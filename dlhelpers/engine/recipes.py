"""Every lesson's recipe in one table: epochs, batch sizes, learning rates, sizes, counts.

The notebooks, the command line and the benchmarks all read their defaults from here, so a number
is changed in one place; how each was chosen is in docs/recipes.md. Quick mode (``DLHELPERS_QUICK=1``, used by the tests) is a property of
this table: ``QUICK_CHANGES`` shrinks each recipe, and the module-level names (``AE``,
``FACES_VAE``, ...) are the quick or the full recipe according to ``settings.QUICK``.
``full(name)`` always gives the full recipe.
"""

from dataclasses import dataclass, fields, replace

from dlhelpers import settings


@dataclass(frozen=True)
class AERecipe:
    """Notebook 01 and ``train ae``: the dense autoencoder on MNIST (section 7.2.2)."""

    epochs: int = 10  # the chapter's 10 passes over the training digits
    batch_size: int = 256  # the chapter's 32, made larger: same error, far fewer steps
    lr: float = 3e-3  # Adam; raised with the batch (the chapter: 2.5e-4 at 32)
    train_images: int | None = None  # None = all 60,000 training digits
    show_after: tuple = (1, 5)  # epochs after which the digits are drawn (figures 7.4-7.5)
    max_test_mse: float = 0.0105  # notebook 01's bar on the test error per pixel, near the book's
    seed: int = 0  # seed of weights, batch order and random draws


@dataclass(frozen=True)
class FacesVAERecipe:
    """Notebook 02 and ``train vae``: the chapter's convolutional VAE on faces (section 7.4.2)."""

    size: int = 72  # image side: the largest whose VAE file ships under 10 MB
    epochs: int = 30  # passes over the training faces (more steps than the book's 10 epochs)
    batch_size: int = 32  # the book's 16, doubled: steadier and faster on a CPU
    lr: float = 1e-3  # Adam (the book: 1e-4 at batch 16, slower to converge)
    latent_dims: int = 100  # the chapter's code size
    rec_weight: float | None = 4.0  # weight of the reconstruction error against the KL;
    # None = book_balance(size); 1 = the chapter's loss
    held_out: float = 0.1  # share of faces never trained on, to check generalisation
    train_images: int | None = None  # None = every training face (quick mode: a few hundred)
    held_out_images: int | None = None  # None = every held-out face
    sample_codes: int = 18  # fixed random codes decoded after every epoch (figure 7.8)
    max_overfit: float = 2.5  # notebook 02 warns when held-out MSE >= this x training MSE
    resume: bool = True  # notebook 02 checkpoints every epoch and resumes on rerun
    seed: int = 0  # seed of weights, batch order and random draws


@dataclass(frozen=True)
class DenseVAERecipe:
    """The MNIST VAE that notebook 05 compares with the autoencoder (``train dense-vae``)."""

    epochs: int = 10  # as the autoencoder
    batch_size: int = 128  # small enough for ~4,700 steps in 10 epochs
    lr: float = 1e-3  # Adam
    seed: int = 0  # seed of weights, batch order and random draws


@dataclass(frozen=True)
class DigitJudgeRecipe:
    """The classifier that scores decoded digits (``train judges digits``)."""

    epochs: int = 4  # augmented passes over the MNIST training digits
    batch_size: int = 128  # images per optimizer step
    lr: float = 2e-3  # peak of the one-cycle schedule
    seed: int = 0  # seed of weights, batch order and random draws


@dataclass(frozen=True)
class TraitJudgeRecipe:
    """The classifier that scores decoded faces for glasses, beard, frame colour and smile."""

    epochs: int = 12  # passes over the drawn faces and their twins
    batch_size: int = 64  # images per optimizer step
    lr: float = 3e-3  # peak of the one-cycle schedule
    faces: int = 6000  # freshly drawn faces (and as many one-trait twins)
    thin_share: float = 0.3  # share of them with thin, pale frames (survival's test kind)
    test_faces: int = 1000  # dataset faces it is tested on (never trained on)
    seed: int = 0  # seed of weights, batch order and random draws


@dataclass(frozen=True)
class GlassesJudgeRecipe:
    """The glasses classifier trained on the organised photos' own labels (notebooks 03-04)."""

    epochs: int = 10  # a small CNN on 64-px faces
    batch_size: int = 64  # images per optimizer step
    lr: float = 3e-3  # peak of the one-cycle schedule, as the trait judge
    held_out: float = 0.1  # share of photos it never trains on, to print its accuracy
    max_images: int | None = None  # None = every labelled photo (quick mode: a few hundred)
    image_size: int = 64  # decodes of any size are resized to this first
    seed: int = 0  # seed of the split, weights and batch order


@dataclass(frozen=True)
class ClaimsRecipe:
    """How hard notebooks 03-04 test the chapter's claims."""

    per_group: int = 3  # faces averaged per group, as in listing 7.9
    draws: int = 50  # random draws of groups for each arithmetic claim
    pairs: int = 30  # random pairs for the interpolation survey
    attribute_faces: int = 2000  # faces encoded to find the glasses and beard directions
    digit_decodes: int = 1000  # random codes and midpoints per model, AE against VAE
    check_traits: bool = True  # notebooks assert that group means keep their traits
    group_sizes: tuple = (1, 3, 10, 30)  # faces per group for the arithmetic curve (notebook 05)
    large_group: int = 30  # faces per group for the wide interpolation ends (notebook 05)
    survival_faces: int = 500  # fresh faces on which trait survival is measured


@dataclass(frozen=True)
class BenchVAERecipe:
    """``bench vae``: the chapter's 256-px training, side by side with the chapter-style loop."""

    train_images: int = 320  # generated 1024-px PNGs to train on: five full batches of 64
    held_out_images: int = 32  # more of them, never trained on: the held-out MSE
    epochs: int = 10  # the book's 10
    size: int = 256  # the book's image side
    batch_size: int = 64  # images per step of the package's loop (compare_batch_size: the other)
    lr: float = 1e-3  # as notebook 02's recipe
    compare_batch_size: int = 32  # trained too, side by side: speed and quality of each


def book_balance(size):
    """The reconstruction weight that gives images of side ``size`` the loss balance of the book's
    256-px run: the error is summed over 3 x size x size pixels, so (256 / size)^2 (16 at 64 px)."""
    return (256 / size) ** 2


@dataclass(frozen=True)
class PhotosVAERecipe(FacesVAERecipe):
    """Notebook 02 and ``train vae`` on the book's photos (or any G/NoG folder): by steps, not
    epochs. ``plan(recipe, n_images)`` picks the epochs that give ``steps`` optimizer steps on
    however many faces there are; ``epochs`` is that plan for the book's 4,050 training photos."""

    size: int = 256  # the book's image side
    rec_weight: float | None = None  # book_balance(256) = 1: the chapter's loss exactly
    epochs: int = 12  # plan(PHOTOS_VAE, 4050).epochs: 1,524 steps at batch 32
    batch_size: int = 32  # the book's 16, doubled, as the faces recipe
    lr: float = 1e-3  # Adam, as notebook 02's faces recipe
    steps: int = 1500  # optimizer steps the lesson needs, whatever the number of faces
    min_images: int = 800  # fewer faces: TooFewFacesError (too many passes over too few)


PHOTOS_VAE_RECIPE = PhotosVAERecipe()  # notebook 02 on the book's photos

FULL = {
    "ae": AERecipe(),
    "faces_vae": FacesVAERecipe(),
    "photos_vae": PHOTOS_VAE_RECIPE,
    "dense_vae": DenseVAERecipe(),
    "digit_judge": DigitJudgeRecipe(),
    "trait_judge": TraitJudgeRecipe(),
    "claims": ClaimsRecipe(),
    "bench_vae": BenchVAERecipe(),
    "glasses_judge": GlassesJudgeRecipe(),
}

_QUICK_FACES = dict(epochs=1, train_images=320, held_out_images=64, max_overfit=10.0, resume=False)

QUICK_CHANGES = {  # what quick mode changes: seconds instead of minutes
    "ae": dict(epochs=1, train_images=3000, show_after=(1,), max_test_mse=0.1),
    "faces_vae": _QUICK_FACES,
    "photos_vae": dict(_QUICK_FACES, steps=10, min_images=50),
    "dense_vae": dict(epochs=1),
    "digit_judge": dict(epochs=1),
    "trait_judge": dict(epochs=1, faces=200, test_faces=100),
    "claims": dict(
        draws=3,
        pairs=3,
        attribute_faces=400,
        digit_decodes=200,
        check_traits=False,
        group_sizes=(1, 3),
        large_group=5,
        survival_faces=40,
    ),
    "bench_vae": dict(train_images=16, held_out_images=4, epochs=2, size=64),
    "glasses_judge": dict(max_images=400),
}


def full(name):
    """The full recipe ``name`` (a key of ``FULL``), whatever the mode."""
    return FULL[name]


def active(name, quick=None):
    """The recipe ``name`` in the current mode (``settings.QUICK``) or the one ``quick`` asks for."""
    quick = settings.QUICK if quick is None else quick
    return replace(FULL[name], **QUICK_CHANGES[name]) if quick else FULL[name]


AE = active("ae")
FACES_VAE = active("faces_vae")
PHOTOS_VAE = active("photos_vae")
DENSE_VAE = active("dense_vae")
DIGIT_JUDGE = active("digit_judge")
TRAIT_JUDGE = active("trait_judge")
CLAIMS = active("claims")
BENCH_VAE = active("bench_vae")
GLASSES_JUDGE = active("glasses_judge")


# --- Recipes by steps: how many passes a run makes, and a clear word when it cannot teach -------


def rec_weight(recipe, size=None, given=None):
    """The reconstruction weight a faces run trains with, the one rule: ``given`` (a command-line
    choice) when set, else the recipe's own, else ``book_balance`` of ``size`` (default: the
    recipe's size)."""
    return given or recipe.rec_weight or book_balance(size or recipe.size)


def describe(recipe):
    """The recipe's numbers as one line for a notebook's settings cell, e.g. ``"AE recipe: epochs 10
    · batch size 256 · lr 0.003 · ..."`` (fields left at None are left out)."""
    shown = [
        f"{f.name.replace('_', ' ')} {getattr(recipe, f.name):g}"
        if isinstance(getattr(recipe, f.name), float)
        else f"{f.name.replace('_', ' ')} {getattr(recipe, f.name)}"
        for f in fields(recipe)
        if getattr(recipe, f.name) is not None
    ]
    return f"{type(recipe).__name__.replace('Recipe', ' recipe')}: " + " · ".join(shown)
