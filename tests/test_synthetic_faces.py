"""The synthetic faces: drawing, determinism, the bold traits a VAE must keep, the folder."""

import hashlib
import random

import numpy as np
import pytest
import torch
from PIL import Image

from dlhelpers.data import face_traits, synthetic_faces, synthetic_set
from dlhelpers.data.face_folder import read_attributes

GREY = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def centred(face_id, **changes):
    """The traits of dataset face ``face_id`` with the shift and scale removed, plus ``changes``,
    so that the eyes and chin sit at known places."""
    return dict(synthetic_set.face_traits(face_id), dx=0.0, dy=0.0, scale=1.0, **changes)


def pixels(traits, size=64):
    return np.asarray(synthetic_faces.render(traits, size), dtype=np.float32)


def region(image, top, bottom, left, right):
    """The part of an (H, W, ...) array between fractions top..bottom and left..right."""
    h, w = image.shape[:2]
    return image[int(top * h) : int(bottom * h), int(left * w) : int(right * w)]


def eye_band(image):
    return region(image, 0.38, 0.56, 0.30, 0.70)


def frame_ring(size):
    """A mask of the pixels on the two lens rims (for traits without shift or scale)."""
    y, x = np.mgrid[0:size, 0:size] + 0.5
    mask = np.zeros((size, size), bool)
    for side in (-1, 1):
        r = np.hypot(
            (x - (0.5 + side * synthetic_faces.EYE_X) * size) / (0.072 * size),
            (y - synthetic_faces.EYE_Y * size) / (0.062 * size),
        )
        mask |= (r > 0.85) & (r < 1.2)
    return mask


def snapshot(folder):
    """{relative path: sha1} of every file under folder."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- Drawing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [64, 128, 256])
def test_render_gives_rgb_of_the_requested_size(size):
    image = synthetic_faces.render(synthetic_set.face_traits(1), size)
    assert image.mode == "RGB" and image.size == (size, size)


def test_same_traits_give_the_same_pixels_and_different_faces_differ():
    traits = face_traits.random_traits(random.Random(7))
    assert traits == face_traits.random_traits(random.Random(7))
    assert synthetic_faces.render(traits).tobytes() == synthetic_faces.render(dict(traits)).tobytes()
    drawn = {synthetic_faces.render(synthetic_set.face_traits(i)).tobytes() for i in range(1, 21)}
    assert len(drawn) == 20


def test_random_traits_accepts_a_numpy_generator():
    a = face_traits.random_traits(np.random.default_rng(3))
    assert a == face_traits.random_traits(np.random.default_rng(3))
    assert set(a) == set(face_traits.TRAITS)
    assert synthetic_faces.render(a, 32).size == (32, 32)


def test_traits_roughly_follow_the_stated_proportions():
    sample = [synthetic_set.face_traits(i, seed=5) for i in range(1, 401)]

    def share(key, value):
        return sum(t[key] == value for t in sample) / len(sample)

    assert 0.40 < share("glasses", "none") < 0.60
    assert 0.17 < share("glasses", "dark") < 0.33
    assert 0.17 < share("glasses", "light") < 0.33
    assert 0.40 < share("beard", 1) < 0.60
    assert 0.40 < share("smile", 1) < 0.60
    assert {t["hair_style"] for t in sample} == set(face_traits.HAIR_STYLES)
    assert {t["hair_colour"] for t in sample} == set(face_traits.HAIR_COLOURS)
    skins = [t["skin"] for t in sample]
    assert 0.0 <= min(skins) < 0.1 and 0.9 < max(skins) <= 1.0
    assert all(-0.04 <= t["dx"] <= 0.04 and -0.04 <= t["dy"] <= 0.04 for t in sample)
    assert all(0.92 <= t["scale"] <= 1.08 for t in sample)
    assert max(t["scale"] for t in sample) - min(t["scale"] for t in sample) > 0.12


# --- The traits are bold enough to see (and for a VAE to keep) ---------------------------------


@pytest.mark.parametrize("face_id", range(1, 13))
def test_glasses_change_the_eye_region_a_lot(face_id):
    plain, dark, light = (pixels(centred(face_id, glasses=g)) for g in ("none", "dark", "light"))
    assert np.abs(eye_band(dark) - eye_band(plain)).mean() > 15
    assert np.abs(eye_band(light) - eye_band(plain)).mean() > 15
    assert np.array_equal(region(dark, 0.75, 1, 0, 1), region(plain, 0.75, 1, 0, 1))


@pytest.mark.parametrize("skin", [0.0, 0.5, 1.0])
def test_dark_and_light_frames_differ_in_brightness(skin):
    ring = frame_ring(64)
    dark = pixels(centred(2, skin=skin, glasses="dark")) @ GREY
    light = pixels(centred(2, skin=skin, glasses="light")) @ GREY
    assert dark[ring].mean() < 80
    assert light[ring].mean() > 160


@pytest.mark.parametrize("face_id", range(1, 7))
def test_glasses_still_show_at_32_px(face_id):
    def small(glasses):
        image = synthetic_faces.render(centred(face_id, glasses=glasses), 64).resize((32, 32), Image.LANCZOS)
        return eye_band(np.asarray(image, dtype=np.float32))

    plain = small("none")
    for g in ("dark", "light"):
        assert np.abs(small(g) - plain).mean() > 10


@pytest.mark.parametrize(
    "skin, hair",
    [(0.0, "blonde"), (0.3, "grey"), (0.6, "auburn"), (1.0, "black"), (1.0, "blonde"), (0.9, "grey")],
)
def test_a_beard_darkens_the_chin(skin, hair):
    shaven, bearded = (pixels(centred(3, skin=skin, hair_colour=hair, beard=b)) @ GREY for b in (0, 1))

    def chin(image):
        return region(image, 0.68, 0.74, 0.38, 0.62).mean()

    assert chin(shaven) - chin(bearded) > 20


# --- The dataset folder ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [32, 64])
def test_make_dataset_twice_gives_identical_bytes(tmp_path, size):
    a = synthetic_set.make_dataset(tmp_path / "a", n=24, size=size, seed=3, progress=False)
    b = synthetic_set.make_dataset(tmp_path / "b", n=24, size=size, seed=3, progress=False)
    assert snapshot(a) == snapshot(b)
    assert len(snapshot(a)) == 24 + 2  # the images, the CSV, .faces.json
    png = next((a / "G").iterdir()).read_bytes()
    assert b"tIME" not in png and b"tEXt" not in png  # no timestamps or other metadata
    with Image.open(a / "NoG" / next((a / "NoG").iterdir()).name) as image:
        assert image.size == (size, size) and image.mode == "RGB"
    c = synthetic_set.make_dataset(tmp_path / "c", n=24, size=size, seed=4, progress=False)
    assert snapshot(c) != snapshot(a)


def test_the_folders_match_attributes_csv(tmp_path):
    folder = synthetic_set.make_dataset(tmp_path / "faces", n=40, size=32, progress=False)
    cols = read_attributes(folder)
    assert list(cols) == face_traits.COLUMNS
    assert cols["id"].tolist() == list(range(1, 41))
    on_disk = {p.relative_to(folder).as_posix() for p in folder.glob("*/*.png")}
    assert on_disk == set(cols["file"])
    for i, id_ in enumerate(cols["id"].tolist()):
        glasses, frame = int(cols["glasses"][i]), cols["frame"][i]
        assert cols["file"][i] == f"{'G' if glasses else 'NoG'}/face-{id_}.png"
        assert (frame != "none") == (glasses == 1)
        traits = synthetic_set.face_traits(id_)
        assert (frame, int(cols["beard"][i]), cols["hair_style"][i]) == (
            traits["glasses"],
            traits["beard"],
            traits["hair_style"],
        )
    assert (
        set(cols["smile"].tolist()) <= {0, 1}
        and 0 <= float(cols["skin"].min()) <= float(cols["skin"].max()) <= 1
    )
    assert 0 < int(cols["glasses"].sum()) < 40


def test_a_rerun_is_skipped_and_a_change_rebuilds(tmp_path):
    dst = tmp_path / "faces"
    synthetic_set.make_dataset(dst, n=10, size=32, progress=False)
    stamps = {p: p.stat().st_mtime_ns for p in dst.rglob("*")}
    assert synthetic_set.make_dataset(dst, n=10, size=32, progress=False) == dst.absolute()
    assert {p: p.stat().st_mtime_ns for p in dst.rglob("*")} == stamps
    synthetic_set.make_dataset(dst, n=12, size=32, progress=False)
    assert len(read_attributes(dst)["id"]) == 12 and len(list(dst.glob("*/*.png"))) == 12
    synthetic_set.make_dataset(dst, n=12, size=48, progress=False)
    with Image.open(dst / read_attributes(dst)["file"][0]) as image:
        assert image.size == (48, 48)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faces"]  # no leftovers


def test_an_interrupted_run_leaves_the_old_dataset_alone(tmp_path, monkeypatch):
    dst = tmp_path / "faces"
    synthetic_set.make_dataset(dst, n=6, size=32, progress=False)
    before = snapshot(dst)
    real_render, calls = synthetic_faces.render, []

    def failing_render(traits, size=64):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return real_render(traits, size)

    monkeypatch.setattr(synthetic_set, "render", failing_render)
    with pytest.raises(KeyboardInterrupt):
        synthetic_set.make_dataset(dst, n=9, size=32, progress=False)
    assert snapshot(dst) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faces"]
    with pytest.raises(KeyboardInterrupt):
        synthetic_set.make_dataset(tmp_path / "new", n=9, size=32, progress=False)
    assert not (tmp_path / "new").exists()


def test_a_folder_that_is_not_a_faces_dataset_is_not_replaced(tmp_path):
    dst = tmp_path / "photos"
    dst.mkdir()
    (dst / "holiday.jpg").write_bytes(b"not ours")
    with pytest.raises(FileExistsError, match="refusing"):
        synthetic_set.make_dataset(dst, n=4, size=32, progress=False)
    assert [p.name for p in dst.iterdir()] == ["holiday.jpg"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(read_attributes(synthetic_set.make_dataset(empty, n=4, size=32, progress=False))["id"]) == 4


def test_read_attributes_types(tmp_path):
    cols = read_attributes(synthetic_set.make_dataset(tmp_path / "f", n=3, size=16, progress=False))
    kinds = {k: v.dtype if isinstance(v, torch.Tensor) else type(v[0]) for k, v in cols.items()}
    assert kinds == {
        "id": torch.int64,
        "file": str,
        "glasses": torch.int64,
        "frame": str,
        "beard": torch.int64,
        "smile": torch.int64,
        "skin": torch.float32,
        "hair_style": str,
        "hair_colour": str,
    }


def test_thin_frames_change_only_the_glasses():
    bold = synthetic_set.render_set(8, seed=3, size=64)
    thin = synthetic_set.render_set(8, seed=3, size=64, thin_frames=True)
    same = bold.glasses == 0
    assert torch.equal(bold.images[same], thin.images[same])  # no glasses: identical
    diff = (bold.images[~same].float() - thin.images[~same].float()).abs().mean((0, 1))
    eyes = diff[16:36, 10:54].mean()  # the eye band at 64 px
    assert eyes > 10 * diff[44:, :].mean() and eyes > 5
    assert thin.attributes["frame"] == bold.attributes["frame"]
