"""The one command line (``python -m dlhelpers``): help everywhere, one-line errors, training."""
import argparse

import pytest

from dlhelpers import checkpoints, recipes
from dlhelpers.__main__ import main, parser
from dlhelpers.models import AE


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
    assert {"train ae", "train vae", "train dense-vae", "train judges", "organise", "bench",
            "student-copies"} <= commands
    for path, p in found:
        for action in p._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, f"{' '.join(path)} {action.dest} has no help"


def test_defaults_come_from_the_recipes():
    args = parser().parse_args(["train", "vae"])
    r = recipes.FACES_VAE
    assert (args.size, args.epochs, args.batch_size, args.lr) == (r.size, r.epochs, r.batch_size, r.lr)
    args = parser().parse_args(["train", "ae"])
    assert (args.epochs, args.batch_size, args.lr) == (recipes.AE.epochs, recipes.AE.batch_size,
                                                       recipes.AE.lr)


@pytest.mark.parametrize("argv, words", [
    (["train", "vae", "--epochs", "0"], "must be above 0"),
    (["train", "vae", "--batch-size", "0"], "must be above 0"),
    (["train", "vae", "--held-out", "0"], "between 0 and 1"),
    (["train", "ae", "--lr", "-1"], "must be above 0"),
])
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
    import dlhelpers.data as data
    real = data.mnist
    monkeypatch.setattr(data, "mnist", lambda train=True: tuple(t[:500] for t in real(train)))
    out = tmp_path / "ae.pt"
    assert main(["train", "ae", "--epochs", "1", "--out", str(out)]) == 0
    model = checkpoints.load(out)
    assert isinstance(model, AE) and len(checkpoints.extra(out)["history"]["test_mse"]) == 1
