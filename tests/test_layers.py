"""The layers of dlhelpers, checked by import-linter with the contracts in ``pyproject.toml``:
each wing imports only the wings below it (the chapter's code nothing of dlhelpers), nothing but
``python -m dlhelpers`` imports the tools, and no two modules of a wing import each other."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root):
    """import-linter's verdict on the dlhelpers under ``root``: (exit code, its report)."""
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_package_keeps_its_layers():
    code, report = lint(ROOT)
    assert code == 0, report
    assert "3 kept, 0 broken" in report


@pytest.mark.parametrize(
    "module, line",
    [
        ("chapter/core.py", "from dlhelpers import settings"),  # the chapter imports nothing
        ("engine/train.py", "from dlhelpers.measure import judges"),  # the engine sits below measure
        ("widgets/sliders.py", "from dlhelpers.tools import bench"),  # nothing imports the tools
        ("data/groups.py", "from dlhelpers.data import kaggle"),  # a cycle inside data
    ],
)
def test_a_broken_layer_fails_the_check(tmp_path, module, line):
    shutil.copytree(ROOT / "dlhelpers", tmp_path / "dlhelpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    if module == "data/groups.py":  # kaggle must import groups back for a cycle
        kaggle = tmp_path / "dlhelpers" / "data" / "kaggle.py"
        kaggle.write_text(kaggle.read_text() + "\nfrom dlhelpers.data import groups  # noqa\n")
    path = tmp_path / "dlhelpers" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    code, report = lint(tmp_path)
    assert code != 0 and "BROKEN" in report, report
