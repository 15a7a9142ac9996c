"""Sphinx configuration of the HTML site: ``python3 tasks.py site`` builds it (see ``build_site``).

The README is the landing page (``index.md`` includes it), the six notebooks are rendered from the
outputs committed in them (myst-nb, never executed), and ``docs/*.md`` are the reference pages the
README links to. ``tasks.py`` copies those files into a staging folder that is the source folder;
this folder only holds the configuration. Nothing is fetched at build or read time: the theme
(furo) ships its assets, and MathJax is copied from the ``sphinx-mathjax-offline`` package.
"""

import importlib.util
import shutil
from pathlib import Path

project = "Autoencoders and VAEs, hands on"
author = "the dlhelpers authors"
extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["README.md"]  # included by index.md, not a page of its own

# Markdown: $...$ maths as in JupyterLab, and GitHub-style heading anchors (the docs link to them)
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 6

# Notebooks: the committed outputs, as they are (the lead runs every notebook before a release)
nb_execution_mode = "off"
nb_merge_streams = True

smartquotes = False  # the text as the notebooks write it (and as JupyterLab shows it)

html_theme = "furo"
html_title = project
html_copy_source = False  # no _sources/ copies of the notebooks (several MB)
html_show_sphinx = False
html_show_copyright = False

# MathJax 3 from the installed package (not a CDN): the site reads offline. Only the one bundle
# the pages load and its fonts are copied (1.7 MB of the package's 24 MB).
mathjax_path = "mathjax/tex-chtml.js"
MATHJAX_FILES = ["tex-chtml.js", "output/chtml/fonts/woff-v2"]


def copy_mathjax(app, exc):
    """After a successful build, copy MathJax's bundle and fonts into ``_static/mathjax``."""
    if exc is not None:
        return
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None:
        raise RuntimeError("MathJax comes from sphinx-mathjax-offline: pip install -e .[site]")
    package = Path(spec.origin).parent
    for name in MATHJAX_FILES:
        src, dst = package / "static" / "mathjax" / name, Path(app.outdir) / "_static" / "mathjax" / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def setup(app):
    app.connect("build-finished", copy_mathjax)
