"""The first code cell of every notebook (the same text in all six) and the README's Colab badges,
both made from the one place that keeps the series' address: ``Repository`` under ``[project.urls]``
in ``pyproject.toml``.

    python -m dlhelpers colab     # (re)write the cell into notebooks/*.ipynb and the badges into README.md

The cell makes ``dlhelpers`` importable: when it is missing on Colab it clones the repository
(``$DLHELPERS_REPO`` overrides the address; the tests point it at a local clone) into
``/content/<name>``, installs it with ``pip install -e`` and imports it; when it is missing anywhere
else it stops with one sentence naming the README's command. Then, on Colab, it moves into the
clone's ``notebooks/`` (where the notebooks' relative paths start) and lets Colab show ipympl's
live figures; everywhere it prints where the data comes from (``data.where_from``). ``PHOTOS``, its
one setting, names a folder of the book's photos (on Colab, one on a mounted Google Drive).
Running it again does nothing new: once ``dlhelpers`` imports, nothing is cloned or installed.
"""

import json
import re
from pathlib import Path

from dlhelpers import settings
from dlhelpers.errors import UserError

BRANCH = "main"  # the branch the README's badges open
BADGE_IMAGE = "docs/open-in-colab.svg"  # kept in the repository, so the HTML site loads nothing from outside
MARK = "# Setup, the same in every notebook"  # the cell's first line, how a stamped notebook is recognised
CELL_ID = "setup"
COLAB_PREFIX = re.compile(
    r"https://colab\.research\.google\.com/github/[^/\s)]+/[^/\s)]+/blob/[^/\s)]+/notebooks/"
)

CELL = '''\
# Setup, the same in every notebook: makes dlhelpers importable (on Colab it clones this series and
# installs it) and says where the data comes from. Run again, it clones and installs nothing.
PHOTOS = ""  # a folder of the book's photos in G/ and NoG/, e.g. "/content/drive/MyDrive/glasses"
REPOSITORY = "@REPOSITORY@"  # where Colab gets the series (DLHELPERS_REPO overrides)

import os
import subprocess
import sys
from pathlib import Path

COLAB = "google.colab" in sys.modules
if PHOTOS:
    os.environ["DLHELPERS_PHOTOS"] = PHOTOS
    if COLAB and PHOTOS.startswith("/content/drive"):
        from google.colab import drive

        drive.mount("/content/drive")


def sh(*command):
    """Run a command; if it fails, stop with the end of what it printed on stderr."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\\n{done.stderr[-2000:]}")


try:
    import dlhelpers
except ModuleNotFoundError as missing:
    if missing.name != "dlhelpers":
        raise
    if not COLAB:
        raise ModuleNotFoundError(
            "dlhelpers is not installed for this kernel: run `python3 tasks.py tutorial` in the "
            "repository (README, Quick start), which installs it and opens JupyterLab with it."
        ) from None
    repo = os.environ.get("DLHELPERS_REPO", REPOSITORY)
    home = Path.cwd() / Path(repo).name.removesuffix(".git")  # /content/REPO on Colab
    print(f"Installing the series from {repo} into {home} (a minute or two) ...")
    if not home.is_dir():
        sh("git", "clone", "--depth=1", repo, str(home))
    sh(sys.executable, "-m", "pip", "install", "--quiet", "--editable", str(home))
    sys.path.insert(0, str(home))
    import dlhelpers
if COLAB:
    from google.colab import output

    output.enable_custom_widget_manager()  # lets Colab show the live figures (ipympl)
    os.chdir(Path(dlhelpers.__file__).parents[1] / "notebooks")  # where the notebooks' paths start
from dlhelpers import data

print(data.where_from(colab=COLAB))
'''


class RepositoryError(UserError, ValueError):
    """``pyproject.toml`` has no ``Repository`` under ``[project.urls]``, or not a GitHub one."""


def repository(pyproject=None):
    """The series' address: ``Repository`` under ``[project.urls]`` in ``pyproject`` (default: the
    project's), e.g. ``https://github.com/OWNER/REPO``. Raises ``RepositoryError`` without one."""
    path = Path(pyproject or settings.PROJECT / "pyproject.toml")
    section = re.search(r"^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)", path.read_text(), re.M | re.S)
    found = section and re.search(r'^Repository\s*=\s*"([^"]+)"', section.group(1), re.M)
    if not found:
        raise RepositoryError(f'{settings.relative(path)} has no Repository = "..." under [project.urls].')
    return found.group(1).rstrip("/")


def cell(repo=None):
    """The first code cell's source, with ``repo`` (default: ``repository()``) as its address;
    like every notebook cell, without a final newline."""
    return CELL.replace("@REPOSITORY@", repo or repository()).rstrip("\n")


def colab_url(notebook, repo=None):
    """The address that opens ``notebook`` (a file name in notebooks/) from GitHub in Colab."""
    repo = repo or repository()
    if not repo.startswith("https://github.com/"):
        raise RepositoryError(f"Colab opens notebooks from GitHub; Repository is {repo}.")
    owner_name = repo.removeprefix("https://github.com/").removesuffix(".git")
    return f"https://colab.research.google.com/github/{owner_name}/blob/{BRANCH}/notebooks/{notebook}"


def badge(notebook, repo=None):
    """The README's markdown for ``notebook``'s "Open in Colab" badge."""
    return f"[![Open in Colab]({BADGE_IMAGE})]({colab_url(notebook, repo)})"


def stamp_notebook(path, source):
    """Make ``source`` the first code cell of the notebook at ``path``: replace the cell when the
    notebook has it (its first code cell starts with ``MARK``), else insert it before the first
    code cell. Other cells are left as they are; the file keeps its format (JSON, indent 1, UTF-8).
    Returns True when the file changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    lines = source.splitlines(keepends=True)
    first = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    if "".join(nb["cells"][first]["source"]).startswith(MARK):
        nb["cells"][first]["source"] = lines
    else:
        new = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": lines}
        if nb.get("nbformat", 4) * 100 + nb.get("nbformat_minor", 0) >= 405:
            new["id"] = CELL_ID
        nb["cells"].insert(first, dict(sorted(new.items())))
    out = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if out != text:
        path.write_text(out, encoding="utf-8")
    return out != text


def stamp_readme(path, repo=None):
    """Point every Colab badge link in the README at ``repo`` (default: ``repository()``).
    Returns True when the file changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    prefix = colab_url("", repo)
    out = COLAB_PREFIX.sub(prefix, text)
    if out != text:
        path.write_text(out, encoding="utf-8")
    return out != text


def stamp(root=None):
    """Write the cell into every ``notebooks/*.ipynb`` under ``root`` (default: the project) and the
    address into the README's badges; returns the paths that changed."""
    root = Path(root or settings.PROJECT)
    repo = repository(root / "pyproject.toml")
    changed = [p for p in sorted((root / "notebooks").glob("*.ipynb")) if stamp_notebook(p, cell(repo))]
    return changed + ([root / "README.md"] if stamp_readme(root / "README.md", repo) else [])
