"""``python -m dlhelpers bench thin``: should the training faces wear thin frames too? Train notebook
02's VAE on a mix and measure it.

    python -m dlhelpers bench thin --share 0.33    # a third of the glasses drawn thin

The dataset draws every pair of glasses bold; ``lesson_check`` tests thin, low-contrast frames on
fresh faces. This study draws the dataset's 5,000 faces again (seed 0, in memory) with a share of
the glasses thin, trains the faces recipe on them through ``lesson_run.train_faces_vae`` and
appends the ``lesson_check`` table to ``files/lesson_by_recipe.json``.
"""

import json
import random
from pathlib import Path

import torch

from dlhelpers import data, settings
from dlhelpers.chapter.models import VAE
from dlhelpers.data.face_folder import FaceSet
from dlhelpers.data.face_traits import VERSION
from dlhelpers.data.synthetic_set import draw, face_traits
from dlhelpers.engine import checkpoints, lesson_run, planning, recipes
from dlhelpers.measure import judges, lesson_check


def mixed_faces(share, size=72, n=5000):
    """The dataset's faces 1..n (``synthetic_set.face_traits``, seed 0) drawn at ``size`` px, with
    each pair of glasses thin with probability ``share`` (0..1, seeded); a ``FaceSet`` whose
    attributes add "thin" (1 = thin frames)."""
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


def run(share, recipe=None, name=None, save=True):
    """Train the faces recipe (default: its full version) on ``mixed_faces(share)`` through the
    lesson run, check it with ``lesson_check`` and, with ``save``, record the row; returns
    (model, table). The model is kept in the runs folder as ``vae_thin<share %>.pt``."""
    r = recipe or recipes.full("faces_vae")
    faces = mixed_faces(share, r.size)
    train, held = lesson_run.split_faces(faces.images, r)
    plan = planning.ensure_enough(planning.plan(r, len(train)))
    settings.seed(r.seed)
    model = VAE(latent_dims=r.latent_dims, image_size=r.size).to(settings.device())
    path = data.runs_folder() / f"vae_thin{round(100 * share)}.pt"
    result = lesson_run.train_faces_vae(model, train, held, r, plan, path, resume=False, progress=False)
    model = model.cpu().eval()
    table = lesson_check.lesson_table(model, checkpoints.load(judges.TRAITS_PATH), faces)
    row = dict(
        name=name or f"{r.size} px x{recipes.rec_weight(r):g}, thin {share:.0%}, {plan.epochs} epochs",
        size=r.size,
        batch=plan.batch_size,
        steps=plan.steps,
        rec_weight=recipes.rec_weight(r),
        thin=share,
        epochs=plan.epochs,
        train_s=round(result.seconds),
        drawing=VERSION,
    )
    if save:
        record(settings.FILES / RECORDED, row, table, settings.cpu_name())
    return model, table


RECORDED = "lesson_by_recipe.json"
"""The file in ``settings.FILES`` holding one measured row per recipe tried (``docs/`` reports them)."""


def record(path, recipe, table, machine=""):
    """Append one measured row to the JSON file ``path``: ``recipe`` (a dict of what was trained:
    name, size, batch, steps, rec_weight, thin share, seconds...), the ``lesson_table`` and the
    goals it misses. A row with the same name is replaced. Returns the rows."""
    path = Path(path)
    rows = json.loads(path.read_text())["rows"] if path.is_file() else []
    rows = [r for r in rows if r["recipe"]["name"] != recipe["name"]]
    rows.append(
        {"recipe": recipe, "machine": machine, "table": table, "misses": lesson_check.failures(table)}
    )
    path.write_text(json.dumps({"rows": rows}, indent=1, default=float) + "\n")
    return rows
