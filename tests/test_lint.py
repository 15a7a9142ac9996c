"""ruff, with the rules in ``pyproject.toml``, finds nothing in the package, the tests or the notebooks."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")
PLACES = ["dlhelpers", "tests", "notebooks", "tasks.py"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_is_clean(command):
    done = subprocess.run([str(RUFF), *command, *PLACES], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
