"""The organiser of Kaggle's "glasses or no glasses" download (the book's photos).

The download holds ``faces-spring-2020/faces-spring-2020/face-<id>.png`` and ``train.csv`` (an
``id`` column and a ``glasses`` column). ``organise`` copies the labelled images into the chapter's
layout, ``<dst>/G/face-<id>.png`` and ``<dst>/NoG/face-<id>.png``, which ``face_folder.load`` reads.

    python -m dlhelpers organise ~/Downloads/glasses-or-no-glasses [--corrections fixes.csv]
"""

import csv
import os
import shutil
import warnings
from pathlib import Path

from tqdm.auto import tqdm

from dlhelpers import settings
from dlhelpers.data.face_folder import CLASSES, face_id
from dlhelpers.errors import UserError

KAGGLE_FACES = Path("faces-spring-2020") / "faces-spring-2020"


class NoDownloadError(UserError, FileNotFoundError):
    """A download folder without the Kaggle layout's images or labels."""


class LabelsFileError(UserError, ValueError):
    """A labels CSV (``train.csv``, corrections) that cannot be read as ``id,glasses`` rows."""


def _read_labels(path, what):
    """``{id: 0 or 1}`` from a CSV with ``id`` and ``glasses`` columns (any others are ignored).

    Rows with an empty ``glasses`` cell are left out. Raises ``NoDownloadError`` for a missing file
    and ``LabelsFileError`` naming the file and line for a missing column or a value that is not
    an integer id / 0 or 1.
    """
    path = Path(path)
    if not path.is_file():
        raise NoDownloadError(f"The {what} file {settings.relative(path)} does not exist.")
    try:
        return _parse_labels(path, what)
    except (UnicodeDecodeError, csv.Error) as e:
        raise LabelsFileError(
            f"The {what} file {settings.relative(path)} is not a readable CSV text file ({e}). "
            f"Expected UTF-8 text with a header row naming 'id' and 'glasses'."
        ) from None


def _parse_labels(path, what):
    """The body of ``_read_labels``; warns about ids given conflicting labels (the last wins)."""
    labels, conflicts, shown = {}, set(), settings.relative(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in ("id", "glasses") if c not in header]
        if missing:
            raise LabelsFileError(
                f"The {what} file {shown} has no {' or '.join(missing)} column "
                f"(its header is {header[:6]}{'...' if len(header) > 6 else ''}). "
                f"It needs a header row naming 'id' and 'glasses'."
            )
        reader.fieldnames = header
        for row in reader:
            raw_id, raw_label = (row.get("id") or "").strip(), (row.get("glasses") or "").strip()
            if not raw_id and not raw_label:
                continue  # blank line
            try:
                number = int(raw_id)
                label = None if raw_label == "" else float(raw_label)
                if label is not None and label not in (0.0, 1.0):
                    raise ValueError
            except ValueError:
                raise LabelsFileError(
                    f"{shown}, line {reader.line_num}: expected an integer id and "
                    f"glasses 0 or 1, got id={raw_id!r}, glasses={raw_label!r}. "
                    f"Fix or delete that row."
                ) from None
            if label is not None:
                if labels.get(number, int(label)) != int(label):
                    conflicts.add(number)
                labels[number] = int(label)
    if conflicts:
        ids = sorted(conflicts)
        warnings.warn(
            f"The {what} file {shown} gives conflicting labels for {len(ids)} id(s): "
            f"{', '.join(map(str, ids[:10]))}{' ...' if len(ids) > 10 else ''}; "
            f"the last row of each was used. Fix those rows to be sure.",
            stacklevel=2,
        )
    return labels


def _copy_if_changed(src, dst):
    """Copy ``src`` to ``dst`` unless ``dst`` already has the same size; True if it copied.

    The copy goes to a hidden temporary name first, so an interrupted run never leaves a
    half-written image under the real name.
    """
    if dst.is_file() and dst.stat().st_size == src.stat().st_size:
        return False
    part = dst.with_name(f".{dst.name}.part")
    shutil.copy2(src, part)
    os.replace(part, dst)
    return True


def _remove_unwanted(dst, wanted):
    """Create ``dst/G`` and ``dst/NoG`` and delete every ``face-<id>`` file in them that is not a
    key of ``wanted`` (a stale copy in the other class, an id no longer labelled) and any
    half-copied ``.face-<id>.png.part``; returns how many files it deleted. Other files stay."""
    removed = 0
    for name, _ in CLASSES:
        (dst / name).mkdir(parents=True, exist_ok=True)
        for path in (dst / name).iterdir():
            stale_part = path.name.startswith(".face-") and path.name.endswith(".part")
            if stale_part or (face_id(path.name) is not None and path not in wanted):
                path.unlink()  # only ever inside dst, never in src
                removed += 1
    return removed


def organise(src, dst=None, corrections=None, progress=True):
    """Copy the Kaggle "glasses or no glasses" download into the chapter's G/NoG layout.

    ``src`` holds ``faces-spring-2020/faces-spring-2020/face-<id>.png`` and ``train.csv``
    (an ``id`` column and a ``glasses`` column, 1 = glasses, 0 = none; only ids 1-4,500 are
    labelled). Each labelled image is copied (never moved: ``src`` is not changed) to
    ``dst/G/face-<id>.png`` or ``dst/NoG/face-<id>.png``; ``dst`` defaults to
    ``files/glasses``. Unlabelled ids are left out.

    ``corrections`` is an optional CSV with header ``id,glasses`` whose labels override
    ``train.csv`` (the Kaggle labels have mistakes). Running again is harmless: files already
    in place with the same size are skipped. After every run ``dst/G`` and ``dst/NoG`` hold exactly
    the labelled images, each in its class: any other ``face-<id>`` file there (a copy left in the
    other class by an earlier label, an id no longer labelled) is deleted. Ids that ``train.csv``
    or the corrections list twice with different labels are named in a warning (the last wins).

    Returns counts: ``G`` and ``NoG`` (images in each class), ``copied``, ``skipped`` (already
    in place), ``corrected`` (labels the corrections changed or added), ``removed`` (stale
    copies deleted), ``unlabelled`` (images with no label, left out) and ``missing``
    (labelled ids with no image in ``src``).
    """

    src = Path(src).expanduser()
    faces_dir = src / KAGGLE_FACES
    if not faces_dir.is_dir():
        raise NoDownloadError(
            f"No faces folder at {settings.relative(faces_dir)}. Pass the folder the Kaggle download unzipped "
            f"into: it holds train.csv and {KAGGLE_FACES}/face-<id>.png."
        )
    labels = _read_labels(src / "train.csv", "Kaggle labels")
    corrected = 0
    if corrections is not None:
        for number, label in _read_labels(Path(corrections).expanduser(), "corrections").items():
            corrected += labels.get(number) != label
            labels[number] = label
    images = [p for p in faces_dir.glob("face-*.png") if p.is_file() and face_id(p.name) is not None]
    images.sort(key=lambda p: face_id(p.name))
    if not images:
        raise NoDownloadError(
            f"{settings.relative(faces_dir)} holds no face-<id>.png images. Is the download "
            f"complete? Unzip the Kaggle archive again into {settings.relative(src)}."
        )
    dst = Path(dst).expanduser() if dst is not None else settings.FILES / "glasses"
    folder_of = {label: name for name, label in CLASSES}
    wanted = {
        dst / folder_of[labels[face_id(p.name)]] / p.name: p for p in images if face_id(p.name) in labels
    }  # target -> source
    counts = dict(
        G=0,
        NoG=0,
        copied=0,
        skipped=0,
        corrected=corrected,
        removed=_remove_unwanted(dst, wanted),
        unlabelled=len(images) - len(wanted),
        missing=0,
    )
    for target, path in tqdm(wanted.items(), desc="Copying faces", unit="img", disable=not progress):
        copied = _copy_if_changed(path, target)
        counts["copied" if copied else "skipped"] += 1
        counts[target.parent.name] += 1
    absent = set(labels) - {face_id(p.name) for p in wanted.values()}
    counts["missing"] = len(absent)
    if absent:
        warnings.warn(
            f"{len(absent)} labelled ids have no image in {settings.relative(faces_dir)} "
            f"(e.g. face-{min(absent)}.png); they were left out.",
            stacklevel=2,
        )
    return counts
