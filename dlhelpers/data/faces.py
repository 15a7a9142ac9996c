"""The digits and the faces in use (the book's photos or the drawn faces), with the VAE files
that belong to them; splitting. Images leave this module as uint8 tensors, 0..255.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from dlhelpers import settings
from dlhelpers.chapter.models import VAE
from dlhelpers.data import face_folder, synthetic_set
from dlhelpers.engine import checkpoints, recipes, resuming
from dlhelpers.errors import UserError

# --- Which faces are in use, and the files that belong to them -------------------------------

PHOTOS_ENV = "DLHELPERS_PHOTOS"  # a G/NoG folder of the book's photos kept anywhere
RUNS_ENV = "DLHELPERS_RUNS"  # where notebook 02's models, the photo judge and picks go
BOOK_VAE = "VAEglasses.pth"  # the book's published 256-px weights, dropped into files/
SHIPPED_VAE = "vae_faces{size}.pt"  # the shipped VAE, trained on the synthetic faces


class NoModelError(UserError, FileNotFoundError):
    """No VAE trained on the faces in use at this size."""


class SizeError(UserError, ValueError):
    """A VAE file holds a model of another image size than asked for."""


@dataclass(frozen=True)
class InUse:
    """Which faces the series uses: ``name`` is "photos" or "synthetic"; ``folder`` their G/NoG
    folder; ``why`` says how that was decided (one phrase, for the reader)."""

    name: str
    folder: Path
    why: str

    def __str__(self):
        kind = "the book's glasses photos" if self.name == "photos" else "the synthetic faces"
        return f"{kind} in {settings.relative(self.folder)} ({self.why})"


def photos_folder():
    """Where the organised photos live: ``$DLHELPERS_PHOTOS`` if set, else ``files/glasses``."""
    env = os.environ.get(PHOTOS_ENV, "").strip()
    return Path(env).expanduser() if env else settings.FILES / "glasses"


def in_use():
    """The faces in use (an ``InUse``): the photos when organised, else the synthetic faces.

    When ``$DLHELPERS_PHOTOS`` names a folder that does not exist, that is a mistake worth a
    clear error (``face_folder.NoFacesError``, a FileNotFoundError), not a silent switch to the
    synthetic faces.
    """
    photos = photos_folder()
    if os.environ.get(PHOTOS_ENV, "").strip():
        if not photos.is_dir():
            shown = settings.relative(photos)
            raise face_folder.NoFacesError(
                f"{PHOTOS_ENV} points at {shown}, which is not a folder. Organise the Kaggle "
                f"download there (python -m dlhelpers organise <download> --dst {shown}) or "
                f"unset {PHOTOS_ENV} to use files/glasses or the synthetic faces."
            )
        return InUse("photos", photos, f"set by {PHOTOS_ENV}")
    if photos.is_dir():
        return InUse("photos", photos, "organised into files/glasses")
    return InUse(
        "synthetic",
        settings.data_root() / "synthetic-faces",
        "no photos in files/glasses; see README → 'The real glasses data'",
    )


def runs_folder():
    """Where trained models, the photo judge and saved picks go: ``$DLHELPERS_RUNS`` if set,
    else ``files/runs`` (git-ignored), and in quick mode ``files/runs/quick``, so that a quick
    test run never leaves a one-epoch model where a full run would pick it up."""
    env = os.environ.get(RUNS_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return settings.FILES / "runs" / ("quick" if settings.QUICK else "")


def ae_file():
    """The file notebook 01 saves its autoencoder to and notebook 05 reads first:
    ``<runs>/ae_mnist.pt`` (a quick run's goes under ``files/runs/quick``; folder created)."""
    runs = runs_folder()
    runs.mkdir(parents=True, exist_ok=True)
    return runs / "ae_mnist.pt"


def vae_file(size, dataset=None):
    """The file notebook 02 saves its VAE to: ``<runs>/vae_<photos|synthetic><size>.pt`` (its
    folder is created, so the GIF and checkpoints beside it can be written)."""
    runs = runs_folder()
    runs.mkdir(parents=True, exist_ok=True)
    return runs / f"vae_{dataset or in_use().name}{int(size)}.pt"


def vae_candidates(size, dataset=None):
    """The VAE files notebooks 03-04 may load for these faces at ``size`` px, best first.

    First the model the student trained in notebook 02 (or ``train vae``), then the one that came
    with the project: the shipped ``files/vae_faces<size>.pt`` for the synthetic faces, the book's
    ``files/VAEglasses.pth`` for the photos (256 px only). ``load_vae`` says which it loaded.
    """
    dataset = dataset or in_use().name
    shipped = (
        settings.FILES / SHIPPED_VAE.format(size=int(size))
        if dataset == "synthetic"
        else settings.FILES / BOOK_VAE
        if int(size) == 256
        else None
    )
    return [vae_file(size, dataset)] + ([shipped] if shipped else [])


def load_vae(size, device=None, dataset=None):
    """The VAE for the faces in use at ``size`` px, loaded; returns ``(model, path)``.

    Says which file it loaded, and repeats the warning of notebook 02's check when the model was
    saved with one (its extra's ``check``: the run did not lower the held-out error, or memorised).
    Raises ``NoModelError`` (a FileNotFoundError) with one sentence saying what to do when there is
    none (naming an unfinished run's training checkpoint), and ``SizeError`` (a ValueError) naming
    both sizes when a file holds a model of another size (e.g. the book's 256-px
    ``VAEglasses.pth`` while SIZE is 64). Paths are printed relative to the project.
    """

    dataset = dataset or in_use().name
    size = int(size)
    for path in vae_candidates(size, dataset):
        if path.is_file():
            book = path.name == BOOK_VAE
            model, extra = checkpoints.load(
                path, device=device, model=VAE(image_size=256) if book else None, with_extra=True
            )
            got = getattr(model, "config", {}).get("image_size")
            if got != size:
                raise SizeError(
                    f"{settings.relative(path)} holds a VAE for {got}-px images, but SIZE is {size}: "
                    f"set SIZE = {got}, or train a {size}-px model in notebook 02."
                )
            what = (
                "the book's published weights"
                if book
                else "the shipped model"
                if path.parent == settings.FILES
                else "trained in notebook 02 (or train vae)"
            )
            kind = "the photos" if dataset == "photos" else "the synthetic faces"
            print(f"Using the VAE in {settings.relative(path)}: {what}, for {kind} at {size} px")
            if extra.get("check"):
                print(f"warning: when it was trained, notebook 02's check said: {extra['check']}")
            return model, path
    book = settings.FILES / BOOK_VAE
    if dataset == "photos" and size != 256 and book.is_file():
        raise SizeError(
            f"{settings.relative(book)} is the book's VAE for 256-px images, but SIZE is {size}: set "
            f"SIZE = 256, or run notebook 02 at {size} px first."
        )
    hint = (
        f", or drop the book's {BOOK_VAE} into {settings.relative(settings.FILES)}/ and set SIZE = 256"
        if dataset == "photos"
        else ""
    )
    run = vae_file(size, dataset)
    unfinished = resuming.training_file(run)
    first = (
        f"run notebook 02 again to finish the unfinished run in {settings.relative(unfinished)}"
        if unfinished.is_file()
        else "run notebook 02 first"
    )
    raise NoModelError(
        f"No VAE trained on the {dataset} faces at {size} px ({settings.relative(run)}): {first}{hint}."
    )


def vae_recipe(dataset=None):
    """Notebook 02's recipe for the faces in use (or ``dataset``): the book's 256 px and 10 epochs
    on the photos (``recipes.PHOTOS_VAE``), 64 px and 30 epochs on the synthetic faces
    (``recipes.FACES_VAE``: drawn bold enough for 64 px, and 16x cheaper per epoch)."""

    return recipes.PHOTOS_VAE if (dataset or in_use().name) == "photos" else recipes.FACES_VAE


def summary(size):
    """One line for a notebook's settings cell: the faces in use and the VAE 03-04 will load."""
    found = [p for p in vae_candidates(size) if p.is_file()]
    vae = (
        settings.relative(found[0])
        if found
        else f"none yet (notebook 02 saves {settings.relative(vae_file(size))})"
    )
    return f"faces: {in_use()} | VAE for {int(size)} px: {vae}"


def face_set(size=64, folder=None, n=None):
    """The chapter's faces, as a ``face_folder.FaceSet`` (images uint8 (N, 3, size, size), 0..255).

    With ``folder``, loads that G/NoG folder. Without it, uses the faces ``in_use()`` names:
    the organised photos (``$DLHELPERS_PHOTOS``, else ``files/glasses``) when there, else the
    synthetic faces in ``<data root>/synthetic-faces``, generating ``n`` of them (default: as
    many as are there, else 5,000; at 128 px) when they are missing or were drawn by an older
    version of ``dlhelpers.data.synthetic_faces``. Prints one line saying which set it used.
    """
    if folder is not None:
        print(f"Using the faces in {Path(folder).expanduser()}")
        return face_folder.load(folder, size)
    use = in_use()
    print(f"Using {use}")
    if use.name == "photos":
        return face_folder.load(use.folder, size)
    synthetic = use.folder
    made = synthetic / ".faces.json"  # what an earlier make_dataset wrote
    n = n or (json.loads(made.read_text()).get("n", 5000) if made.is_file() else 5000)
    synthetic_set.make_dataset(synthetic, n=n, size=128)  # a no-op unless missing or outdated
    return face_folder.load(synthetic, size)


def trait_labels(faces):
    """The labels these faces carry, as {trait: int64 tensor (N,)}: glasses always, beard on the
    synthetic set (the photos have no gender labels)."""
    labels = {"glasses": faces.glasses}
    if faces.attributes and "beard" in faces.attributes:
        labels["beard"] = torch.as_tensor(faces.attributes["beard"])
    return labels
