"""The chapter's own photos, end to end: a download in Kaggle's exact layout, organised, then
notebooks 02 -> 03 -> 04 on it (quick mode), plus the pieces they use (which faces are in use, the
VAE file per dataset and size, the book's groups, saved picks, the glasses judge).

The download is made of the package's own faces (``photo_faces.kaggle_download``: drawn at 256 px,
written as 1024-px PNGs), laid out as Kaggle ships it:

    faces-spring-2020/faces-spring-2020/face-<id>.png
    train.csv    id, v1..v512, glasses    (the first 90 % of the ids)
    test.csv     id, v1..v512             (the rest)

Nothing is written into the repository: the organised photos, the faces cache and every model go
to temporary folders named by DLHELPERS_PHOTOS and DLHELPERS_RUNS.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from dlhelpers import data, settings
from dlhelpers.chapter.models import VAE
from dlhelpers.data import groups, photo_faces
from dlhelpers.data.face_folder import FaceSet
from dlhelpers.data.synthetic_set import face_traits
from dlhelpers.engine import checkpoints, planning, recipes, resuming
from dlhelpers.measure import claims, judges
from dlhelpers.widgets import gallery

ROOT = Path(__file__).resolve().parents[1]
N_PHOTOS = 100  # 90 labelled: enough for the book's two galleries of 25
NOTEBOOKS = ["02_vae_faces", "03_encoding_arithmetic", "04_interpolation"]


def kaggle_download(dst, n=N_PHOTOS, labelled=0.9, side=1024):
    """Write ``n`` faces as a Kaggle "glasses or no glasses" download into ``dst``; returns it."""
    return photo_faces.kaggle_download(dst, n, labelled=labelled, side=side)


@pytest.fixture(scope="session")
def organised(tmp_path_factory):
    """A Kaggle-layout download organised with the command line into a temporary folder."""
    root = tmp_path_factory.mktemp("photos")
    start = time.monotonic()
    src = kaggle_download(root / "download")
    made = time.monotonic()
    dst = root / "glasses"
    done = subprocess.run(
        [sys.executable, "-m", "dlhelpers", "organise", str(src), "--dst", str(dst)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    print(
        f"\ndownload of {N_PHOTOS} 1024-px PNGs: {made - start:.1f} s; organise: "
        f"{time.monotonic() - made:.1f} s ({done.stdout.strip()})"
    )
    return dst


@pytest.fixture
def photos_env(organised, tmp_path, monkeypatch):
    """The organised photos in use, models and picks going to a fresh temporary runs folder."""
    monkeypatch.setenv(data.PHOTOS_ENV, str(organised))
    monkeypatch.setenv(data.RUNS_ENV, str(tmp_path / "runs"))
    return organised


def small_faces(ids, glasses, side=8):
    n = len(ids)
    files = [f"{'G' if g else 'NoG'}/face-{i}.png" for i, g in zip(ids, glasses)]
    return FaceSet(
        images=torch.zeros(n, 3, side, side, dtype=torch.uint8),
        glasses=torch.tensor(glasses),
        ids=list(ids),
        files=files,
        folder=Path("x"),
    )


# --- Which faces are in use -----------------------------------------------------------------------


def test_photos_setting_decides_which_faces_are_in_use(photos_env, monkeypatch, tmp_path):
    use = data.in_use()
    assert use.name == "photos" and use.folder == photos_env and data.PHOTOS_ENV in use.why
    assert data.vae_file(64) == tmp_path / "runs" / "vae_photos64.pt"
    assert data.vae_candidates(256)[-1] == settings.FILES / data.BOOK_VAE
    assert str(settings.relative(photos_env)) in data.summary(64)
    monkeypatch.setenv(data.PHOTOS_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="DLHELPERS_PHOTOS points at"):
        data.in_use()


def test_without_photos_the_synthetic_faces_and_their_shipped_vae_are_used(monkeypatch, tmp_path):
    monkeypatch.delenv(data.PHOTOS_ENV, raising=False)
    monkeypatch.setattr(settings, "FILES", tmp_path / "files")  # no files/glasses there
    monkeypatch.setenv(data.RUNS_ENV, str(tmp_path / "runs"))
    assert data.in_use().name == "synthetic"
    assert data.vae_candidates(64) == [
        tmp_path / "runs" / "vae_synthetic64.pt",  # the student's
        tmp_path / "files" / "vae_faces64.pt",
    ]  # then shipped


def test_notebooks_03_04_load_the_students_own_model_before_the_shipped_one(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv(data.PHOTOS_ENV, raising=False)
    monkeypatch.setattr(settings, "FILES", tmp_path / "files")
    monkeypatch.setenv(data.RUNS_ENV, str(tmp_path / "runs"))
    (tmp_path / "files").mkdir()
    checkpoints.save(VAE(image_size=16), tmp_path / "files" / "vae_faces16.pt", half=True)
    _, path = data.load_vae(16)
    assert path == tmp_path / "files" / "vae_faces16.pt" and "the shipped model" in capsys.readouterr().out
    checkpoints.save(VAE(image_size=16), data.vae_file(16), half=True)  # notebook 02's own
    _, path = data.load_vae(16)
    assert path == tmp_path / "runs" / "vae_synthetic16.pt"
    assert "trained in notebook 02" in capsys.readouterr().out


def test_quick_mode_keeps_its_models_apart(monkeypatch):
    monkeypatch.delenv(data.RUNS_ENV, raising=False)
    monkeypatch.setattr(settings, "QUICK", True)
    assert data.runs_folder() == settings.FILES / "runs" / "quick"
    monkeypatch.setattr(settings, "QUICK", False)
    assert data.runs_folder() == settings.FILES / "runs"


def test_a_quick_run_of_notebook_01_leaves_the_full_autoencoder_alone(monkeypatch, tmp_path):
    monkeypatch.setenv(data.RUNS_ENV, str(tmp_path / "runs"))
    assert data.ae_file() == tmp_path / "runs" / "ae_mnist.pt" and data.ae_file().parent.is_dir()
    monkeypatch.delenv(data.RUNS_ENV)
    monkeypatch.setattr(settings, "QUICK", True)
    assert data.ae_file() == settings.FILES / "runs" / "quick" / "ae_mnist.pt"
    for name in ("01_autoencoder_mnist", "05_beyond_the_chapter"):  # both go through ae_file
        cells = json.loads((settings.PROJECT / "notebooks" / f"{name}.ipynb").read_text())["cells"]
        source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert "data.ae_file()" in source and '"runs" / "ae_mnist.pt"' not in source


# --- The VAE for the faces in use -----------------------------------------------------------------


def test_load_vae_finds_the_model_of_this_dataset_and_size(photos_env, tmp_path):
    with pytest.raises(data.NoModelError, match="run notebook 02 first") as err:
        data.load_vae(64)
    assert err.value._render_traceback_() == [f"NoModelError: {err.value}"]  # one line in Jupyter
    checkpoints.save(VAE(image_size=128), data.vae_file(128), half=True)
    model, path = data.load_vae(128)
    assert path == tmp_path / "runs" / "vae_photos128.pt" and model.config["image_size"] == 128
    shutil.copy(path, data.vae_file(64))  # a 128-px model under the 64 name
    with pytest.raises(data.SizeError, match="128-px images, but SIZE is 64"):
        data.load_vae(64)


def test_a_run_whose_check_fails_is_kept_and_03_04_repeat_the_warning(tmp_path, monkeypatch, capsys):
    """Notebook 02's order: train (saved at once) -> check (a warning, recorded) -> 03-04 load it."""
    from dlhelpers.engine.train import fit_vae, vae_scores

    monkeypatch.setenv(data.RUNS_ENV, str(tmp_path / "runs"))
    faces = torch.randint(0, 256, (40, 3, 16, 16), dtype=torch.uint8)
    train_x, held_x = faces[:32], faces[32:]
    settings.seed(0)
    model = VAE(latent_dims=8, image_size=16)
    untrained = vae_scores(model, held_x)["mse"]
    run_file = data.vae_file(16, "synthetic")
    fit_vae(
        model, train_x, epochs=2, batch_size=8, lr=1e-3, held_out=held_x, progress=False,
        checkpoint=resuming.training_file(run_file), save_to=run_file,
    )  # fmt: skip
    assert run_file.is_file() and not resuming.training_file(run_file).exists()
    held, seen = vae_scores(model, held_x)["mse"], vae_scores(model, train_x[:8])["mse"]
    learned = planning.check_learned(untrained, held, seen, max_overfit=held / seen / 2)  # noise: fails
    assert not learned.ok and learned.warning
    checkpoints.update_extra(run_file, check=learned.warning)
    capsys.readouterr()
    loaded, path = data.load_vae(16, dataset="synthetic")
    out = capsys.readouterr().out
    assert path == run_file and loaded.config["image_size"] == 16
    assert f"warning: when it was trained, notebook 02's check said: {learned.warning}" in out


def test_no_model_names_the_file_relative_to_the_project_and_an_unfinished_run(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "PROJECT", tmp_path)
    monkeypatch.setattr(settings, "FILES", tmp_path / "files")
    monkeypatch.delenv(data.RUNS_ENV, raising=False)
    monkeypatch.setattr(settings, "QUICK", False)
    with pytest.raises(data.NoModelError) as e:
        data.load_vae(16, dataset="photos")
    assert "(files/runs/vae_photos16.pt): run notebook 02 first" in str(e.value)
    assert str(tmp_path) not in str(e.value)
    checkpoints.save(VAE(image_size=16), resuming.training_file(data.vae_file(16, "photos")))
    with pytest.raises(
        data.NoModelError, match="finish the unfinished run in files/runs/vae_photos16_training.pt"
    ):
        data.load_vae(16, dataset="photos")
    torch.save(VAE(image_size=256).state_dict(), settings.FILES / data.BOOK_VAE)
    with pytest.raises(data.SizeError, match=r"^files/VAEglasses\.pth is the book's VAE for 256-px"):
        data.load_vae(16, dataset="photos")


def test_the_books_weights_are_used_on_the_photos_at_256(photos_env, tmp_path, monkeypatch):
    files = tmp_path / "files"
    files.mkdir()
    monkeypatch.setattr(settings, "FILES", files)
    torch.save(VAE(image_size=256).state_dict(), files / data.BOOK_VAE)  # a bare state_dict
    model, path = data.load_vae(256)
    assert path == files / data.BOOK_VAE and model.config["image_size"] == 256
    with pytest.raises(data.SizeError, match="256-px images, but SIZE is 64"):
        data.load_vae(64)
    with pytest.raises(data.NoModelError, match="drop the book's VAEglasses.pth"):
        data.load_vae(128, dataset="photos") if not (files / data.BOOK_VAE).unlink() else None


# --- The book's four groups -------------------------------------------------------------------------


def test_book_groups_follow_imagefolder_order():
    ids = list(range(1, 121))
    glasses = [int(face_traits(i)["glasses"] != "none") for i in ids]
    faces = small_faces(ids, glasses)
    order = groups.imagefolder_order(faces)
    g_names = sorted(f"face-{i}.png" for i, gl in zip(ids, glasses) if gl)
    assert [faces.files[i] for i in order[:3]] == [f"G/{name}" for name in g_names[:3]]
    assert faces.files[order[0]] != "G/face-2.png" or "face-10.png" not in g_names
    g, nog = groups.book_gallery(faces)
    book = groups.book_groups(faces)
    assert book["men_glasses"] == [g[0], g[3], g[14]]
    assert book["women_noglasses"] == [nog[4], nog[9], nog[19]]
    assert set(book) == set(groups.GROUP_NAMES)


def test_book_groups_match_torchvision_imagefolder(organised):
    import torchvision

    faces = data.face_set(size=16, folder=organised)
    ds = torchvision.datasets.ImageFolder(str(organised))
    names = [Path(p).parent.name + "/" + Path(p).name for p, _ in ds.samples]
    g_first = names[:25]
    nog_from_end = [names[-i - 1] for i in range(25)]
    book = groups.book_groups(faces)
    assert [faces.files[i] for i in book["men_glasses"]] == [g_first[p] for p in (0, 3, 14)]
    assert [faces.files[i] for i in book["women_glasses"]] == [g_first[p] for p in (9, 15, 21)]
    assert [faces.files[i] for i in book["men_noglasses"]] == [nog_from_end[p] for p in (1, 7, 22)]
    assert [faces.files[i] for i in book["women_noglasses"]] == [nog_from_end[p] for p in (4, 9, 19)]


def test_saved_groups_round_trip_and_are_checked(tmp_path):
    faces = small_faces(range(1, 41), [i % 2 for i in range(40)])
    picks = {name: [k * 3, k * 3 + 1, k * 3 + 2] for k, name in enumerate(groups.GROUP_NAMES)}
    ids = {name: [int(faces.ids[i]) for i in idx] for name, idx in picks.items()}
    path = groups.write_ids(ids, tmp_path / "groups.json", faces.folder)
    assert groups.saved_groups(faces, path) == picks
    assert groups.four_groups(faces, path=path) == picks
    bad = json.loads(path.read_text())
    bad["groups"]["men_glasses"] = [1, 2, 999]
    path.write_text(json.dumps(bad))
    with pytest.raises(groups.GroupsFileError, match=r"face ids these faces do not have: \[999\]"):
        groups.saved_groups(faces, path)
    bad["groups"] = {"men": [1, 2, 3]}
    path.write_text(json.dumps(bad))
    with pytest.raises(groups.GroupsFileError, match="expected exactly"):
        groups.saved_groups(faces, path)
    bad["groups"] = {name: [1] for name in groups.GROUP_NAMES}
    path.write_text(json.dumps(bad))
    with pytest.raises(groups.GroupsFileError, match="too few faces"):
        groups.saved_groups(faces, path)
    path.write_text("not json")
    with pytest.raises(groups.GroupsFileError, match="not a groups file"):
        groups.saved_groups(faces, path)


def test_the_picker_saves_a_choice_the_notebooks_read(tmp_path):
    ids = list(range(1, 81))
    faces = small_faces(ids, [int(face_traits(i)["glasses"] != "none") for i in ids], side=16)
    path = tmp_path / "groups.json"
    picker = gallery.faces_picker(faces, 3, save_to=path)
    assert len(picker.buttons) == 50 and picker.buttons[0].description.split(" ")[0] == str(picker.ids[0])
    book = groups.book_groups(faces)
    assert {n: [faces.ids[i] for i in idx] for n, idx in book.items()} == picker.picked_ids()
    picker.save_button.click()
    assert "saved" in picker.saved.value
    assert groups.four_groups(faces, path=path) == book
    picker.toggle(0, "men_glasses")  # one face out of the book's choice ...
    picker.toggle(0, "men_glasses")  # ... and back
    picker.toggle(picker.picks["women_glasses"][0])  # women_glasses now has 2 of 3
    picker.save_button.click()
    assert "not saved" in picker.saved.value and "'women_glasses' has 2 of 3" in picker.saved.value


# --- Measured on the photos -------------------------------------------------------------------------


def test_claims_take_chosen_groups_and_a_glasses_only_judge():
    from stubs import StubVAE, stub_faces

    class GlassesOnly(torch.nn.Module):
        traits = ["glasses"]

        def __init__(self):
            super().__init__()
            self.dummy = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return 20 * (x[:, 1].mean((1, 2)) - 0.5)[:, None]

    f = stub_faces(3)
    f.attributes = None  # like the photos: glasses labels only
    chosen = {
        "men_glasses": [9, 10, 11],
        "women_glasses": [3, 4, 5],
        "men_noglasses": [6, 7, 8],
        "women_noglasses": [0, 1, 2],
    }
    assert groups.pools(f, chosen) == chosen
    r = claims.arithmetic_success(StubVAE(), GlassesOnly(), f, draws=5, groups=chosen)
    assert r["draws"] == 1 and r["target"] == {"glasses": 0} and r["successes"] == 1
    assert groups.labelled(f, {"glasses": 1, "beard": 0}) == {"glasses": 1}
    assert groups.base_rate(f, {"beard": 1, "glasses": 0}) == 0.5
    p = claims.interpolation_profile(
        StubVAE(), GlassesOnly(), torch.tensor([0.0, 1.0]), torch.tensor([0.0, 0.0]), steps=5, trait="glasses"
    )
    assert p["direction"] == "falling" and p["crossings"] == 1


def test_glasses_judge_learns_the_photos_labels_and_is_cached(photos_env, tmp_path, capsys):
    faces = data.face_set(size=64)
    r = judges.recipes.GlassesJudgeRecipe(epochs=20, batch_size=32, held_out=0.3)
    net = judges.glasses_judge(faces, recipe=r, progress=False)
    out = capsys.readouterr().out
    assert "held-out accuracy" in out and net.traits == ["glasses"]
    acc = checkpoints.extra(tmp_path / "runs" / "judge_glasses_photos.pt")["held_out_accuracy"]
    print(f"glasses judge held-out accuracy on {N_PHOTOS} generated photos: {acc:.1%}")
    assert acc >= 0.8
    again = judges.glasses_judge(faces, recipe=r, progress=False)
    assert "judge_glasses_photos.pt (held-out accuracy" in capsys.readouterr().out
    assert torch.equal(again.head[-1].weight, net.head[-1].weight)


# --- The whole path: notebooks 02 -> 03 -> 04 on the photos -----------------------------------------


@pytest.mark.slow
def test_notebooks_02_to_04_run_on_the_photos(organised, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    runs = tmp_path / "runs"
    vae = runs / "vae_photos256.pt"  # on the photos notebook 02 uses the book's size
    env = {
        data.PHOTOS_ENV: str(organised),
        data.RUNS_ENV: str(runs),
        "DLHELPERS_QUICK": "1",
        "MPLBACKEND": "Agg",
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for name in NOTEBOOKS:
            start = time.monotonic()
            nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
            NotebookClient(
                nb,
                timeout=600,
                kernel_name="python3",
                resources={"metadata": {"path": str(ROOT / "notebooks")}},
            ).execute()
            text = "\n".join(
                o.get("text", "")
                for c in nb.cells
                if c.cell_type == "code"
                for o in c.get("outputs", [])
                if o.get("output_type") == "stream"
            )
            assert "the book's glasses photos in " + str(settings.relative(organised)) in text, name
            if name == NOTEBOOKS[0]:
                assert vae.is_file() and "optimizer steps" in text  # the run's plan, by steps
                assert recipes.describe(recipes.active("photos_vae", quick=True)) in text
            else:
                assert f"Using the VAE in {settings.relative(vae)}: trained in notebook 02" in text
                assert "glasses judge" in text and "held-out accuracy" in text
            if name == NOTEBOOKS[1]:
                assert "Groups: the book's own choice (listing 7.7)" in text
            print(f"{name} on the photos: {time.monotonic() - start:.1f} s")
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
