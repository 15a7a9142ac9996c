"""What each ``python -m dlhelpers`` command does, one function per command (``cli`` parses the
arguments and calls them). Each takes the parsed ``args``; defaults come from ``engine.recipes``.
"""

import json
from dataclasses import replace
from pathlib import Path

from dlhelpers import data, plot, settings
from dlhelpers.chapter import latent
from dlhelpers.chapter.models import AE, VAE, DenseVAE
from dlhelpers.data import groups, kaggle
from dlhelpers.engine import checkpoints, lesson_run, planning
from dlhelpers.engine.loops import fit_ae
from dlhelpers.engine.train import fit_vae
from dlhelpers.measure import lesson_check
from dlhelpers.tools import bench as marks
from dlhelpers.tools import bench_photos, bench_vae, bench_widgets, build_judges, thin_study
from dlhelpers.tools.colab import stamp as stamp_colab
from dlhelpers.tools.slides import write_figures
from dlhelpers.tools.student_copies import write_student_copies


def train_ae(args):

    x, _ = data.mnist(train=True)
    xt, _ = data.mnist(train=False)
    settings.seed(args.seed)
    model = AE().to(settings.device())
    history = fit_ae(model, x, xt, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed)
    checkpoints.save(model, args.out, history=history, epochs=args.epochs)
    print(f"saved {settings.relative(args.out)} (test MSE {history['test_mse'][-1]:.5f} per pixel)")


def vae_defaults(args):
    """``(args, recipe)``: notebook 02's recipe for the faces used (the photos' with ``--data``),
    its size and lr filled in where unset; epochs and batch wait for the faces (``vae_plan``)."""

    r = data.vae_recipe("photos" if args.data else None)
    args.size, args.lr = args.size or r.size, args.lr or r.lr
    return args, r


def vae_plan(args, recipe, n_images):
    """The run's ``planning.Plan``, printed; too few faces stop it unless ``--epochs`` is given."""
    p = planning.plan(recipe, n_images, batch_size=args.batch_size, epochs=args.epochs)
    print(f"plan: {p}")
    if p.too_few and not args.epochs:
        planning.ensure_enough(p)  # one sentence, before any training
    elif p.too_few:
        print(f"warning: {p.too_few}")
    args.batch_size, args.epochs = p.batch_size, p.epochs
    return p


def train_vae(args):
    """Notebook 02's training (``lesson_run.train_faces_vae``): the model is saved to ``--out`` as
    soon as the last epoch ends, then checked; a failed check is a warning, recorded in the file
    for notebooks 03-04, never lost work."""

    args, recipe = vae_defaults(args)
    recipe = replace(
        recipe, size=args.size, lr=args.lr, seed=args.seed, latent_dims=args.latent, held_out=args.held_out
    )
    out = Path(args.out) if args.out else data.vae_file(args.size)  # where notebooks 03-04 look for it
    faces = data.face_set(size=args.size, folder=args.data)
    train, held_out = lesson_run.split_faces(faces.images, recipe)
    the_plan = vae_plan(args, recipe, len(train))
    settings.seed(args.seed)
    model = VAE(latent_dims=args.latent, image_size=args.size).to(settings.device())
    codes = latent.random_codes(recipe.sample_codes, args.latent, seed=args.seed)
    run = lesson_run.train_faces_vae(
        model,
        train,
        held_out,
        recipe,
        the_plan,
        out,
        rec_weight=args.rec_weight,
        sample_codes=codes,
        resume=True,
    )
    if run.history["samples"]:
        gif = plot.save_gif(run.history["samples"], out.with_name(out.stem + "_samples.gif"))
        print(f"saved {settings.relative(gif)}")
    print(run.learned)


def train_dense_vae(args):

    x, _ = data.mnist(train=True)
    xt, _ = data.mnist(train=False)
    settings.seed(args.seed)
    model = DenseVAE()
    history = fit_vae(
        model, x, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, held_out=xt, seed=args.seed
    )
    checkpoints.save(model, args.out, half=True, history=history, epochs=args.epochs)
    print(
        f"saved {settings.relative(args.out)}: test reconstruction {history['held_out_rec'][-1]:.1f} + "
        f"KL {history['held_out_kl'][-1]:.1f} per image"
    )


def train_judges(args):

    if "digits" in args.which:
        build_judges.build_digit_judge()
    if "traits" in args.which:
        build_judges.build_trait_judge()


def organise(args):

    counts = kaggle.organise(args.src, args.dst, corrections=args.corrections)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))


def bench(args):

    if args.what == "ae":
        result = marks.bench_ae(args.epochs, args.subset)
    elif args.what == "vae":
        result = bench_vae.bench_vae()
    elif args.what == "photos":
        result = bench_photos.bench_photos(args.images, workdir=args.workdir, download=args.download)
    elif args.what == "thin":
        _, table = thin_study.run(args.share)
        bad = lesson_check.failures(table)
        print("misses: " + "; ".join(bad) if bad else "all checks pass")
        result = dict(table, misses=bad)
    elif args.what == "lesson":
        table, bad = lesson_check.main(args.vae, quick=settings.QUICK)
        result = dict(table, misses=bad)
    else:
        sizes = getattr(args, "sizes", None)
        widgets = bench_widgets.bench_widgets
        result = widgets(image_size=sizes[0], also=sizes[1:]) if sizes else widgets()
    print(json.dumps(result))


def faces(args):

    print(data.summary(args.size or data.vae_recipe().size))
    print(
        f"saved groups: {settings.relative(groups.groups_file())}"
        f"{'' if groups.groups_file().is_file() else ' (none: notebooks 03-04 use the default groups)'}"
    )


def figures(args):

    write_figures(args.dir)


def student_copies(args):

    write_student_copies(settings.PROJECT / "notebooks", args.dest)


def colab(args):
    changed = stamp_colab()
    for path in changed:
        print(f"wrote {settings.relative(path)}")
    if not changed:
        print("the notebooks' first cells and the README's badges already match pyproject.toml")
