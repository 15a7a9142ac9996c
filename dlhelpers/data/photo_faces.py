"""Photo-like stand-ins for the book's glasses photos: the package's faces drawn at 256 px, written
as 1024-px PNGs (in the G/NoG layout, or as a Kaggle "glasses or no glasses" download), and the
held-out check faces with thin, low-contrast frames that say whether a 256-px VAE kept glasses.

    photo_faces.write_pngs(dst, 320)                   # dst/G/face-<id>.png, dst/NoG/face-<id>.png
    photo_faces.kaggle_download(dst, 1000)             # faces-spring-2020/..., train.csv, test.csv
    photo_faces.check_faces(500, size=256)             # (faces, bare, frames): thin frames, seed 99

Faces are drawn at ``DRAW`` = 256 px (the book's training size: a 256-px VAE then sees edges as
sharp as a drawing can give, not an enlarged 128-px face), enlarged to 1024 px and given a light
film grain, so that the files are about the size of photographs and decode as slowly (smooth
cartoons would compress, and decode, unrealistically fast).
"""

import csv
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torchvision.transforms.v2.functional as TF
from PIL import Image

from dlhelpers.data.face_folder import FaceSet
from dlhelpers.data.kaggle import KAGGLE_FACES
from dlhelpers.data.synthetic_faces import render
from dlhelpers.data.synthetic_set import face_traits, fresh_traits

DRAW = 256  # the side faces are drawn at before they are enlarged
GRAIN = 4  # film grain: uniform noise of -GRAIN..GRAIN levels on the enlarged image


def portrait(traits, side=1024, draw=DRAW, grain=GRAIN, seed=0):
    """One face as a uint8 numpy array (side, side, 3): drawn at ``draw`` px, enlarged (bicubic)
    to ``side`` px, plus a seeded film grain (``seed``: the same grain for the same seed)."""

    img = render(traits, draw)
    if side != draw:
        img = img.resize((side, side), Image.BICUBIC)
    x = np.asarray(img, np.int16)
    if grain:
        rng = np.random.default_rng(seed)
        x = x + rng.integers(-grain, grain + 1, x.shape, dtype=np.int16)
    return np.clip(x, 0, 255).astype(np.uint8)


def _write_one(job):
    """Write face ``i`` of the set drawn with ``seed`` to ``<dst>/<G|NoG>/face-<i>.png`` (or
    ``<flat>/face-<i>.png``); returns 1 if it wears glasses. Run in worker processes."""

    i, dst, flat, side, draw, seed = job
    traits = face_traits(i, seed)
    glasses = traits["glasses"] != "none"
    folder = Path(dst) if flat else Path(dst) / ("G" if glasses else "NoG")
    folder.mkdir(parents=True, exist_ok=True)
    img = portrait(traits, side, draw, seed=seed * 1_000_003 + i)
    Image.fromarray(img).save(folder / f"face-{i}.png", compress_level=1)
    return int(glasses)


def write_pngs(dst, n, side=1024, seed=0, draw=DRAW, flat=False, workers=None):
    """Write faces 1..``n`` of the set drawn with ``seed`` (``synthetic_set.face_traits``) as
    ``side``-px PNGs (``portrait``), in the G/NoG layout under ``dst`` (or all in ``dst`` itself,
    ``flat=True``). On ``workers`` processes (default: every core); about 0.15 s per face on one
    core at 1024 px. Returns ``(dst, glasses)``: the folder and a list of n labels (1 = glasses)."""

    jobs = [(i, str(dst), flat, side, draw, seed) for i in range(1, n + 1)]
    workers = max(1, workers or os.cpu_count() or 1)
    if workers == 1 or n < 8:
        glasses = [_write_one(j) for j in jobs]
    else:
        with ProcessPoolExecutor(workers) as pool:
            glasses = list(pool.map(_write_one, jobs, chunksize=16))
    return Path(dst), glasses


def kaggle_download(dst, n, labelled=0.9, side=1024, seed=0, workers=None):
    """Write ``n`` faces as Kaggle's "glasses or no glasses" download into ``dst``; returns it.

    The layout the book's readers unzip (``kaggle.organise`` reads it)::

        faces-spring-2020/faces-spring-2020/face-<id>.png
        train.csv    id, v1..v512, glasses    (the first ``labelled`` share of the ids)
        test.csv     id, v1..v512             (the rest)
    """

    dst = Path(dst)
    _, glasses = write_pngs(dst / KAGGLE_FACES, n, side=side, seed=seed, flat=True, workers=workers)
    n_train = int(n * labelled)
    v = [f"v{k}" for k in range(1, 513)]
    zeros = ["0"] * 512
    with open(dst / "train.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", *v, "glasses"])
        for i in range(1, n_train + 1):
            w.writerow([i, *zeros, glasses[i - 1]])
    with open(dst / "test.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", *v])
        for i in range(n_train + 1, n + 1):
            w.writerow([i, *zeros])
    return dst


def check_faces(n, seed=99, size=256, thin_frames=True, draw=DRAW):
    """The held-out check of what a VAE keeps: ``(faces, bare, frames)``, as
    ``synthetic_set.glasses_variants`` gives them, but drawn at ``draw`` px like ``write_pngs``.

    Of ``n`` fresh faces (seeds the training sets do not use; ``thin_frames``: every frame thinner
    and paler than the training faces'), those with glasses: ``faces`` a ``FaceSet`` (with a
    ``frame`` column: dark / light), ``bare`` and ``frames`` uint8 (K, 3, size, size): the same
    faces without glasses, and with frames only. Feed them to ``survival.frames_kept`` and
    ``survival.reconstruction_survival``. No grain: shrunk from 1024 px it is below one level.
    """

    traits, _ = fresh_traits(n, seed, thin_frames)
    traits = [t for t in traits if t["glasses"] != "none"]

    def drawn(changes):
        x = torch.stack([TF.pil_to_tensor(render(dict(t, **changes), draw)) for t in traits])
        return (
            x
            if size == draw
            else TF.resize(x, [size, size], antialias=True, interpolation=TF.InterpolationMode.BICUBIC)
        )

    glasses = torch.ones(len(traits), dtype=torch.int64)
    attributes = {
        "glasses": glasses,
        "frame": [t["glasses"] for t in traits],
        "beard": torch.tensor([int(t["beard"]) for t in traits]),
        "smile": torch.tensor([int(t["smile"]) for t in traits]),
    }
    faces = FaceSet(
        images=drawn({}),
        glasses=glasses,
        ids=list(range(len(traits))),
        files=[f"check-{i}" for i in range(len(traits))],
        attributes=attributes,
    )
    return faces, drawn({"glasses": "none"}), drawn({"lenses": False})
