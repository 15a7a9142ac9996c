"""The one command line: ``python -m dlhelpers <command> ...``; ``--help`` on every command.

    python -m dlhelpers train ae                 # notebook 01's autoencoder -> files/ae_mnist.pt
    python -m dlhelpers train vae|dense-vae|judges   # notebook 02's VAE, the MNIST VAE, the judges
    python -m dlhelpers organise ~/Downloads/glasses-or-no-glasses
    python -m dlhelpers faces [--size 256]       # which faces are in use, which VAE 03-04 load
    python -m dlhelpers bench ae|vae|widgets|photos|lesson|thin   # speed; the photos path; the demos
    python -m dlhelpers student-copies DEST      # the notebooks without exercise solutions
    python -m dlhelpers figures DIR              # the chapter's figures as PNG/GIF for slides
    python -m dlhelpers colab                    # the notebooks' first cell, the README's Colab badges

Defaults come from ``dlhelpers.engine.recipes``. Mistakes in the arguments or the data (a bad flag, or
a ``dlhelpers.errors.UserError`` from the command) print one line and exit with status 2; any
other exception is a bug and shows its traceback.
"""

import argparse
import sys

from dlhelpers import settings
from dlhelpers.chapter.models import conv_side
from dlhelpers.engine import recipes
from dlhelpers.errors import UserError
from dlhelpers.tools import commands


def positive(kind):
    """An argparse type: a number of ``kind`` that must be above zero."""

    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
        return value

    return parse


def image_side(text):
    """An argparse type: an image side the chapter's VAE takes (a multiple of 8, at least 16)."""

    value = positive(int)(text)
    try:
        conv_side(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return value


def share(text):
    """An argparse type: a share strictly between 0 and 1."""
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {text}")
    return value


def training_flags(p, r, photos=None):
    """The flags every training command has, with recipe ``r``'s values as defaults; with a
    ``photos`` recipe too, epochs and batch size default to None, each recipe's value said in
    the help (``vae_defaults`` fills them in)."""

    def default(flag):
        if photos is None:
            return getattr(r, flag), f"default {getattr(r, flag)}"
        return None, (
            f"default {getattr(photos, flag)} on the photos, {getattr(r, flag)} on the synthetic faces"
        )

    epochs, epochs_help = default("epochs")
    batch, batch_help = default("batch_size")
    if photos is not None:
        epochs_help = (
            f"default: as many as {photos.steps} optimizer steps need on the photos "
            f"({photos.epochs} on 4,050), {r.epochs} on the synthetic faces; given, it "
            f"trains a folder with too few faces too"
        )
    p.add_argument("--epochs", type=positive(int), default=epochs, help=epochs_help)
    p.add_argument("--batch-size", type=positive(int), default=batch, help=f"images per step, {batch_help}")
    lr, lr_help = (r.lr, f"default {r.lr}") if photos is None else default("lr")
    p.add_argument("--lr", type=positive(float), default=lr, help=f"Adam's step size, {lr_help}")
    p.add_argument(
        "--seed",
        type=int,
        default=r.seed,
        help=f"seed of the split, the weights and the batch order, default {r.seed}",
    )


def parser():
    p = argparse.ArgumentParser(
        prog="python -m dlhelpers", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = sub.add_parser("train", help="train a model and save it").add_subparsers(
        dest="model", required=True, metavar="MODEL"
    )

    r = recipes.AE
    ae = train.add_parser("ae", help="the MNIST autoencoder (section 7.2, notebook 01)")
    training_flags(ae, r)
    ae.add_argument("--out", default=str(settings.FILES / "ae_mnist.pt"), help="where to save it")
    ae.set_defaults(run=commands.train_ae)

    r = recipes.FACES_VAE
    vae = train.add_parser("vae", help="the faces VAE (section 7.4, notebook 02); resumes if --out exists")
    vae.add_argument(
        "--data",
        default=None,
        help="a folder in the G/NoG layout (default: $DLHELPERS_PHOTOS, else "
        "files/glasses, else the synthetic faces)",
    )
    vae.add_argument(
        "--size",
        type=image_side,
        default=None,
        help=f"image side, a multiple of 8 and at least 16; default "
        f"{recipes.PHOTOS_VAE.size} (the book's) on the photos, {r.size} on the "
        f"synthetic faces",
    )
    training_flags(vae, r, photos=recipes.PHOTOS_VAE)
    vae.add_argument(
        "--rec-weight",
        type=positive(float),
        default=None,
        help=f"reconstruction weight against the KL (chapter: 1); default {r.rec_weight:g} "
        f"on the synthetic faces, (256 / size)^2 on the photos",
    )
    vae.add_argument(
        "--latent",
        type=positive(int),
        default=r.latent_dims,
        help=f"code dimensions, default {r.latent_dims}",
    )
    vae.add_argument(
        "--held-out",
        type=share,
        default=r.held_out,
        help=f"share of faces kept for testing, default {r.held_out}",
    )
    vae.add_argument(
        "--out",
        default=None,
        help="the model file, saved when training ends (default: "
        "files/runs/vae_<photos|synthetic><SIZE>.pt, the file notebooks 03-04 load); "
        "<out>_training.pt is written after every epoch and deleted once the model is "
        "saved: rerun the same command to resume",
    )
    vae.set_defaults(run=commands.train_vae)

    r = recipes.DENSE_VAE
    dv = train.add_parser("dense-vae", help="the MNIST VAE that notebook 05 compares with the AE")
    training_flags(dv, r)
    dv.add_argument("--out", default=str(settings.FILES / "dense_vae_mnist.pt"), help="where to save it")
    dv.set_defaults(run=commands.train_dense_vae)

    jd = train.add_parser(
        "judges",
        help="the classifiers that score decoded digits and faces "
        "(files/judge_digits.pt, files/judge_faces64.pt)",
    )
    jd.add_argument(
        "which",
        nargs="*",
        choices=["digits", "traits"],
        default=["digits", "traits"],
        help="which judges to rebuild (default: both)",
    )
    jd.set_defaults(run=commands.train_judges)

    org = sub.add_parser("organise", help="copy a Kaggle glasses download into files/glasses/G|NoG")
    org.add_argument("src", help="the folder the Kaggle archive was unzipped into")
    org.add_argument("--dst", default=None, help="where to build G/ and NoG/ (default: files/glasses)")
    org.add_argument("--corrections", default=None, help="a CSV id,glasses that overrides labels")
    org.set_defaults(run=commands.organise)

    marks = sub.add_parser("bench", help="speed against the chapter's own loops (prints JSON last)")
    marks.add_argument(
        "what",
        choices=["ae", "vae", "photos", "lesson", "thin", "widgets"],
        help="ae: notebook 01's training; vae: the 256-px VAE; photos: the photos "
        "path end to end; lesson: the chapter's demos on a faces VAE, "
        "counted; thin: the faces recipe trained on a share of thin frames; widgets: slider redraws",
    )
    marks.add_argument(
        "--share", type=float, default=1 / 3, help="thin only: share of the glasses drawn thin (default 1/3)"
    )
    marks.add_argument("--vae", default=None, help="lesson only: the VAE file (default: 03-04's)")
    marks.add_argument(
        "--images",
        type=positive(int),
        default=1000,
        help="photos only: portraits in the generated download (default 1000)",
    )
    marks.add_argument(
        "--download",
        default=None,
        help="photos only: keep the generated download in this folder, or reuse the one there",
    )
    marks.add_argument(
        "--workdir", default=None, help="photos only: where its temporary folder goes (default: the system's)"
    )
    marks.add_argument(
        "--epochs", type=positive(int), default=None, help=f"ae only: epochs (default {recipes.AE.epochs})"
    )
    marks.add_argument(
        "--subset",
        type=positive(int),
        default=None,
        help="ae only: train on the first N digits (default: all)",
    )
    marks.add_argument(
        "--sizes",
        type=positive(int),
        nargs="+",
        default=None,
        help="widgets only: image sizes to time the widgets at (default 64 256)",
    )
    marks.set_defaults(run=commands.bench)

    fc = sub.add_parser(
        "faces", help="which faces are in use (photos or synthetic) and the VAE notebooks 03-04 load for them"
    )
    fc.add_argument(
        "--size",
        type=positive(int),
        default=None,
        help=f"image side of the VAE to look for; default {recipes.PHOTOS_VAE.size} "
        f"on the photos, {recipes.FACES_VAE.size} on the synthetic faces",
    )
    fc.set_defaults(run=commands.faces)

    sc = sub.add_parser("student-copies", help="write the notebooks without their solutions")
    sc.add_argument("dest", help="an empty or new folder (not notebooks/)")
    sc.set_defaults(run=commands.student_copies)

    fg = sub.add_parser("figures", help="the chapter's figures as PNG and GIF files for slides")
    fg.add_argument("dir", help="the folder to write them into (created)")
    fg.set_defaults(run=commands.figures)

    cb = sub.add_parser("colab", help="write the notebooks' first cell and the README's Colab badges")
    cb.set_defaults(run=commands.colab)
    return p


def main(argv=None):
    """Run the command ``argv`` names; returns the exit status. A ``UserError`` is one line on
    stderr and status 2, Ctrl-C status 130; any other exception propagates (a bug: a traceback)."""
    p = parser()
    args = p.parse_args(argv)
    try:
        args.run(args)
    except UserError as e:
        print(f"python -m dlhelpers {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
