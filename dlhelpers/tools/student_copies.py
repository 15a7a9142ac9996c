"""Student copies of the notebooks: exercise solutions taken out, outputs cleared.

An instructor tags each solution cell with the cell tag ``solution`` (JupyterLab: select the
cell, open the property inspector, add the tag). ``write_student_copies`` then writes a copy of
every notebook in which those cells are replaced by a stub that raises ``NotImplementedError``:

    python -m dlhelpers student-copies DEST

Everything else is kept as it is: markdown cells, the other code cells' sources, cell ids.
"""

import copy
from pathlib import Path

import nbformat

from dlhelpers import settings
from dlhelpers.errors import UserError


class CopiesError(UserError, ValueError):
    """Student copies that cannot be written as asked (over the notebooks, from no notebooks,
    or from notebooks without tagged solutions)."""


SOLUTION_TAG = "solution"
STUB_COMMENT = "# Exercise: write your solution here (see the exercise text above)."
STUB_RAISE = 'raise NotImplementedError("Exercise: replace this line with your solution")'
MARKDOWN_STUB = "*The worked answer to this exercise is in the instructor's copy.*"


def is_solution(cell):
    """True for a cell tagged ``solution``: code that solves an exercise, or markdown that
    explains the answer."""
    return cell.cell_type in ("code", "markdown") and SOLUTION_TAG in cell.metadata.get("tags", [])


def stub_source(solution):
    """The source that replaces a solution: the exercise comment, the solution's first line
    when that line is a comment (the task hint), then a line that raises NotImplementedError."""
    lines = [STUB_COMMENT]
    first = solution.lstrip("\n").split("\n", 1)[0].strip()
    if first.startswith("#"):
        lines.append(first)
    lines.append(STUB_RAISE)
    return "\n".join(lines)


def student_copy(nb):
    """A deep copy of ``nb`` for students.

    Solution code cells get the stub source, solution markdown cells a line saying the answer
    is in the instructor's copy (their tags stay); every code cell loses its outputs and
    execution count; the notebook's widget state (``metadata.widgets``) is dropped.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and is_solution(cell):
            cell.source = MARKDOWN_STUB
        if cell.cell_type != "code":
            continue
        if is_solution(cell):
            cell.source = stub_source(cell.source)
        cell.outputs = []
        cell.execution_count = None
    return nb


def count_solutions(nb):
    """How many solution cells ``nb`` has."""
    return sum(is_solution(cell) for cell in nb.cells)


def write_student_copies(src_dir, dest_dir):
    """Write the student copy of every ``*.ipynb`` in ``src_dir`` (sorted) to ``dest_dir``.

    Each copy keeps its file name and is checked with ``nbformat.validate``. Prints how many
    solution cells were stubbed in each notebook and returns the written paths.

    Raises ``CopiesError`` (a ValueError) when ``dest_dir`` is ``src_dir`` (the solved notebooks would be
    overwritten), when ``src_dir`` holds no notebook, or when no notebook has a solution cell
    (most likely the tags were lost). Nothing is written in those cases.
    """
    src, dest = Path(src_dir), Path(dest_dir)
    if dest.resolve() == src.resolve():
        raise CopiesError(
            f"the student copies must go to another folder than {settings.relative(src)}: "
            "writing them there would overwrite the solved notebooks"
        )
    paths = sorted(src.glob("*.ipynb"))
    if not paths:
        raise CopiesError(f"no notebooks (*.ipynb) in {settings.relative(src)}")

    copies, counts = [], {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        counts[path.name] = count_solutions(nb)
        student = student_copy(nb)
        nbformat.validate(student)
        copies.append((path.name, student))
    if not any(counts.values()):
        raise CopiesError(
            f"none of the {len(paths)} notebooks in {settings.relative(src)} has a solution cell, so the copies "
            f"would give the solutions away: tag each solution cell with the cell tag "
            f"'{SOLUTION_TAG}' in JupyterLab's property inspector (were the tags lost?)"
        )

    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, student in copies:
        out = dest / name
        nbformat.write(student, out)
        written.append(out)
        print(f"{out}: {counts[name]} solution cell(s) stubbed")
    return written
