"""Datasets of synthetic faces: written to disk in the chapter's G/NoG layout, or drawn in memory.

``make_dataset`` writes the folder that ``data.face_set()`` uses when the book's photos are not
there; ``render_set`` draws fresh faces (and one-trait twins) in memory to train the trait judge.
"""

import csv
import json
import os
import random
import shutil
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from dlhelpers import settings
from dlhelpers.data.decode import square_resized
from dlhelpers.data.face_folder import FaceSet
from dlhelpers.data.face_traits import COLUMNS, VERSION, random_traits
from dlhelpers.data.synthetic_faces import render
from dlhelpers.errors import UserError


class FolderTakenError(UserError, FileExistsError):
    """The folder the synthetic faces were to be written into holds other files."""


def face_traits(face_id, seed=0):
    """The traits of face number ``face_id`` in the dataset made with ``seed`` (always the same)."""
    return random_traits(random.Random(seed * 1_000_003 + face_id))


def _row(face_id, traits):
    """One line of attributes.csv, as a dict keyed by ``COLUMNS``."""
    folder = "NoG" if traits["glasses"] == "none" else "G"
    return {
        "id": face_id,
        "file": f"{folder}/face-{face_id}.png",
        "glasses": int(traits["glasses"] != "none"),
        "frame": traits["glasses"],
        "beard": traits["beard"],
        "smile": traits["smile"],
        "skin": traits["skin"],
        "hair_style": traits["hair_style"],
        "hair_colour": traits["hair_colour"],
    }


def _is_complete(dst, recipe):
    """True if ``dst`` holds a finished dataset made with exactly this recipe."""
    try:
        made = json.loads((dst / ".faces.json").read_text())
    except (OSError, ValueError):
        return False
    return made == recipe and (dst / "attributes.csv").is_file()


def _remove_stale_partials(dst):
    """Delete half-written folders left by runs that were killed (untouched for an hour)."""
    for old in dst.parent.glob(f".{dst.name}.partial-*"):
        if old.is_dir() and time.time() - old.stat().st_mtime > 3600:
            shutil.rmtree(old, ignore_errors=True)


def _write_faces(folder, n, size, seed, progress):
    """Draw faces 1..n into folder/G and folder/NoG and write folder/attributes.csv."""

    (folder / "G").mkdir()
    (folder / "NoG").mkdir()
    rows = []
    for face_id in tqdm(range(1, n + 1), desc="Drawing faces", unit="img", disable=not progress):
        traits = face_traits(face_id, seed)
        row = _row(face_id, traits)
        render(traits, size).save(folder / row["file"], format="PNG")  # no timestamp is stored
        rows.append(row)
    with open(folder / "attributes.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _replace(new, dst):
    """Put folder ``new`` where ``dst`` is, removing the old ``dst`` (if any) afterwards."""
    old = None
    if dst.exists():
        old = dst.with_name(f".{dst.name}.old-{os.getpid()}")
        os.replace(dst, old)
    os.replace(new, dst)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def make_dataset(dst, n=5000, size=128, seed=0, progress=True):
    """Write ``n`` synthetic faces of size x size pixels into the folder ``dst``; return its Path.

    Layout: ``dst/G/face-<id>.png`` (glasses, dark or light frames), ``dst/NoG/face-<id>.png``
    (no glasses), with ids 1..n, and ``dst/attributes.csv`` with the columns ``COLUMNS``.
    The same n, size and seed always give the same files, byte for byte. If ``dst`` already
    holds a dataset made with the same arguments, nothing is done. The faces are drawn into a
    hidden folder next to ``dst`` and moved into place at the end, so an interrupted run never
    leaves a half-written dataset. A ``dst`` holding anything else is refused, not overwritten.
    """
    dst = Path(dst).expanduser().absolute()
    n, size, seed = int(n), int(size), int(seed)
    if n < 1 or size < 1:
        raise ValueError(f"n and size must be at least 1, got n={n}, size={size}.")
    recipe = {"n": n, "size": size, "seed": seed, "version": VERSION}
    if _is_complete(dst, recipe):
        return dst
    if dst.exists() and not (dst / ".faces.json").is_file() and (not dst.is_dir() or any(dst.iterdir())):
        raise FolderTakenError(
            f"{settings.relative(dst)} exists and is not a synthetic faces folder; refusing to "
            f"replace it. Choose another folder or delete this one."
        )
    dst.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(dst)
    partial = dst.with_name(f".{dst.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        _write_faces(partial, n, size, seed, progress)
        (partial / ".faces.json").write_text(json.dumps(recipe) + "\n")
        _replace(partial, dst)
    finally:
        shutil.rmtree(partial, ignore_errors=True)  # only still there if something failed
    return dst


def _flip_one(traits, rng):
    """A copy of ``traits`` with one of glasses (on/off), frame colour, beard or smile changed."""
    cf = dict(traits)
    r = rng.random()
    if r < 0.35:
        cf["glasses"] = rng.choice(["dark", "light"]) if traits["glasses"] == "none" else "none"
    elif r < 0.5:
        cf["glasses"] = {"none": "dark", "dark": "light", "light": "dark"}[traits["glasses"]]
    elif r < 0.8:
        cf["beard"] = 1 - traits["beard"]
    else:
        cf["smile"] = 1 - traits["smile"]
    return cf


def fresh_traits(n, seed, thin_frames):
    """The traits of ``render_set(n, seed)``'s faces and the rngs that drew them (from seeds
    that the dataset, seed 0, does not use). ``thin_frames``: True, False, or a share 0..1 of the
    faces drawn with thin frames (chosen by seeds of their own: the other traits stay the same)."""
    rngs = [random.Random(seed * 1_000_003 + 10_000_000 + i) for i in range(n)]
    share = float(thin_frames)
    thin = [
        share >= 1 or (share > 0 and random.Random(seed * 1_000_003 + 20_000_000 + i).random() < share)
        for i in range(n)
    ]
    return [dict(random_traits(r), thin_frames=t) for r, t in zip(rngs, thin)], rngs


def draw(traits, size):
    """One face drawn as the dataset's are: at 128 px, then shrunk like every loaded image."""
    return square_resized(render(traits, 128), size)


def render_set(n, seed=7, size=64, counterfactual=False, thin_frames=False, progress=False):
    """``n`` fresh synthetic faces drawn in memory, as a ``FaceSet`` (with attributes).

    Drawn like the dataset (``synthetic_faces.render`` at 128 px, shrunk by
    ``decode.square_resized``), from seeds that the dataset (seed 0) does not use. With ``counterfactual=True`` returns ``(faces, twins)``:
    each twin is the same face with ONE trait changed (glasses on/off, frame colour, beard or
    smile), so blends of the two are faces with that trait half-visible. ``thin_frames=True``
    draws every pair of glasses thinner and with less contrast than the dataset's (a harder test
    of what a VAE keeps); a share in (0, 1) draws that share of the faces so (the trait judge's
    training mix).
    """

    def pack(all_traits):
        images = torch.stack(
            [draw(t, size) for t in tqdm(all_traits, desc="Drawing faces", disable=not progress)]
        )
        glasses = torch.tensor([int(t["glasses"] != "none") for t in all_traits])
        attributes = {
            "glasses": glasses,
            "frame": [t["glasses"] for t in all_traits],
            "beard": torch.tensor([int(t["beard"]) for t in all_traits]),
            "smile": torch.tensor([int(t["smile"]) for t in all_traits]),
        }
        return FaceSet(
            images=images,
            glasses=glasses,
            ids=list(range(n)),
            files=[f"rendered-{i}" for i in range(n)],
            attributes=attributes,
        )

    traits, rngs = fresh_traits(n, seed, thin_frames)
    if not counterfactual:
        return pack(traits)
    return pack(traits), pack([_flip_one(t, r) for t, r in zip(traits, rngs)])


def glasses_variants(n, seed=99, size=64, thin_frames=False):
    """The faces with glasses among ``render_set(n, seed, size, thin_frames)``, each drawn 3 ways.

    Returns ``(faces, bare, frames)``: ``faces`` a ``FaceSet`` of those faces as drawn (with
    attributes), ``bare`` and ``frames`` uint8 (K, 3, size, size): the same faces without glasses,
    and with the frames only (no tinted lenses). ``frames`` - ``bare`` marks the frame's pixels.
    """
    faces = render_set(n, seed=seed, size=size, thin_frames=thin_frames)
    keep = torch.nonzero(faces.glasses).flatten()
    traits, _ = fresh_traits(n, seed, thin_frames)
    traits = [traits[i] for i in keep.tolist()]

    def variant(changes):
        return torch.stack([draw(dict(t, **changes), size) for t in traits])

    return faces.subset(keep), variant({"glasses": "none"}), variant({"lenses": False})
