"""The one command line (``python -m dlhelpers``): help everywhere, one-line errors, training."""

import argparse

import pytest

from dlhelpers import settings
from dlhelpers.chapter.models import AE
from dlhelpers.engine import checkpoints, planning, recipes, resuming
from dlhelpers.tools.cli import main, parser


def subparsers(p, path=()):
    """Every (command path, parser) reachable from ``p``."""
    yield path, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from subparsers(sub, path + (name,))


def test_every_command_and_flag_has_help():
    found = list(subparsers(parser()))
    commands = {" ".join(path) for path, _ in found}
    assert {
        "train ae",
        "train vae",
        "train dense-vae",
        "train judges",
        "organise",
        "bench",
        "student-copies",
    } <= commands
    for path, p in found:
        for action in p._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, f"{' '.join(path)} {action.dest} has no help"


def test_defaults_come_from_the_recipes(monkeypatch, tmp_path):
    from dlhelpers.tools.commands import vae_defaults

    monkeypatch.delenv("DLHELPERS_PHOTOS", raising=False)
    monkeypatch.setattr(settings, "FILES", tmp_path)  # no organised photos here
    args, r = vae_defaults(parser().parse_args(["train", "vae"]))
    assert r == recipes.FACES_VAE and (args.size, args.lr) == (r.size, r.lr)
    assert (args.epochs, args.batch_size) == (None, None)  # chosen once the faces are counted
    args, p = vae_defaults(parser().parse_args(["train", "vae", "--data", str(tmp_path)]))
    assert p == recipes.PHOTOS_VAE and (args.size, args.lr) == (p.size, p.lr)
    assert recipes.full("photos_vae").size == 256  # the book's
    args, _ = vae_defaults(parser().parse_args(["train", "vae", "--data", "x", "--size", "96"]))
    assert args.size == 96
    args = parser().parse_args(["train", "ae"])
    assert (args.epochs, args.batch_size, args.lr) == (
        recipes.AE.epochs,
        recipes.AE.batch_size,
        recipes.AE.lr,
    )


def test_train_vae_plans_by_steps_and_says_so(capsys):
    from dlhelpers.tools.commands import vae_plan

    photos = recipes.full("photos_vae")
    args = parser().parse_args(["train", "vae", "--data", "x"])
    p = vae_plan(args, photos, 4050)
    assert (args.batch_size, args.epochs) == (p.batch_size, p.epochs) and p.steps >= photos.steps
    assert f"{p.steps} optimizer steps" in capsys.readouterr().out
    args = parser().parse_args(["train", "vae", "--data", "x"])
    few = photos.min_images - 1
    with pytest.raises(planning.TooFewFacesError, match=f"{few} training faces are too few"):
        vae_plan(args, photos, few)
    args = parser().parse_args(["train", "vae", "--data", "x", "--epochs", "2"])
    assert vae_plan(args, photos, few).epochs == 2  # asked for: trained anyway
    assert "warning: " in capsys.readouterr().out


def test_a_folder_too_small_to_learn_from_is_one_sentence_before_training(tmp_path, capsys, monkeypatch):
    from dlhelpers.engine import train

    monkeypatch.setattr(train, "vae_epoch", lambda *a, **k: pytest.fail("trained anyway"))
    monkeypatch.setitem(recipes.QUICK_CHANGES, "photos_vae", {})  # the full recipe
    monkeypatch.setattr(recipes, "PHOTOS_VAE", recipes.full("photos_vae"))
    argv = [
        "train",
        "vae",
        "--data",
        str(small_faces(tmp_path / "few", 20)),
        "--size",
        "16",
        "--out",
        str(tmp_path / "run.pt"),
    ]
    assert main(argv) == 2
    line = one_line_error(capsys)
    assert "18 training faces are too few to learn from" in line and "at least" in line


@pytest.mark.parametrize(
    "argv, words",
    [
        (["train", "vae", "--epochs", "0"], "must be above 0"),
        (["train", "vae", "--batch-size", "0"], "must be above 0"),
        (["train", "vae", "--held-out", "0"], "between 0 and 1"),
        (["train", "ae", "--lr", "-1"], "must be above 0"),
    ],
)
def test_bad_flags_are_one_line_errors(argv, words, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_user_error_in_the_data_prints_one_line_and_exits_2(tmp_path, capsys):
    assert main(["train", "vae", "--data", str(tmp_path / "nowhere"), "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("python -m dlhelpers train: error:") and "nowhere" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_cli_trains_and_saves_an_ae(mnist_root, tmp_path, monkeypatch):
    from dlhelpers import data

    real = data.mnist
    monkeypatch.setattr(data, "mnist", lambda train=True: tuple(t[:500] for t in real(train)))
    out = tmp_path / "ae.pt"
    assert main(["train", "ae", "--epochs", "1", "--out", str(out)]) == 0
    model = checkpoints.load(out)
    assert isinstance(model, AE) and len(checkpoints.extra(out)["history"]["test_mse"]) == 1


def small_faces(folder, n):
    """A G/NoG folder of ``n`` tiny faces (alternating classes)."""
    from PIL import Image

    for i in range(1, n + 1):
        cls = "G" if i % 2 else "NoG"
        (folder / cls).mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (16, 16), (i * 20, 90, 30)).save(folder / cls / f"face-{i}.png")
    return folder


def one_line_error(capsys):
    """The error line on stderr (progress bars aside), checked to be the only one."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "python -m dlhelpers" in line]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    "n, share, words",
    [
        (5, "0.1", "leaves 5 for training and 0 for testing"),
        (6, "0.95", "leaves 0 for training and 6 for testing"),
    ],
)
def test_a_split_with_an_empty_side_is_refused_before_training(
    tmp_path, capsys, monkeypatch, n, share, words
):
    from dlhelpers.engine import train

    monkeypatch.setattr(train, "vae_epoch", lambda *a, **k: pytest.fail("trained anyway"))
    argv = [
        "train",
        "vae",
        "--data",
        str(small_faces(tmp_path / "few", n)),
        "--size",
        "16",
        "--held-out",
        share,
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "run.pt"),
    ]
    assert main(argv) == 2
    assert words in one_line_error(capsys)


def test_a_bad_size_is_refused_before_any_image_is_decoded(tmp_path, capsys, monkeypatch):
    from dlhelpers.data import decode

    monkeypatch.setattr(decode, "decode_all", lambda *a, **k: pytest.fail("decoded anyway"))
    argv = ["train", "vae", "--data", str(small_faces(tmp_path / "few", 6)), "--size", "30"]
    with pytest.raises(SystemExit) as e:  # a flag's value: argparse's one-line error
        main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2 and "argument --size: image_size must be a multiple of 8" in err
    assert "Traceback" not in err


def test_a_binary_train_csv_is_one_line(tmp_path, capsys):
    src = tmp_path / "download"
    faces = src / "faces-spring-2020" / "faces-spring-2020"
    small_faces(tmp_path / "x", 2)
    faces.mkdir(parents=True)
    (tmp_path / "x" / "G" / "face-1.png").rename(faces / "face-1.png")
    (src / "train.csv").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00" * 50)
    assert main(["organise", str(src), "--dst", str(tmp_path / "out")]) == 2
    assert "train.csv is not a readable CSV" in one_line_error(capsys)


def test_a_checkpoint_of_an_unknown_model_class_is_one_line(tmp_path, capsys):
    path = tmp_path / "odd.pt"
    model = AE()
    payload = {
        "format": checkpoints.FORMAT,
        "model": "Transformer",
        "config": {},
        "state_dict": model.state_dict(),
        "extra": {},
    }
    checkpoints.atomic_save(payload, path)
    with pytest.raises(ValueError, match=r"class 'Transformer', which dlhelpers does not know"):
        checkpoints.load(path)
    monkey_args = [
        "train",
        "vae",
        "--data",
        str(small_faces(tmp_path / "f", 6)),
        "--size",
        "16",
        "--held-out",
        "0.5",
        "--epochs",
        "1",
        "--out",
        str(path),
    ]
    assert main(monkey_args) == 2
    assert "holds a 'Transformer' model, not the 'VAE'" in one_line_error(capsys)


def test_train_vae_on_a_folder_prints_its_steps_and_whether_it_learned(tmp_path, capsys, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(recipes, "PHOTOS_VAE", recipes.active("photos_vae", quick=True))
    folder = tmp_path / "faces"
    for i in range(1, 121):
        cls = "G" if i % 2 else "NoG"
        (folder / cls).mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (16, 16), (i * 2, 200 - i, 60 + i % 7 * 20)).save(folder / cls / f"face-{i}.png")
    out = tmp_path / "run.pt"
    assert main(["train", "vae", "--data", str(folder), "--size", "16", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "plan: 108 training faces, batch 32, 3 epochs: 12 optimizer steps" in captured.out
    saved = checkpoints.extra(out)
    assert saved["epoch"] == 3 and "optimizer" not in saved  # the model, not the training state
    assert saved["settings"]["rec_weight"] == recipes.book_balance(16)  # a photo
    # folder keeps the photos' balance, not the synthetic recipe's weight
    assert not resuming.training_file(out).exists()  # deleted once the model was saved
    assert "lower) in 12 optimizer steps" in captured.out or (  # a line either way, exit 0
        "warning: Training did not lower the held-out error in 12" in captured.out and saved["check"]
    )
    assert "Traceback" not in captured.err


def test_train_vae_keeps_the_model_when_its_check_fails(tmp_path, capsys, monkeypatch):
    """A failed check is a warning after the model is saved: exit 0, the file kept, the warning
    recorded in it, and a second run loads it instead of training again."""
    from dlhelpers.engine import train

    monkeypatch.setattr(
        planning,
        "check_learned",
        lambda *a, **k: planning.Learned("figures", "The held-out error is 9.0x the training error."),
    )
    argv = ["train", "vae", "--data", str(small_faces(tmp_path / "f", 12)), "--size", "16"]
    argv += ["--held-out", "0.25", "--epochs", "1", "--out", str(tmp_path / "run.pt")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "warning: The held-out error is 9.0x" in out
    assert out.index("saved ") < out.index("run.pt (") < out.index("warning: The held-out")  # saved first
    assert checkpoints.extra(tmp_path / "run.pt")["check"] == "The held-out error is 9.0x the training error."
    assert not (tmp_path / "run_training.pt").exists()
    monkeypatch.setattr(train, "vae_epoch", lambda *a, **k: pytest.fail("trained again"))
    assert main(argv) == 0
    assert "holds this run, finished (1 epochs): loaded it" in capsys.readouterr().out


def test_a_bug_inside_a_command_shows_its_traceback(tmp_path, monkeypatch):
    """Only a UserError is a one-line message: a KeyError or ValueError from inside a command
    is a bug and propagates."""
    from dlhelpers.data import kaggle

    def broken(*a, **k):
        raise KeyError("bug")

    monkeypatch.setattr(kaggle, "organise", broken)
    with pytest.raises(KeyError, match="bug"):
        main(["organise", str(tmp_path)])
    monkeypatch.setattr(kaggle, "organise", lambda *a, **k: int("not a number"))
    with pytest.raises(ValueError, match="invalid literal"):
        main(["organise", str(tmp_path)])


def test_a_user_error_is_one_line_and_status_2(tmp_path, capsys, monkeypatch):
    from dlhelpers.data import kaggle
    from dlhelpers.errors import UserError

    class Missing(UserError, KeyError):
        pass

    def refuse(*a, **k):
        raise Missing("no such download: unzip it first")

    monkeypatch.setattr(kaggle, "organise", refuse)
    assert main(["organise", str(tmp_path)]) == 2
    line = one_line_error(capsys)
    assert line == "python -m dlhelpers organise: error: no such download: unzip it first"  # no quotes
