#!/usr/bin/env python3
"""Set up and run the series with nothing but Python >= 3.10.

    python3 tasks.py tutorial   # make .venv if missing, install, open JupyterLab on notebooks/
    python3 tasks.py test       # make .venv if missing, install with [dev,site], run the whole test suite
    python3 tasks.py site       # make .venv if missing, install with [site], build the HTML site

Extra arguments after ``test`` go to pytest (e.g. ``python3 tasks.py test -k data``).
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*cmd, **kw):
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def setup(extras):
    """Create .venv when missing; (re)install the package when pyproject.toml changed."""
    if sys.version_info < (3, 10):  # noqa: UP036  tasks.py runs before the install checks it
        sys.exit(f"Python 3.10 or newer is needed; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extras}]" if extras else "."
    stamp = VENV / ".dlhelpers-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    have = stamp.read_text().split() if stamp.exists() else []
    if want not in have:
        run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PY, "-m", "pip", "install", "--quiet", "-e", spec, cwd=ROOT)
        stamp.write_text("\n".join(have + [want]))


SITE = ROOT / "site"
SITE_PAGES = ["README.md", "docs/*.md", "notebooks/*.ipynb"]
IMAGE_LINK = re.compile(r"""!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img[^>]*\ssrc=\\?["']([^"'\\]+)""")


def stage_site(src):
    """Copy the site's pages, ``site/index.md`` and the local images their markdown shows into
    ``src`` (emptied first), at the same paths as in the repository; returns the pages copied.

    copy2 keeps modification times, so Sphinx rereads only the pages that changed."""
    if src.exists():
        shutil.rmtree(src)
    pages = [p for pattern in SITE_PAGES for p in sorted(ROOT.glob(pattern))]
    for page in pages:
        (src / page.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(page, src / page.relative_to(ROOT))
        for match in IMAGE_LINK.finditer(page.read_text(encoding="utf-8")):
            image = (page.parent / (match.group(1) or match.group(2))).resolve()
            if image.is_file() and image.is_relative_to(ROOT):
                (src / image.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(image, src / image.relative_to(ROOT))
    shutil.copy2(SITE / "index.md", src / "index.md")
    return pages


def build_site(build=SITE / "_build", python=PY):
    """Build the HTML site into ``build``/html from the committed notebooks (never executed), with
    ``python`` (one that has the [site] extra); returns the path of its index.html.

    ``build``/src is the staged source (see ``stage_site``), ``build``/doctrees Sphinx's cache;
    the configuration is ``site/conf.py``. Nothing is downloaded."""
    src, html, cache = Path(build) / "src", Path(build) / "html", Path(build) / "doctrees"
    stage_site(src)
    run(python, "-m", "sphinx", "-b", "html", "-q", "-c", SITE, "-d", cache, src, html, cwd=ROOT)
    return html / "index.html"


def main(argv):
    task = argv[0] if argv else "help"
    if task == "tutorial":
        setup("")
        as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        run(PY, "-m", "jupyter", "lab", "notebooks", *as_root, cwd=ROOT)
    elif task == "test":
        setup("dev,site")
        env = dict(os.environ, DLHELPERS_QUICK="1")
        shared = ROOT.parent / "shared" / "data"
        if "DLHELPERS_DATA" not in env and shared.is_dir():
            env["DLHELPERS_DATA"] = str(shared)
        run(PY, "-m", "pytest", *argv[1:], cwd=ROOT, env=env)
    elif task == "site":
        setup("site")
        index = build_site()
        print(f"The site is in {index.parent}: open {index.as_uri()}, or serve it with")
        print(f"  python3 -m http.server --directory {index.parent.relative_to(ROOT)}")
    else:
        print(__doc__)
        return 0 if task == "help" else 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as e:
        sys.exit(e.returncode)
    except KeyboardInterrupt:
        sys.exit(130)
