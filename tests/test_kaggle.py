"""Organising the Kaggle download into the chapter's G/NoG layout (``dlhelpers.data.kaggle``)."""

import hashlib
import os

import pytest

from dlhelpers import settings
from dlhelpers.data import face_folder, kaggle
from stubs import random_png

KAGGLE_SIZES = [
    (40, 40),
    (64, 64),
    (30, 50),
    (50, 30),
    (20, 20),
    (48, 48),
    (33, 33),
    (60, 40),
    (16, 16),
    (40, 40),
    (24, 24),
    (36, 36),
]
LABELS = {1: 1, 2: 0, 3: 1, 4: 0, 5: 0, 6: 1, 7: 0, 8: 1, 9: 0}  # ids 10-12 unlabelled


def snapshot(folder):
    """{relative path: sha1} of every file under folder."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def download(tmp_path):
    """A tiny Kaggle-shaped download: 12 PNGs of varied sizes, train.csv labelling ids 1-9."""
    src = tmp_path / "download"
    for i, size in enumerate(KAGGLE_SIZES, start=1):
        random_png(src / kaggle.KAGGLE_FACES / f"face-{i}.png", size, seed=i)
    rows = ["id,v1,v2,glasses"] + [f"{i},0.{i},-1.5,{LABELS[i]}" for i in LABELS]
    (src / "train.csv").write_text("\n".join(rows) + "\n")
    return src


def test_organise_copies_and_leaves_src_unchanged(download, tmp_path):
    before = snapshot(download)
    dst = tmp_path / "glasses"
    counts = kaggle.organise(download, dst, progress=False)
    assert snapshot(download) == before
    assert counts["G"] == 4 and counts["NoG"] == 5
    assert counts["copied"] == 9 and counts["skipped"] == 0 and counts["unlabelled"] == 3
    assert sorted(p.name for p in (dst / "G").iterdir()) == [f"face-{i}.png" for i in (1, 3, 6, 8)]
    assert len(list((dst / "NoG").iterdir())) == 5
    assert (dst / "G" / "face-1.png").read_bytes() == (
        download / kaggle.KAGGLE_FACES / "face-1.png"
    ).read_bytes()


def test_organise_rerun_is_harmless(download, tmp_path):
    dst = tmp_path / "glasses"
    first = kaggle.organise(download, dst, progress=False)
    mtimes = {p: p.stat().st_mtime_ns for p in dst.rglob("*.png")}
    os.utime(download / kaggle.KAGGLE_FACES / "face-1.png", ns=(1, 1))  # a touched source
    second = kaggle.organise(download, dst, progress=False)
    assert second["copied"] == 0 and second["skipped"] == 9
    assert (second["G"], second["NoG"]) == (first["G"], first["NoG"])
    assert {p: p.stat().st_mtime_ns for p in dst.rglob("*.png")} == mtimes


def test_organise_recopies_a_partial_file(download, tmp_path):
    dst = tmp_path / "glasses"
    kaggle.organise(download, dst, progress=False)
    (dst / "G" / "face-1.png").write_bytes(b"half")
    counts = kaggle.organise(download, dst, progress=False)
    assert counts["copied"] == 1
    assert (dst / "G" / "face-1.png").read_bytes() == (
        download / kaggle.KAGGLE_FACES / "face-1.png"
    ).read_bytes()


def test_organise_corrections_override_and_move_stale_copies(download, tmp_path):
    dst = tmp_path / "glasses"
    kaggle.organise(download, dst, progress=False)
    fixes = tmp_path / "corrections.csv"
    fixes.write_text("id,glasses\n1,0\n2,0\n11,1\n")  # 1 flips, 2 unchanged, 11 added
    before = snapshot(download)
    counts = kaggle.organise(download, dst, corrections=fixes, progress=False)
    assert counts["corrected"] == 2 and counts["removed"] == 1
    assert not (dst / "G" / "face-1.png").exists() and (dst / "NoG" / "face-1.png").exists()
    assert (dst / "G" / "face-11.png").exists()
    assert (counts["G"], counts["NoG"], counts["unlabelled"]) == (4, 6, 2)
    assert snapshot(download) == before


def test_organise_default_dst_is_files_glasses(download, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "FILES", tmp_path / "files")
    kaggle.organise(download, progress=False)
    assert len(list((tmp_path / "files" / "glasses" / "G").iterdir())) == 4


def test_organise_missing_faces_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="faces-spring-2020"):
        kaggle.organise(tmp_path, tmp_path / "out", progress=False)


def test_organise_missing_train_csv_names_the_file(download, tmp_path):
    (download / "train.csv").unlink()
    with pytest.raises(FileNotFoundError, match="train.csv"):
        kaggle.organise(download, tmp_path / "out", progress=False)


def test_organise_missing_glasses_column_names_the_file(download, tmp_path):
    (download / "train.csv").write_text("id,v1,label\n1,0.5,1\n")
    with pytest.raises(ValueError, match=r"train\.csv.*glasses"):
        kaggle.organise(download, tmp_path / "out", progress=False)


@pytest.mark.parametrize("bad_row", ["x,1", "3,2", "4,yes"])
def test_organise_bad_corrections_row_names_file_and_line(download, tmp_path, bad_row):
    fixes = tmp_path / "fixes.csv"
    fixes.write_text(f"id,glasses\n1,0\n{bad_row}\n")
    with pytest.raises(ValueError, match=r"fixes\.csv, line 3"):
        kaggle.organise(download, tmp_path / "out", corrections=fixes, progress=False)
    assert not (tmp_path / "out").exists()  # nothing copied before the labels are sound


def folder_ids(dst):
    """{class: sorted ids} of the face files actually in dst/G and dst/NoG."""
    return {
        c: sorted(
            face_folder.face_id(p.name)
            for p in (dst / c).iterdir()
            if face_folder.face_id(p.name) is not None
        )
        for c in ("G", "NoG")
    }


def test_reverting_a_correction_leaves_exactly_the_labelled_set(download, tmp_path):
    dst = tmp_path / "glasses"
    fixes = tmp_path / "corrections.csv"
    fixes.write_text("id,glasses\n1,0\n11,1\n")  # 1 flips to NoG, 11 (unlabelled) added
    kaggle.organise(download, dst, corrections=fixes, progress=False)
    counts = kaggle.organise(download, dst, progress=False)  # the corrections reverted
    expected = {c: sorted(i for i, g in LABELS.items() if g == (c == "G")) for c in ("G", "NoG")}
    assert folder_ids(dst) == expected  # face-11 and NoG/face-1 gone
    assert (counts["G"], counts["NoG"], counts["removed"]) == (4, 5, 2)


def test_stray_and_half_copied_files_in_dst_are_removed(download, tmp_path):
    dst = tmp_path / "glasses"
    kaggle.organise(download, dst, progress=False)
    (dst / "NoG" / "face-1.png").write_bytes(b"a stale copy: face-1 has glasses")
    (dst / "G" / "face-99.png").write_bytes(b"no such id")
    (dst / "G" / ".face-3.png.part").write_bytes(b"half")
    (dst / "G" / "notes.txt").write_text("mine")  # not a face: left alone
    counts = kaggle.organise(download, dst, progress=False)
    assert counts["removed"] == 3 and (dst / "G" / "notes.txt").exists()
    assert folder_ids(dst) == {"G": [1, 3, 6, 8], "NoG": [2, 4, 5, 7, 9]}
    assert counts["G"] + counts["NoG"] == 9 and not (dst / "G" / ".face-3.png.part").exists()


def test_conflicting_duplicate_ids_are_named_in_a_warning(download, tmp_path):
    with open(download / "train.csv", "a") as f:
        f.write("3,0.3,-1.5,0\n4,0.4,-1.5,0\n5,0.5,-1.5,1\n")  # 3 and 5 conflict, 4 repeats
    with pytest.warns(UserWarning, match=r"conflicting labels for 2 id\(s\): 3, 5"):
        counts = kaggle.organise(download, tmp_path / "out", progress=False)
    assert (counts["G"], counts["NoG"]) == (4, 5)  # the last row wins


def test_a_binary_train_csv_is_a_clear_error(download, tmp_path):
    (download / "train.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ValueError, match=r"train\.csv is not a readable CSV"):
        kaggle.organise(download, tmp_path / "out", progress=False)


def test_organised_folder_loads(download, tmp_path):
    dst = tmp_path / "glasses"
    kaggle.organise(download, dst, progress=False)
    f = face_folder.load(dst, size=8, progress=False)
    assert f.ids == sorted(LABELS)
    assert f.glasses.tolist() == [LABELS[i] for i in f.ids]


# --- load_faces -----------------------------------------------------------------------------
