"""Loading G/NoG folders and their cache (``face_folder``), and which faces are in use (``data``)."""

import os
import warnings

import pytest
import torch
from PIL import Image

from dlhelpers import data, settings
from dlhelpers.data import decode, face_folder, synthetic_set
from stubs import save_png


@pytest.fixture
def folder(tmp_path):
    """A G/NoG folder: 3 with glasses (ids 1, 10, 3) and 3 without (ids 2, 20, 4), 24x24."""
    root = tmp_path / "faces"
    for i in (1, 10, 3):
        save_png(root / "G" / f"face-{i}.png", (24, 24), (i * 10, 0, 0))
    for i in (2, 20, 4):
        save_png(root / "NoG" / f"face-{i}.png", (24, 24), (0, i * 10, 0))
    return root


def load(folder, size=16):
    return face_folder.load(folder, size=size, progress=False)


def test_load_shapes_dtypes_ranges(folder):
    f = load(folder, size=16)
    assert f.images.shape == (6, 3, 16, 16) and f.images.dtype == torch.uint8
    assert f.glasses.shape == (6,) and f.glasses.dtype == torch.int64
    assert len(f) == 6 and f.attributes is None and f.folder == folder
    assert 0 <= int(f.images.min()) and int(f.images.max()) <= 255
    assert set(f.glasses.tolist()) == {0, 1}
    floats = data.to_float(f.images)
    assert floats.dtype == torch.float32
    assert 0.0 <= float(floats.min()) <= float(floats.max()) <= 1.0


def test_load_order_is_by_id_and_labels_match_folders(folder):
    f = load(folder)
    assert f.ids == [1, 2, 3, 4, 10, 20]
    assert f.files == [
        "G/face-1.png",
        "NoG/face-2.png",
        "G/face-3.png",
        "NoG/face-4.png",
        "G/face-10.png",
        "NoG/face-20.png",
    ]
    assert f.glasses.tolist() == [1, 0, 1, 0, 1, 0]
    assert f.images[4, 0].unique().tolist() == [100]  # face-10: red 100


def test_load_is_deterministic(folder):
    a = load(folder)
    for cache in (folder.parent / ".cache").iterdir():
        cache.unlink()
    b = load(folder)
    assert torch.equal(a.images, b.images) and a.ids == b.ids and a.files == b.files


def test_ids_fall_back_to_running_index(folder):
    save_png(folder / "G" / "portrait.png", (24, 24))
    f = load(folder)
    assert f.ids == list(range(7))
    assert "G/portrait.png" in f.files


def test_cache_is_reused(folder, monkeypatch):
    first = load(folder)
    caches = list((folder.parent / ".cache").glob("*-faces-16-*.pt"))
    assert len(caches) == 1

    def fail(*args):
        raise AssertionError("decoded again instead of using the cache")

    monkeypatch.setattr(decode, "_decode", fail)
    second = load(folder)
    assert torch.equal(first.images, second.images) and first.files == second.files


def test_cache_per_size(folder):
    load(folder, size=8)
    load(folder, size=16)
    assert len(list((folder.parent / ".cache").glob("*-faces-8-*.pt"))) == 1
    assert len(list((folder.parent / ".cache").glob("*-faces-16-*.pt"))) == 1


def test_cache_rebuilt_after_a_file_changes(folder):
    before = load(folder)
    old_cache = next((folder.parent / ".cache").glob("*.pt"))
    path = folder / "G" / "face-3.png"
    save_png(path, (24, 24), (0, 0, 250))
    os.utime(path, ns=(10**18, 10**18))  # a different mtime whatever the clock
    after = load(folder)
    assert after.images[2, 2].unique().tolist() == [250]
    assert not torch.equal(before.images, after.images)
    assert not old_cache.exists() and len(list((folder.parent / ".cache").glob("*.pt"))) == 1


def test_cache_rebuilt_after_adding_and_removing(folder):
    load(folder)
    save_png(folder / "NoG" / "face-5.png", (24, 24))
    assert load(folder).ids == [1, 2, 3, 4, 5, 10, 20]
    (folder / "G" / "face-1.png").unlink()
    assert load(folder).ids == [2, 3, 4, 5, 10, 20]


def test_corrupt_cache_is_rebuilt(folder):
    good = load(folder)
    cache = next((folder.parent / ".cache").glob("*.pt"))
    cache.write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="cache"):
        again = load(folder)
    assert torch.equal(good.images, again.images)


def test_bad_images_warn_and_are_skipped(folder):
    good = folder / "G" / "face-1.png"
    data_bytes = good.read_bytes()
    (folder / "G" / "face-7.png").write_bytes(data_bytes[: len(data_bytes) // 2])  # truncated
    (folder / "NoG" / "face-8.png").write_text("this is not an image")
    with pytest.warns(UserWarning) as record:
        f = load(folder)
    messages = " ".join(str(w.message) for w in record)
    assert "face-7.png" in messages and "face-8.png" in messages
    assert f.ids == [1, 2, 3, 4, 10, 20] and f.images.shape[0] == 6
    with pytest.warns(UserWarning) as record:  # still said when cached
        load(folder)
    messages = [str(w.message) for w in record]
    assert len(messages) == 2 and "face-7.png" in messages[0] and "face-8.png" in messages[1]


def test_modes_and_shapes_are_converted(tmp_path):
    root = tmp_path / "mixed"
    save_png(root / "G" / "face-1.png", (30, 30), 100, mode="L")  # grayscale
    save_png(root / "G" / "face-2.png", (30, 30), (10, 20, 30, 0), mode="RGBA")  # transparent:
    p = Image.new("P", (30, 30))
    p.putpalette([0, 0, 0, 40, 50, 60] + [0] * 762)
    p.paste(1, (0, 0, 30, 30))
    p.save(root / "G" / "face-3.png")  # palette
    wide = Image.new("RGB", (40, 20), (255, 0, 0))  # non-square:
    wide.paste((0, 255, 0), (10, 0, 30, 20))  # green centre
    wide.save(save_png(root / "NoG" / "face-4.png"))
    save_png(root / "NoG" / "face-5.png", (4, 4), (7, 8, 9))  # tiny
    f = load(root, size=16)
    assert f.images.shape == (5, 3, 16, 16)
    expected = [(100, 100, 100), (255, 255, 255), (40, 50, 60), (0, 255, 0), (7, 8, 9)]  # white
    for image, colour in zip(f.images, expected):
        for channel, value in zip(image, colour):
            assert channel.unique().tolist() == [value]


def test_empty_class_folder_names_the_folder(folder):
    for p in (folder / "NoG").iterdir():
        p.unlink()
    with pytest.raises(ValueError, match=r"NoG.*G/\*\.png"):
        load(folder)


def test_no_images_names_the_folder(tmp_path):
    (tmp_path / "empty" / "G").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"empty.*G/\*\.png.*NoG/\*\.png"):
        load(tmp_path / "empty")
    (tmp_path / "flat").mkdir()
    save_png(tmp_path / "flat" / "face-1.png")  # images not in G/ and NoG/
    with pytest.raises(ValueError, match="flat"):
        load(tmp_path / "flat")


def test_only_unreadable_images_is_an_error(tmp_path):
    for sub in ("G", "NoG"):
        (tmp_path / "bad" / sub).mkdir(parents=True)
        (tmp_path / "bad" / sub / "face-1.png").write_text("nope")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="None of the images"):
            load(tmp_path / "bad")


def test_missing_folder_says_how_to_get_data(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"(?s)The real glasses data.*dlhelpers organise"):
        load(tmp_path / "nowhere")


def test_attributes_are_aligned(folder):
    rows = ["id,file,glasses,frame,beard,smile,skin,hair_style,hair_colour"]
    # deliberately not in id order, so alignment is tested
    for i, rel in [
        (20, "NoG/face-20.png"),
        (1, "G/face-1.png"),
        (4, "NoG/face-4.png"),
        (3, "G/face-3.png"),
        (10, "G/face-10.png"),
        (2, "NoG/face-2.png"),
    ]:
        g = int(rel.startswith("G/"))
        rows.append(f"{i},{rel},{g},{'round' if g else ''},{i % 2},{i / 10},0.{i},short,c{i}")
    (folder / "attributes.csv").write_text("\n".join(rows) + "\n")
    f = load(folder)
    a = f.attributes
    assert set(a) == {"glasses", "frame", "beard", "smile", "skin", "hair_style", "hair_colour"}
    assert torch.equal(a["glasses"], f.glasses)
    assert a["beard"].dtype == torch.int64 and a["beard"].tolist() == [i % 2 for i in f.ids]
    assert a["smile"].dtype == torch.float32
    assert a["hair_colour"] == [f"c{i}" for i in f.ids]
    assert a["frame"] == ["round" if g else "" for g in f.glasses.tolist()]


def test_attributes_missing_rows_warn(folder):
    (folder / "attributes.csv").write_text("id,file,glasses\n1,G/face-1.png,1\n")
    with pytest.warns(UserWarning, match="attributes.csv"):
        assert load(folder).attributes is None


# --- faces() --------------------------------------------------------------------------------


@pytest.fixture
def fake_generator(monkeypatch):
    """Stand-in for synthetic_set.make_dataset: writes n tiny faces and attributes.csv."""
    calls = []

    def make_dataset(dst, n=5000, size=128, seed=0, progress=True):
        calls.append((dst, n, size))
        rows = ["id,file,glasses"]
        for i in range(n):
            rel = f"{'G' if i % 2 else 'NoG'}/face-{i}.png"
            save_png(dst / rel, (size, size), (i, i, i))
            rows.append(f"{i},{rel},{i % 2}")
        (dst / "attributes.csv").write_text("\n".join(rows) + "\n")
        return dst

    monkeypatch.setattr(synthetic_set, "make_dataset", make_dataset)
    return calls


def test_faces_uses_and_delegates_generation_of_the_synthetic_set(
    tmp_path, monkeypatch, capsys, fake_generator
):
    monkeypatch.setattr(settings, "FILES", tmp_path / "files")
    monkeypatch.setenv("DLHELPERS_DATA", str(tmp_path / "data"))
    f = data.face_set(size=8, n=6)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "synthetic" in out and "The real glasses data" in out
    assert fake_generator == [(tmp_path / "data" / "synthetic-faces", 6, 128)]
    assert f.images.shape == (6, 3, 8, 8)
    assert f.attributes["glasses"].tolist() == f.glasses.tolist()
    (tmp_path / "data" / "synthetic-faces" / ".faces.json").write_text('{"n": 6}')
    data.face_set(size=8)  # make_dataset decides whether to redraw
    assert fake_generator[-1] == (tmp_path / "data" / "synthetic-faces", 6, 128)


def test_faces_prefers_the_real_data(tmp_path, monkeypatch, capsys, folder, fake_generator):
    monkeypatch.setattr(settings, "FILES", tmp_path / "files")
    (tmp_path / "files").mkdir()
    folder.rename(tmp_path / "files" / "glasses")
    f = data.face_set(size=8)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and str(settings.relative(tmp_path / "files" / "glasses")) in out
    assert len(f) == 6 and fake_generator == []


def test_faces_with_a_folder(folder, capsys):
    f = data.face_set(size=8, folder=folder)
    assert len(f) == 6 and str(folder) in capsys.readouterr().out


def test_to_float_scales_uint8_and_leaves_its_input_alone():
    x = torch.full((2, 3), 255, dtype=torch.uint8)
    y = data.to_float(x)
    assert y.dtype == torch.float32 and y.max() == 1.0 and x.max() == 255
    f = torch.full((2, 3), 0.5, dtype=torch.float64)
    g = data.to_float(f)
    g += 1  # a copy: the input is not changed
    assert g.dtype == torch.float32 and f.max() == 0.5


def test_cache_does_not_break_the_chapters_imagefolder(tmp_path):
    """The book loads files/glasses with torchvision's ImageFolder: our cache must not add a class."""
    import torchvision
    from PIL import Image

    folder = tmp_path / "glasses"
    for cls in ("G", "NoG"):
        (folder / cls).mkdir(parents=True)
        for i in range(2):
            Image.new("RGB", (20, 20), (i * 90, 40, 200)).save(folder / cls / f"face-{cls}{i}.png")
    face_folder.load(folder, size=8, progress=False)
    ds = torchvision.datasets.ImageFolder(str(folder))
    assert ds.classes == ["G", "NoG"] and len(ds) == 4


def test_16_bit_grayscale_is_scaled_not_clipped(tmp_path):
    import numpy as np

    root = tmp_path / "deep"
    grey = np.full((24, 24), 32768, np.uint16)  # mid-grey in 16 bits
    (root / "G").mkdir(parents=True)
    Image.fromarray(grey).save(root / "G" / "face-1.png")
    save_png(root / "NoG" / "face-2.png", (24, 24), (0, 0, 0))
    assert Image.open(root / "G" / "face-1.png").mode == "I;16"
    f = load(root)
    assert f.images[0].float().mean() == pytest.approx(127.5, abs=1)


def test_transparency_is_composited_on_white(tmp_path):
    root = tmp_path / "alpha"
    half = Image.new("RGBA", (24, 24), (0, 0, 0, 0))  # transparent left half,
    half.paste((200, 0, 0, 255), (12, 0, 24, 24))  # opaque red right half
    (root / "G").mkdir(parents=True)
    half.save(root / "G" / "face-1.png")
    la = Image.new("LA", (24, 24), (0, 128))  # black at half opacity
    la.save(save_png(root / "NoG" / "face-2.png"))
    f = load(root, size=24)
    assert f.images[0][:, :, :10].unique().tolist() == [255]
    assert f.images[0][:, :, 14:].reshape(3, -1)[:, 0].tolist() == [200, 0, 0]
    assert abs(int(f.images[1].float().mean()) - 127) <= 1


def test_huge_images_are_skipped_before_decoding(tmp_path, monkeypatch):
    folder = tmp_path / "big"
    save_png(folder / "G" / "face-1.png", (300, 300))  # 0.09 MP: above a 0.05 MP cap
    save_png(folder / "NoG" / "face-2.png", (20, 20))
    monkeypatch.setattr(decode, "MAX_MEGAPIXELS", 0.05)
    decoded = []
    real = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda im: decoded.append(im.size) or real(im))
    with pytest.warns(UserWarning, match=r"face-1.png.*megapixels"):
        f = load(folder)
    assert f.ids == [2] and (300, 300) not in decoded


def test_big_jpeg_is_decoded_at_reduced_scale(tmp_path, monkeypatch):
    from PIL import JpegImagePlugin

    path = tmp_path / "big.jpg"
    Image.new("RGB", (1024, 1024), (30, 90, 150)).save(path, quality=95)
    sizes = []
    real = JpegImagePlugin.JpegImageFile.draft

    def draft(im, mode, size):
        result = real(im, mode, size)
        sizes.append(im.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", draft)
    out = decode._decode(path, 64)
    assert sizes == [(128, 128)]  # decoded at 1/8 scale, not 1024 px
    assert out.shape == (3, 64, 64)
    assert (out[:, 0, 0].int() - torch.tensor([30, 90, 150])).abs().max() <= 3


def test_same_id_in_both_classes_warns(folder):
    save_png(folder / "NoG" / "face-3.png", (24, 24), (1, 2, 3))  # face-3 is also in G/
    with pytest.warns(UserWarning, match=r"both G/ and NoG/.*face-3"):
        load(folder)


def test_a_symlink_loop_is_skipped_with_a_warning(folder):
    os.symlink(folder / "G" / "face-8.png", folder / "G" / "face-9.png")
    os.symlink(folder / "G" / "face-9.png", folder / "G" / "face-8.png")
    with pytest.warns(UserWarning, match=r"face-(8|9).png.*cannot be read"):
        f = load(folder)
    assert f.ids == [1, 2, 3, 4, 10, 20]


def test_resizing_stays_close_to_pils_lanczos():
    from torchvision.transforms.functional import pil_to_tensor

    g = torch.Generator().manual_seed(0)
    big = torch.rand(3, 16, 16, generator=g).mul(255).to(torch.uint8)
    img = Image.fromarray(big.permute(1, 2, 0).numpy()).resize((512, 512), Image.BICUBIC)
    ours = decode.square_resized(img, 64).float()  # torch bicubic, antialiased
    lanczos = pil_to_tensor(img.resize((64, 64), Image.Resampling.LANCZOS)).float()
    assert (ours - lanczos).abs().mean() < 1.0


def test_the_fast_png_path_gives_what_pil_gives(tmp_path, monkeypatch):
    g = torch.Generator().manual_seed(1)
    pixels = torch.rand(3, 8, 10, generator=g).mul(255).to(torch.uint8)
    img = Image.fromarray(pixels.permute(1, 2, 0).numpy()).resize((200, 160), Image.BICUBIC)
    path = tmp_path / "face-1.png"
    img.save(path)
    read = []
    import torchvision.io

    real = torchvision.io.read_file
    monkeypatch.setattr(torchvision.io, "read_file", lambda p: read.append(p) or real(p))
    fast = decode._decode(path, 48)
    assert read == [str(path)]  # libpng decoded it, not PIL
    assert torch.equal(fast, decode.square_resized(img, 48))
    assert fast.shape == (3, 48, 48) and fast.dtype == torch.uint8


def test_a_16_bit_rgb_png_is_scaled_to_8_bits(tmp_path):
    import numpy as np

    path = tmp_path / "deep.png"
    deep = np.full((32, 32, 3), (65535, 32768, 0), dtype=">u2")  # white, mid-grey, black
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\0" + row.tobytes() for row in deep)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 32, 16, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    out = decode._decode(path, 16)
    assert out.dtype == torch.uint8
    assert (out[:, 8, 8].int() - torch.tensor([255, 128, 0])).abs().max() <= 1


def test_a_full_disk_while_caching_warns_and_still_loads(folder, monkeypatch):
    from dlhelpers.engine import checkpoints

    def full_disk(obj, path):
        raise RuntimeError("PytorchStreamWriter failed writing file data/0: file write failed")

    monkeypatch.setattr(checkpoints, "atomic_save", full_disk)
    with pytest.warns(UserWarning, match="Could not write the cache"):
        f = load(folder)
    assert f.ids == [1, 2, 3, 4, 10, 20] and f.images.shape == (6, 3, 16, 16)
