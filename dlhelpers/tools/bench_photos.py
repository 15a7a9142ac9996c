"""``python -m dlhelpers bench photos``: the photos path end to end, as a reader walks it.

A download in Kaggle's exact layout (``photo_faces.kaggle_download``: the package's faces drawn
at 256 px, written as 1024-px PNGs), organised (``kaggle.organise``), decoded, and notebook 02's
training on it with the photos recipe counted in steps (``planning.plan``), through ``lesson_run.train_faces_vae``;
then what notebooks 02-04 check: the held-out error against the untrained model's, whether the
book's picks' group averages keep their glasses by the photos' own glasses judge
(``judges.glasses_judge``), whether the chapter's arithmetic removes them, and, on fresh faces
with thin, pale frames, how often the reconstructions keep glasses (by the trait judge and by the
frames' shape, ``survival``). Prints readable lines, then one JSON object as its last line.
Everything is written to a temporary folder and deleted at the end.
"""

import tempfile
import time
from pathlib import Path

import torch

from dlhelpers import settings
from dlhelpers.chapter import latent
from dlhelpers.chapter.latent import to_float
from dlhelpers.chapter.models import VAE
from dlhelpers.data import groups, kaggle, photo_faces
from dlhelpers.data.face_folder import load as load_faces
from dlhelpers.engine import checkpoints, lesson_run, planning, recipes
from dlhelpers.measure import claims, judges, lesson_check, survival
from dlhelpers.measure.judges import trait_scores


def group_glasses(vae, judge, faces, picks):
    """The glasses probability of each group's decoded average code: {group: p}."""

    codes = torch.stack([latent.mean_code(vae, to_float(faces.images[idx])) for idx in picks.values()])
    p = trait_scores(judge, latent.decode(vae, codes))["glasses"]
    return {name: round(float(v), 3) for name, v in zip(picks, p)}


def bench_photos(images=1000, recipe=None, workdir=None, check_faces=500, download=None):
    """The photos path end to end on ``images`` generated portraits (see the module's docstring);
    ``recipe`` defaults to ``recipes.PHOTOS_VAE`` (quick or full). ``download``: a folder for the
    Kaggle-layout download, kept; reused when it already holds one (its ``train.csv``), since
    writing 5,000 PNGs takes minutes. Returns the figures as a dict."""

    r = recipe or recipes.PHOTOS_VAE
    wall, load_before, t0 = {}, settings.load_average(), time.perf_counter()
    print(
        f"CPU: {settings.cpu_name()}, {torch.get_num_threads()} threads, precision "
        f"{settings.precision()}; load average {load_before}"
    )
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        src = Path(download) if download else tmp / "download"
        reused = (src / "train.csv").is_file()
        if not reused:
            photo_faces.kaggle_download(src, images)
        else:
            images = len(list((src / kaggle.KAGGLE_FACES).glob("face-*.png")))
        wall["write_pngs_s"] = time.perf_counter() - t
        t = time.perf_counter()
        counts = kaggle.organise(src, tmp / "glasses", progress=False)
        wall["organise_s"] = time.perf_counter() - t
        made = f"reused {src}" if reused else f"written in {wall['write_pngs_s']:.0f} s"
        print(
            f"Kaggle-layout download of {images} 1024-px PNGs (drawn at {photo_faces.DRAW} px): "
            f"{made}; organised in {wall['organise_s']:.1f} s "
            f"(G {counts['G']}, NoG {counts['NoG']})"
        )
        t = time.perf_counter()
        faces = load_faces(tmp / "glasses", r.size, progress=False)
        wall["decode_s"] = time.perf_counter() - t
        train, held = lesson_run.split_faces(faces.images, r)
        plan = planning.ensure_enough(planning.plan(r, len(train)))
        print(
            f"decoded at {r.size} px in {wall['decode_s']:.0f} s; plan: {plan}; lr {r.lr:g}, "
            f"loss weight {recipes.rec_weight(r):g}"
        )
        settings.seed(r.seed)
        model = VAE(latent_dims=r.latent_dims, image_size=r.size).to(settings.device())
        runs = tmp / "runs"
        runs.mkdir()
        codes = latent.random_codes(r.sample_codes, r.latent_dims, seed=0)
        run = lesson_run.train_faces_vae(
            model, train, held, r, plan, runs / f"vae_photos{r.size}.pt", sample_codes=codes, progress=False
        )
        wall["train_s"] = run.seconds
        model = model.cpu().eval()
        print(
            f"trained in {wall['train_s']:.0f} s ({wall['train_s'] / plan.steps:.2f} s per step, "
            f"checkpoint every epoch): {run.learned}"
        )
        t = time.perf_counter()
        judge = judges.glasses_judge(faces, path=runs / "judge_glasses_photos.pt", progress=False)
        picks = groups.book_groups(faces)
        means = group_glasses(model, judge, faces, picks)
        keep = all((p >= 0.5) == ("noglasses" not in g) for g, p in means.items())
        arith = claims.arithmetic_success(model, judge, faces, groups=picks)
        removed = bool(arith["successes"])
        z = arith["per_draw"][0]["probs"]["glasses"] if arith["per_draw"] else None
        wall["checks_s"] = time.perf_counter() - t
        print(
            "book's picks, glasses probability of each group's decoded average: "
            + ", ".join(f"{g} {p:.2f}" for g, p in means.items())
            + f" -> {'each keeps its glasses (or none)' if keep else 'NOT all as labelled'}"
        )
        print(
            f"chapter's arithmetic men_glasses - women_glasses + women_noglasses: glasses "
            f"probability {z:.2f} -> {'glasses removed' if removed else 'NOT removed'}"
            f"{'' if arith['vacuous'] == 0 else ' (vacuous: an input group lost its trait)'}"
        )
        t = time.perf_counter()
        trait_judge = checkpoints.load(judges.TRAITS_PATH)
        variants = photo_faces.check_faces(check_faces, seed=99, size=model.config["image_size"])
        kept = survival.thin_frames_kept(model, trait_judge, variants)
        met = not lesson_check.survival_failures(kept)
        wall["survival_s"] = time.perf_counter() - t
        print(
            f"thin, pale frames on {kept['faces']} fresh faces, kept in the reconstructions: "
            f"judge {kept['judge_all']:.0%} (dark {kept['judge_dark']:.0%}, light "
            f"{kept['judge_light']:.0%}); frame shape {kept['shape_all']:.0%} (dark "
            f"{kept['shape_dark']:.0%}, light {kept['shape_light']:.0%}); the study's bar "
            f"({lesson_check.describe_survival_goal()}): {'met' if met else 'NOT met'}"
        )
    wall["total_s"] = time.perf_counter() - t0
    run_s = wall["decode_s"] + wall["train_s"]
    print(
        "wall times: "
        + ", ".join(f"{k[:-2]} {v:.0f} s" for k, v in wall.items())
        + f"; decode + training (the reader's run): {run_s / 60:.1f} min; load average "
        f"{load_before} before, {settings.load_average()} after"
    )
    return dict(
        images=images,
        train_images=len(train),
        held_out_images=len(held),
        size=r.size,
        batch_size=plan.batch_size,
        epochs=plan.epochs,
        steps=plan.steps,
        lr=r.lr,
        rec_weight=recipes.rec_weight(r),
        untrained_mse=round(run.untrained, 5),
        held_out_mse=round(run.held_out, 5),
        training_mse=round(run.training, 5),
        learned=run.learned.ok,
        group_glasses=means,
        groups_keep_glasses=keep,
        arithmetic_glasses=z,
        arithmetic_removes=removed,
        thin_frames=kept,
        target_met=met,
        wall_s={k: round(v, 1) for k, v in wall.items()},
        cpu=settings.cpu_name(),
        threads=torch.get_num_threads(),
        load_avg=[load_before, settings.load_average()],
    )


SAVED = "bench_photos.json"
"""``bench photos``' last result, kept in ``settings.FILES`` for notebook 02's appendix."""


def describe(result):
    """One recipe line and one result line of a ``bench_photos`` result (a dict)."""
    t, w = result["thin_frames"], result["wall_s"]
    return (
        f"photos recipe: {result['size']} px, batch {result['batch_size']}, {result['steps']:,} "
        f"steps, rec weight {result['rec_weight']:g}, {result['train_images']:,} training "
        f"portraits ({result['cpu']})\n"
        f"    held-out error {result['held_out_mse']:.4f} (untrained {result['untrained_mse']:.4f});"
        f" book's picks keep their glasses: {'yes' if result['groups_keep_glasses'] else 'no'}; "
        f"arithmetic removes them: {'yes' if result['arithmetic_removes'] else 'no'}\n"
        f"    thin frames kept: judge {t['judge_all']:.0%} (dark {t['judge_dark']:.0%}, light "
        f"{t['judge_light']:.0%}), shape {t['shape_all']:.0%} (dark {t['shape_dark']:.0%}, "
        f"light {t['shape_light']:.0%}); decode + training "
        f"{(w['decode_s'] + w['train_s']) / 60:.1f} min"
    )
