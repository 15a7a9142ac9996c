"""Should the training faces wear thin frames too? Train notebook 02's VAE on a mix and measure it.

    python -m dlhelpers.thin_study --share 0.33           # a third of the glasses drawn thin
    python -m dlhelpers.thin_study --share 0 --epochs 20  # the dataset's own faces, fewer steps

The dataset draws every pair of glasses bold; ``lesson_check`` tests thin, low-contrast frames on
fresh faces. This study draws the dataset's 5,000 faces again (seed 0, in memory) with a share of
the glasses thin, trains the faces recipe on them with ``train.fit_vae`` and appends the
``lesson_check`` table to ``files/lesson_by_recipe.json`` (notebook 02's appendix prints it).
"""

import argparse
import random
import time

import torch

from dlhelpers.data.synthetic_faces import VERSION


def mixed_faces(share, size=72, n=5000):
    """The dataset's faces 1..n (``synthetic_set.face_traits``, seed 0) drawn at ``size`` px, with
    each pair of glasses thin with probability ``share`` (0..1, seeded); a ``FaceSet`` whose
    attributes add "thin" (1 = thin frames)."""
    from dlhelpers.data.face_folder import FaceSet
    from dlhelpers.data.synthetic_set import draw, face_traits

    traits = [dict(face_traits(i, 0)) for i in range(1, n + 1)]
    for i, t in enumerate(traits, 1):
        t["thin_frames"] = t["glasses"] != "none" and random.Random(7_000_000 + i).random() < share
    glasses = torch.tensor([int(t["glasses"] != "none") for t in traits])
    attributes = {
        "glasses": glasses,
        "frame": [t["glasses"] for t in traits],
        "thin": torch.tensor([int(t["thin_frames"]) for t in traits]),
        "beard": torch.tensor([t["beard"] for t in traits]),
        "smile": torch.tensor([t["smile"] for t in traits]),
    }
    return FaceSet(
        images=torch.stack([draw(t, size) for t in traits]),
        glasses=glasses,
        ids=list(range(1, n + 1)),
        files=[f"mixed-{i}" for i in range(1, n + 1)],
        attributes=attributes,
    )


def run(share, epochs=30, rec_weight=4.0, size=72, batch_size=32, lr=1e-3, name=None, save=True):
    """Train on ``mixed_faces(share, size)`` (a tenth held out) and return (model, table)."""
    from dlhelpers import settings
    from dlhelpers.chapter.models import VAE
    from dlhelpers.data.faces import split
    from dlhelpers.engine import checkpoints
    from dlhelpers.engine.train import fit_vae
    from dlhelpers.measure import judges, lesson_check
    from dlhelpers.tools.bench_photos import cpu_name

    faces = mixed_faces(share, size)
    train, held = split(faces.images, 0.1, seed=0)
    settings.seed(0)
    model = VAE(latent_dims=100, image_size=size).to(settings.device())
    t = time.perf_counter()
    fit_vae(
        model,
        train,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        rec_weight=rec_weight,
        held_out=held,
        seed=0,
        progress=False,
    )
    seconds = time.perf_counter() - t
    model = model.cpu().eval()
    table = lesson_check.lesson_table(model, checkpoints.load(judges.TRAITS_PATH), faces)
    steps = epochs * -(-len(train) // batch_size)
    recipe = dict(
        name=name or f"{size} px x{rec_weight:g}, thin {share:.0%}, {epochs} epochs",
        size=size,
        batch=batch_size,
        steps=steps,
        rec_weight=rec_weight,
        thin=share,
        epochs=epochs,
        train_s=round(seconds),
        drawing=VERSION,
    )
    if save:
        lesson_check.record(settings.FILES / lesson_check.RECORDED, recipe, table, cpu_name())
    return model, table


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--share", type=float, default=1 / 3, help="share of glasses drawn thin")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--rec-weight", type=float, default=4.0)
    p.add_argument("--size", type=int, default=72)
    a = p.parse_args(argv)
    _, table = run(a.share, a.epochs, a.rec_weight, a.size)
    from dlhelpers.measure.lesson_check import failures

    print("misses: " + "; ".join(failures(table)) if failures(table) else "all checks pass")


if __name__ == "__main__":
    main()
