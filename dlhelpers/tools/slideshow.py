"""Slide metadata for the class notebooks 03, 04 and 06: which cells start a slide.

jupyterlab-slideshow (installed with the series) presents a notebook inside JupyterLab, so its live
widgets keep working on their slides. Like RISE and ``nbconvert --to slides`` it reads each cell's
``metadata["slideshow"]["slide_type"]``:

    slide      starts a slide (one step of the chapter: a ``##`` heading)
    subslide   starts a slide below it (a part of that step: a figure, a widget, an answer)
    -          continues the slide above: written as no slide type, which nbconvert and RISE read
               as "-" and jupyterlab-slideshow as "continue" (a cell marked "-" it does not show)
    skip       not shown (the setup and the imports)

Space steps through the cells, slide after slide (the arrows: → next slide, ↓ next subslide).

``PLAN`` names, by the first line of their source, the cells whose type differs from
``default_type``: a markdown cell with a ``#`` or ``##`` heading line starts a slide, one that
opens with a ``###`` heading a subslide, the setup cell (``colab.MARK``) and a code cell of
imports only are skipped, every other cell continues the slide above. A cell that shows a live
widget (``WIDGET_CALLS``) must start a slide or subslide, or follow the short text (at most
``LEAD_IN_WORDS`` words) that starts its slide.

    python -m dlhelpers.tools.slideshow            # write the plan into the notebooks' cells
    python -m dlhelpers.tools.slideshow --check    # list where the notebooks differ from it
    python -m dlhelpers.tools.slideshow --outline  # print each notebook's slides

Only cell metadata changes: sources, outputs and the files' layout (nbformat's JSON: one-space
indent, sorted keys, UTF-8, a final newline) stay as they are.
"""

import argparse
import json
import re
import sys

from dlhelpers import settings
from dlhelpers.tools.colab import MARK as SETUP_MARK

NOTEBOOKS = settings.PROJECT / "notebooks"
# first line of a cell's source (its start) -> slide type, where it differs from default_type
PLAN = {
    "03_encoding_arithmetic.ipynb": {
        "> **Photos or drawn faces.**": "subslide",
        "recipe = recipes.CLAIMS": "subslide",  # the set-up: mode, faces and model in use
        "The book chooses its twelve faces": "subslide",  # the book's galleries
        "**Average codes**": "subslide",  # figure 7.9
        "**The arithmetic**": "subslide",
        "z = arithmetic(": "subslide",  # figure 7.10
        "# Exercise 7.1: each expression": "subslide",
        "**Worked answers.**": "subslide",
        "picker = gallery.faces_picker(": "subslide",  # live: the gallery picker
    },
    "04_interpolation.ipynb": {
        "> **Photos or drawn faces.**": "subslide",
        "recipe = recipes.CLAIMS": "subslide",
        "WEIGHTS = [": "subslide",  # figure 7.11
        'if "frame" in': "subslide",  # figure 7.2
        "# Exercise 7.2:": "subslide",
        "**Worked answer.**": "subslide",
        "plot.presentation(": "subslide",  # live: the interpolation slider
        "**(b)**": "subslide",  # live: the arithmetic sliders, right under this line
        "**Beyond the chapter": "slide",
    },
    "06_explore_the_latent_space.ipynb": {
        "SIZE = data.vae_recipe()": "subslide",
        "editor = explorer.face_editor(": "subslide",  # live: the face editor
        "What the first three sliders do": "subslide",
        "The same editor on the MNIST VAE": "subslide",  # live: the digit editor under it
        "book_shop = arithmetic_shop.": "subslide",  # live: the book's shop (figure 7.1)
        "The second shop needs no groups.": "subslide",
        "shop = glasses_shop.glasses_shop(": "subslide",  # live: the glasses shop
        "Figure 7.2 as a still picture": "subslide",
        "labels, names = code_map.face_groups(": "subslide",  # live: the map of the codes
        "The MNIST test digits": "subslide",  # live: the digits' map under it
    },
}
WIDGET_CALLS = re.compile(
    r"\b(sliders\.\w+|gallery\.faces_picker|explorer\.face_editor|arithmetic_shop\.arithmetic_shop"
    r"|glasses_shop\.glasses_shop|code_map\.code_map)\("
)
LEAD_IN_WORDS = 40
IMPORT_LINE = re.compile(r"(import|from)\s+\S")


class SlidePlanError(ValueError):
    """A plan that names a notebook not in ``PLAN``."""


def source(cell):
    """A cell's source as one string (a JSON notebook may store it as a list of lines)."""
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def first_line(cell):
    """The first non-blank line of a cell's source, stripped ('' for an empty cell)."""
    return next((line.strip() for line in source(cell).splitlines() if line.strip()), "")


def default_type(cell):
    """The slide type of a cell that ``PLAN`` does not name (see the module's docstring)."""
    lines = [line for line in source(cell).splitlines() if line.strip()]
    if cell["cell_type"] == "markdown":
        if any(re.match(r"#{1,2} ", line) for line in lines):
            return "slide"
        return "subslide" if lines and lines[0].startswith("### ") else "-"
    if cell["cell_type"] == "code" and lines and all(IMPORT_LINE.match(line) for line in lines):
        return "skip"
    if cell["cell_type"] == "code" and source(cell).startswith(SETUP_MARK):
        return "skip"  # the setup cell: Colab's install, nothing to show a class
    return "-"


def planned_types(name, cells):
    """The slide type of each cell of notebook ``name`` (a key of ``PLAN``), in order."""
    if name not in PLAN:
        raise SlidePlanError(f"No slide plan for {name}; the plan covers {', '.join(PLAN)}.")
    plan = PLAN[name]
    types = []
    for i, cell in enumerate(cells):
        named = [kind for start, kind in plan.items() if first_line(cell).startswith(start)]
        types.append("slide" if i == 0 else named[0] if named else default_type(cell))
    return types


def slide_type(cell):
    """The slide type a cell carries now: None when it has none (which reads as "-")."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def stored(kind):
    """How the plan's ``kind`` is written into a cell: "-" as no slide type (None)."""
    return None if kind == "-" else kind


def spelled(kind):
    """A stored slide type for a message: 'slide', or no slide type."""
    return "no slide type" if kind is None else repr(kind)


def problems(name, cells):
    """What is wrong with the slides of notebook ``name``: a cell whose slide type is not the
    plan's, a plan entry that names no cell or several, a live widget that does not start its
    slide; [] when none."""
    found = []
    for start in PLAN[name]:
        hits = [i for i, cell in enumerate(cells) if first_line(cell).startswith(start)]
        if len(hits) != 1:
            found.append(f"{name}: the plan's {start!r} matches {len(hits)} cells, not 1")
    types = planned_types(name, cells)
    for i, (cell, want) in enumerate(zip(cells, types)):
        if slide_type(cell) != stored(want):
            found.append(
                f"{name}: cell {i} ({first_line(cell)[:50]!r}) has {spelled(slide_type(cell))}, "
                f"wants {spelled(stored(want))}"
            )
        if (
            cell["cell_type"] == "code"
            and WIDGET_CALLS.search(source(cell))
            and not starts_slide(cells, types, i)
        ):
            found.append(f"{name}: cell {i} shows a live widget but does not start a slide")
    return found


def starts_slide(cells, types, i):
    """True when cell ``i`` starts a slide or subslide, or follows the short markdown that does."""
    if types[i] in ("slide", "subslide"):
        return True
    before = cells[i - 1] if i else None
    return (
        types[i] == "-"
        and before is not None
        and before["cell_type"] == "markdown"
        and types[i - 1] in ("slide", "subslide")
        and len(source(before).split()) <= LEAD_IN_WORDS
    )


def with_plan(name, cells):
    """Set each cell's ``metadata["slideshow"]["slide_type"]`` to the plan's ("-": none, and no
    ``slideshow`` left when it held nothing else); returns how many cells changed. The cells'
    other metadata stays."""
    changed = 0
    for cell, want in zip(cells, planned_types(name, cells)):
        if slide_type(cell) == stored(want):
            continue
        meta = cell.setdefault("metadata", {})
        if want == "-":
            meta["slideshow"].pop("slide_type")
            if not meta["slideshow"]:
                del meta["slideshow"]
        else:
            meta.setdefault("slideshow", {})["slide_type"] = want
        changed += 1
    return changed


def dumps(nb):
    """A notebook as nbformat writes it: one-space indent, sorted keys, UTF-8 kept, final newline."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def apply(folder=NOTEBOOKS, names=None):
    """Write the plan into the notebooks under ``folder`` (those of ``PLAN``, or ``names``);
    returns {name: cells changed}. A notebook already as planned is not rewritten."""
    done = {}
    for name in names or PLAN:
        path = folder / name
        nb = json.loads(path.read_text(encoding="utf-8"))
        done[name] = with_plan(name, nb["cells"])
        if done[name]:
            path.write_text(dumps(nb), encoding="utf-8")
    return done


def check(folder=NOTEBOOKS, names=None):
    """The problems of every planned notebook under ``folder`` ([] when all are as planned)."""
    found = []
    for name in names or PLAN:
        nb = json.loads((folder / name).read_text(encoding="utf-8"))
        found += problems(name, nb["cells"])
    return found


def outline(name, cells):
    """One line per slide or subslide: its type, its first cell's index and first line."""
    types = planned_types(name, cells)
    return [
        f"{kind:8s} cell {i:2d}  {first_line(cell)[:70]}"
        for i, (cell, kind) in enumerate(zip(cells, types))
        if kind in ("slide", "subslide")
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m dlhelpers.tools.slideshow", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="list the differences from the plan; exit 1 if any"
    )
    parser.add_argument("--outline", action="store_true", help="print each notebook's slides")
    args = parser.parse_args(argv)
    if args.outline:
        for name in PLAN:
            print(name)
            nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
            print("\n".join("  " + line for line in outline(name, nb["cells"])))
        return 0
    if args.check:
        found = check()
        print("\n".join(found) or "the slides of " + ", ".join(PLAN) + " are as planned")
        return 1 if found else 0
    for name, n in apply().items():
        print(f"{settings.relative(NOTEBOOKS / name)}: {n} cells' slide type set")
    found = check()  # what the plan cannot settle: an entry that names no cell, a widget
    print("\n".join(found or ["the slides are as planned"]))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
