"""The four groups of section 7.4.4 (glasses × a second trait), chosen three ways: from labels
(the synthetic faces, a beard playing "man"), the book's own choice by position (listing 7.7, on
the photos), or a choice made by hand with the gallery picker and saved to a file.

Groups are dicts name -> face indices, with the names ``GROUP_NAMES`` on both sets of faces.
"""

import json
from pathlib import Path

import torch

from dlhelpers import settings
from dlhelpers.data.faces import in_use, runs_folder, trait_labels
from dlhelpers.errors import UserError


class GroupsFileError(UserError, ValueError):
    """A saved choice of groups that does not fit the faces in use."""


class GroupsError(UserError, ValueError):
    """Faces that cannot give the groups asked for (no labels for the trait, too few faces)."""


class UnknownTraitError(UserError, KeyError):
    """A trait the faces carry no labels for."""


GROUP_NAMES = ("men_glasses", "women_glasses", "men_noglasses", "women_noglasses")
"""The book's four groups, named the same on both sets: on the synthetic faces a beard plays "man"."""

BOOK_PICKS = {
    "men_glasses": ("G", (0, 3, 14)),
    "women_glasses": ("G", (9, 15, 21)),
    "men_noglasses": ("NoG", (1, 7, 22)),
    "women_noglasses": ("NoG", (4, 9, 19)),
}
"""Listing 7.7: positions among the first 25 images of G/ and the last 25 of NoG/ (from the end)."""

IMAGEFOLDER_SUFFIXES = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
GROUPS_FORMAT = "dlhelpers-groups-1"


def trait_groups(faces, per_group=3, seed=0, trait="beard"):
    """Indices of ``per_group`` random faces in each of the four groups glasses × ``trait``.

    Returns {"beard_glasses": [...], "nobeard_glasses": [...], "beard_noglasses": [...],
    "nobeard_noglasses": [...]} (named after ``trait``), chosen by a seeded shuffle. Needs the
    labels in ``faces.attributes`` (the synthetic set has them); for the real photos, pick the
    groups by hand with ``gallery.gallery_picker`` instead.
    """
    if not faces.attributes or trait not in faces.attributes:
        raise GroupsError(
            f"These faces have no '{trait}' labels (only the synthetic set does). "
            f"Pick the groups by index with dlhelpers.widgets.gallery.gallery_picker."
        )
    has = torch.as_tensor(faces.attributes[trait]) == 1
    gen = torch.Generator().manual_seed(seed)
    groups = {}
    for t in (True, False):
        for g in (True, False):
            name = f"{'' if t else 'no'}{trait}_{'' if g else 'no'}glasses"
            pool = ((has == t) & ((faces.glasses == 1) == g)).nonzero().flatten()
            if len(pool) < per_group:
                raise GroupsError(f"group {name} has only {len(pool)} faces, {per_group} needed")
            groups[name] = pool[torch.randperm(len(pool), generator=gen)[:per_group]].tolist()
    return groups


GROUPS = {
    "men_glasses": {"beard": 1, "glasses": 1},
    "men_noglasses": {"beard": 1, "glasses": 0},
    "women_glasses": {"beard": 0, "glasses": 1},
    "women_noglasses": {"beard": 0, "glasses": 0},
}
"""The four groups of the arithmetic as label filters on the synthetic faces, where a beard plays
the book's "man": men_glasses = beard and glasses, women_noglasses = no beard, no glasses, ..."""


def imagefolder_order(faces):
    """Indices of ``faces`` in the order ``torchvision.datasets.ImageFolder`` lists the folder.

    ImageFolder sorts the class folders (G before NoG) and, within each, the file names as plain
    strings: face-1, face-10, face-100, face-1000, face-1001, ..., face-2. ``faces`` is ordered by
    id instead, so the book's positions (``data[i]``) must be mapped through this order.
    """
    kept = [
        i for i, rel in enumerate(faces.files) if rel.split("/", 1)[-1].lower().endswith(IMAGEFOLDER_SUFFIXES)
    ]
    return sorted(kept, key=lambda i: (faces.files[i].split("/", 1)[0], faces.files[i].split("/", 1)[-1]))


def book_gallery(faces, n=25):
    """The book's two galleries (listing 7.7), as face indices: the first ``n`` images of G/ and
    the last ``n`` of NoG/ counted from the end (``data[-i-1]``), both in ImageFolder order."""
    order = imagefolder_order(faces)
    g = [i for i in order if faces.files[i].startswith("G/")]
    nog = [i for i in order if faces.files[i].startswith("NoG/")]
    if len(g) < n or len(nog) < n:
        raise GroupsError(
            f"The book's galleries need {n} faces in G/ and {n} in NoG/; "
            f"{_source(faces)} has {len(g)} and {len(nog)}."
        )
    return g[:n], nog[::-1][:n]


def book_groups(faces):
    """The book's own choice of the four groups (listing 7.7) as face indices: men with glasses
    at positions 0, 3, 14 of the first 25 images of G/, women with glasses at 9, 15, 21, men
    without at 1, 7, 22 of the last 25 of NoG/ counted from the end, women without at 4, 9, 19.
    Meant for the Kaggle photos organised by ``python -m dlhelpers organise``."""
    g, nog = book_gallery(faces)
    shown = {"G": g, "NoG": nog}
    return {name: [shown[cls][p] for p in positions] for name, (cls, positions) in BOOK_PICKS.items()}


def groups_file(dataset=None):
    """Where the gallery picker saves a hand-made choice: ``<runs>/groups_<dataset>.json``."""
    return runs_folder() / f"groups_{dataset or in_use().name}.json"


def write_ids(ids, path=None, folder=None):
    """Write the groups as face ids (name -> [id, ...]) to ``path`` (default ``groups_file()``),
    in the format ``saved_groups`` reads; returns the path."""
    path = Path(path) if path is not None else groups_file()
    payload = {"format": GROUPS_FORMAT, "folder": str(folder) if folder else None, "groups": ids}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1) + "\n")
    return path


def _source(faces):
    """Where ``faces`` came from, for a message: their folder relative to the project."""
    return settings.relative(faces.folder) if faces.folder is not None else "faces made in memory"


def saved_groups(faces, path, per_group=3):
    """The groups saved by the gallery picker (``picker.save``) as face indices, checked.

    ``GroupsFileError`` (a ValueError), naming the file, for: a file that is not such a JSON, group
    names other than ``GROUP_NAMES``, face ids these faces do not have, or a group with fewer than
    ``per_group``.
    """
    path = Path(path)
    shown = settings.relative(path)
    try:
        payload = json.loads(path.read_text())
        saved = payload["groups"]
        if payload.get("format") != GROUPS_FORMAT or not isinstance(saved, dict):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise GroupsFileError(
            f"{shown} is not a groups file saved by the gallery picker; delete it and pick the groups again."
        ) from None
    if set(saved) != set(GROUP_NAMES):
        raise GroupsFileError(
            f"{shown} names the groups {sorted(saved)}; expected exactly "
            f"{list(GROUP_NAMES)}. Pick the groups again and save."
        )
    where = {int(i): k for k, i in enumerate(faces.ids)}
    unknown = sorted({i for ids in saved.values() for i in ids if i not in where}, key=str)
    if unknown:
        raise GroupsFileError(
            f"{shown} names face ids these faces do not have: {unknown[:10]}"
            f"{' ...' if len(unknown) > 10 else ''} (faces from {_source(faces)}). "
            f"Pick the groups again and save."
        )
    short = {k: len(v) for k, v in saved.items() if len(set(v)) < per_group}
    if short:
        raise GroupsFileError(
            f"{shown} has too few faces in {short}; each group needs {per_group}. Pick more and save again."
        )
    return {name: [where[int(i)] for i in saved[name]] for name in GROUP_NAMES}


def four_groups(faces, per_group=3, seed=0, path=None):
    """The four groups of section 7.4.4 as face indices, named ``GROUP_NAMES``; prints where
    they came from. In order: a choice saved by the gallery picker (``path``, default
    ``groups_file()``); on labelled faces (the synthetic set), ``per_group`` random faces per
    group by ``trait_groups`` with a beard as "man"; else (the photos) the book's own choice,
    ``book_groups``."""
    path = Path(path) if path is not None else groups_file()
    if path.is_file():
        print(f"Groups: the choice saved in {settings.relative(path)}")
        return saved_groups(faces, path, per_group)
    if faces.attributes and "beard" in faces.attributes:
        print(f"Groups: {per_group} random faces per group, from the labels (a beard plays 'man')")
        by_beard = trait_groups(faces, per_group=per_group, seed=seed)
        return {
            name: by_beard[name.replace("women", "nobeard").replace("men", "beard")] for name in GROUP_NAMES
        }
    print("Groups: the book's own choice (listing 7.7); pick your own with the gallery in notebook 03")
    return book_groups(faces)


# --- Drawing from the groups, and what their labels say ----------------------------------------


def _column(faces, name):
    if name == "glasses":
        return faces.glasses
    if faces.attributes is None or name not in faces.attributes:
        raise UnknownTraitError(
            f"the faces have no attribute {name!r}; the synthetic faces have "
            f"glasses, frame, beard, smile, skin, hair_style, hair_colour."
        )
    return faces.attributes[name]


def select(faces, traits, pool=None):
    """Indices (tensor) of the faces whose attributes match every ``traits`` item, e.g.
    ``select(faces, {"beard": 1, "glasses": 0})`` or ``{"frame": "dark"}``; within ``pool`` if given."""
    keep = torch.ones(len(faces), dtype=torch.bool)
    for name, value in traits.items():
        col = _column(faces, name)
        if isinstance(col, torch.Tensor):
            keep &= col == value
        else:
            keep &= torch.tensor([v == value for v in col])
    if pool is not None:
        inside = torch.zeros(len(faces), dtype=torch.bool)
        inside[torch.as_tensor(pool)] = True
        keep &= inside
    return keep.nonzero().flatten()


def pools(faces, groups):
    """What ``claims.arithmetic_success`` draws each group's faces from: label filters (``GROUPS``) on
    faces labelled with a beard (the synthetic set), else the chosen ``groups`` themselves
    (name -> face indices; the photos have no gender labels)."""
    if faces.attributes and "beard" in faces.attributes:
        return GROUPS
    return {name: list(idx) for name, idx in groups.items()}


def labelled(faces, traits):
    """``traits`` (a filter for ``select``) cut to the traits ``faces`` carry labels for: on the
    photos, {"glasses": 1, "beard": 0} becomes {"glasses": 1}."""
    have = set(trait_labels(faces)) | set(faces.attributes or {})
    return {t: v for t, v in traits.items() if t in have}


def base_rate(faces, target):
    """Share of ``faces`` whose labels match ``target`` (traits without labels are left out)."""
    labels = trait_labels(faces)
    keep = torch.ones(len(faces), dtype=torch.bool)
    for t, v in target.items():
        if t in labels:
            keep &= labels[t] == v
    return keep.float().mean().item()
