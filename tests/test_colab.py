"""The notebooks' first cell and the README's Colab badges (``dlhelpers.tools.colab``).

Fast: every notebook starts with the cell, the badges point where ``pyproject.toml`` says, stamping
is idempotent, and outside Colab a kernel without dlhelpers gets the README's command. Slow: a fresh
virtual environment without dlhelpers, a kernel that believes it runs on Colab and
``DLHELPERS_REPO`` pointing at a local clone of the working tree: the cell clones and installs the
series, a second run does nothing, and notebook 01 then runs in quick mode from the clone.
"""

import copy
import json
import subprocess
import sys
import sysconfig
import time
import venv
from pathlib import Path

import pytest

from dlhelpers.tools import colab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIRST = "01_autoencoder_mnist.ipynb"


def code_cells(path):
    return [
        c for c in json.loads(Path(path).read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"
    ]


# -- fast -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_starts_with_the_setup_cell(path):
    assert "".join(code_cells(path)[0]["source"]) == colab.cell(), "run: python -m dlhelpers colab"


def test_the_readme_has_a_colab_badge_per_notebook_from_the_one_address():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (ROOT / colab.BADGE_IMAGE).is_file()
    for path in NOTEBOOKS:
        assert colab.badge(path.name) in readme, "run: python -m dlhelpers colab"
    assert readme.count("colab.research.google.com/github/") == len(NOTEBOOKS)
    assert colab.repository().startswith("https://github.com/")


def test_the_address_is_read_from_pyproject_and_must_be_on_github(tmp_path):
    toml = tmp_path / "pyproject.toml"
    toml.write_text('[project]\nname = "x"\n\n[project.urls]\nRepository = "https://github.com/a/b/"\n')
    assert colab.repository(toml) == "https://github.com/a/b"
    assert f'REPOSITORY = "{colab.repository(toml)}"' in colab.cell(colab.repository(toml))
    assert colab.colab_url("n.ipynb", "https://github.com/a/b.git").endswith(
        "/github/a/b/blob/main/notebooks/n.ipynb"
    )
    with pytest.raises(colab.RepositoryError, match="GitHub"):
        colab.colab_url("n.ipynb", "https://gitlab.com/a/b")
    toml.write_text('[project]\nname = "x"\nRepository = "https://github.com/a/b"\n')  # not under urls
    with pytest.raises(colab.RepositoryError, match=r"\[project.urls\]"):
        colab.repository(toml)


def small_notebook(tmp_path):
    """A notebook in the repository's format: a title, an import cell and a settings cell."""

    def code(n, source, metadata):
        return {
            "cell_type": "code",
            "execution_count": n,
            "id": f"c{n}",
            "metadata": metadata,
            "outputs": [],
            "source": [source],
        }

    cells = [
        {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# Title"]},
        code(1, "import torch", {"tags": ["x"]}),
        code(2, "print(settings.summary())", {}),
    ]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path, nb


def test_stamping_inserts_the_cell_once_and_leaves_the_other_cells(tmp_path):
    path, before = small_notebook(tmp_path)
    assert colab.stamp_notebook(path, colab.cell("https://github.com/a/b"))
    after = json.loads(path.read_text(encoding="utf-8"))
    assert [c.get("id") for c in after["cells"]] == ["m1", colab.CELL_ID, "c1", "c2"]
    assert after["cells"][:1] + after["cells"][2:] == before["cells"]
    assert "".join(after["cells"][1]["source"]) == colab.cell("https://github.com/a/b")
    assert after["cells"][1]["outputs"] == [] and after["cells"][1]["execution_count"] is None
    text = path.read_text(encoding="utf-8")
    assert not colab.stamp_notebook(path, colab.cell("https://github.com/a/b"))  # a second stamp: no change
    assert path.read_text(encoding="utf-8") == text
    assert colab.stamp_notebook(path, colab.cell("https://github.com/c/d"))  # a new address: replaced
    again = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert len(again) == 4 and 'REPOSITORY = "https://github.com/c/d"' in "".join(again[1]["source"])


def test_stamping_the_readme_points_every_badge_at_the_address(tmp_path):
    readme = tmp_path / "README.md"
    old = colab.badge("01_x.ipynb", "https://github.com/OWNER/REPO")
    readme.write_text(f"| 01 | {old} |\n| 02 | {colab.badge('02_y.ipynb', 'https://github.com/x/y')} |\n")
    assert colab.stamp_readme(readme, "https://github.com/me/series")
    text = readme.read_text()
    assert colab.badge("01_x.ipynb", "https://github.com/me/series") in text
    assert colab.badge("02_y.ipynb", "https://github.com/me/series") in text and "OWNER" not in text
    assert not colab.stamp_readme(readme, "https://github.com/me/series")


def test_outside_colab_a_kernel_without_dlhelpers_is_told_the_readme_command(tmp_path):
    # -S: no site-packages, so dlhelpers (and everything else installed) is missing
    done = subprocess.run(
        [sys.executable, "-S", "-c", colab.cell()], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode != 0 and last.startswith("ModuleNotFoundError: dlhelpers is not installed")
    assert "python3 tasks.py tutorial" in last and list(tmp_path.iterdir()) == []


# -- slow: a bare kernel that believes it is on Colab -----------------------------------------------


def clone_of_the_working_tree(dest):
    """A git repository at ``dest`` holding the working tree as it is now (uncommitted edits too):
    the files git tracks or would track, committed once; what ``DLHELPERS_REPO`` points at."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes((ROOT / name).read_bytes())
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost"]
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "-A", "-f"],
        ["commit", "-q", "-m", "working tree"],
    ):
        subprocess.run(git + command, cwd=dest, check=True)
    return dest


def bare_venv(where):
    """A fresh virtual environment without dlhelpers that borrows this one's packages (torch,
    ipykernel, pip, setuptools ...) through a ``.pth`` line naming a folder of links to them, all
    but dlhelpers' own entries: neither its import hook nor its metadata is there, so ``import
    dlhelpers`` fails and pip does not see it installed. Returns the environment's python."""
    view = where / "borrowed"
    view.mkdir(parents=True)
    for entry in Path(sysconfig.get_path("purelib")).iterdir():
        if "dlhelpers" not in entry.name:
            (view / entry.name).symlink_to(entry)
    venv.EnvBuilder(with_pip=False).create(where / "venv")
    python = where / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "borrowed.pth").write_text(f"{view}\n")
    return python


FAKE_COLAB = """\
import sys
import types

colab = types.ModuleType("google.colab")
colab.calls = []
colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: colab.calls.append("widgets"))
sys.modules["google.colab"] = colab
"""

REPORT = """\
import os

import dlhelpers

print("dlhelpers:", dlhelpers.__file__)
print("cwd:", os.getcwd())
print("colab calls:", sys.modules["google.colab"].calls)
"""


def text_of(cell):
    return "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")


@pytest.mark.slow
def test_on_colab_the_cell_installs_the_series_and_notebook_01_runs(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    start = time.monotonic()
    origin = clone_of_the_working_tree(tmp_path / "series")
    python = bare_venv(tmp_path / "env")
    work = tmp_path / "content"  # Colab's /content: the kernel starts here
    work.mkdir()
    check = subprocess.run(
        [python, "-c", "import torch, ipykernel; import dlhelpers"], cwd=work, capture_output=True, text=True
    )
    assert "No module named 'dlhelpers'" in check.stderr, check.stderr[-2000:]
    outside = subprocess.run([python, "-c", colab.cell()], cwd=work, capture_output=True, text=True)
    assert "run `python3 tasks.py tutorial`" in outside.stderr, outside.stderr[-2000:]

    spec = tmp_path / "jupyter" / "kernels" / "bare"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "bare", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("DLHELPERS_REPO", str(origin))
    monkeypatch.setenv("DLHELPERS_QUICK", "1")
    for name, value in {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}.items():
        monkeypatch.setenv(
            name, value
        )  # offline: build with the borrowed setuptools (0 means "no isolation")
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "DLHELPERS_PHOTOS", "DLHELPERS_RUNS", "MPLBACKEND"):
        monkeypatch.delenv(name, raising=False)

    nb = nbformat.read(ROOT / "notebooks" / FIRST, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert nb.cells[first].source == colab.cell()
    nb.cells[first:first] = [nbformat.v4.new_code_cell(FAKE_COLAB)]
    nb.cells.insert(first + 2, copy.deepcopy(nb.cells[first + 1]))  # the setup cell, run a second time
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    NotebookClient(nb, timeout=900, kernel_name="bare", resources={"metadata": {"path": str(work)}}).execute()

    once, twice = text_of(nb.cells[first + 1]), text_of(nb.cells[first + 2])
    assert f"Installing the series from {origin} into {work / 'series'}" in once, once
    assert "Installing" not in twice and twice.startswith("data: MNIST from"), twice
    assert once.splitlines()[-1] == twice.splitlines()[-1]
    report = text_of(nb.cells[-1])
    assert f"dlhelpers: {work / 'series' / 'dlhelpers' / '__init__.py'}" in report, report
    assert f"cwd: {work / 'series' / 'notebooks'}" in report and "['widgets', 'widgets']" in report
    assert (work / "series" / ".git").is_dir()
    assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    print(f"\nColab cell + notebook 01 (quick) in a bare kernel: {time.monotonic() - start:.0f} s")
