#!/usr/bin/env python3
"""Set up and run the series with nothing but Python >= 3.10.

    python3 tasks.py tutorial   # make .venv if missing, install, open JupyterLab on notebooks/
    python3 tasks.py test       # make .venv if missing, install with [dev], run the whole test suite

Extra arguments after ``test`` go to pytest (e.g. ``python3 tasks.py test -k data``).
"""

import hashlib
import os
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


def main(argv):
    task = argv[0] if argv else "help"
    if task == "tutorial":
        setup("")
        as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        run(PY, "-m", "jupyter", "lab", "notebooks", *as_root, cwd=ROOT)
    elif task == "test":
        setup("dev")
        env = dict(os.environ, DLHELPERS_QUICK="1")
        shared = ROOT.parent / "shared" / "data"
        if "DLHELPERS_DATA" not in env and shared.is_dir():
            env["DLHELPERS_DATA"] = str(shared)
        run(PY, "-m", "pytest", *argv[1:], cwd=ROOT, env=env)
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
