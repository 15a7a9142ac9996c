"""Student copies (issue 12): solution cells become stubs, outputs go, the rest stays."""

import json

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlhelpers import settings
from dlhelpers.tools.student_copies import MARKDOWN_STUB, SOLUTION_TAG, student_copy, write_student_copies

SOLUTION_LINE = "answer = [n * n for n in range(1, 4)]"
WIDGETS = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}


def solved_notebook(tagged=True):
    """A small solved notebook: setup cell, exercise text, solution, a cell after it."""
    cells = [
        new_code_cell(
            "open('ran.txt', 'w').write('yes')\nprint('before the exercise')",
            execution_count=1,
            outputs=[new_output("stream", name="stdout", text="before the exercise\n")],
        ),
        new_markdown_cell("## Exercise\nSquare the numbers 1 to 3."),
        new_code_cell(
            f"# Square the numbers 1 to 3 into `answer`.\n{SOLUTION_LINE}\nprint(answer)",
            execution_count=2,
            metadata={"tags": [SOLUTION_TAG]} if tagged else {},
            outputs=[new_output("stream", name="stdout", text="[1, 4, 9]\n")],
        ),
        new_code_cell(
            "print('after the exercise')",
            execution_count=3,
            outputs=[new_output("execute_result", data={"text/plain": "'x'"}, execution_count=3)],
        ),
    ]
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "widgets": WIDGETS,
        },
    )
    nbformat.validate(nb)
    return nb


def run_until_error(nb, cwd, timeout=60):
    """Execute ``nb`` in place; return (index, ename) of the cell that failed, or None."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except CellExecutionError:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    return i, out.ename
        raise
    return None


def leaked_lines(solved, copy):
    """Code lines of the solution cells of ``solved`` found in ``copy`` (comment lines and
    lines that other cells of ``solved`` also contain are not counted)."""

    def code_lines(cells):
        return {
            line.strip()
            for c in cells
            for line in c.source.splitlines()
            if line.strip() and not line.strip().startswith("#")
        }

    tagged = [c for c in solved.cells if SOLUTION_TAG in c.metadata.get("tags", [])]
    others = [c for c in solved.cells if c not in tagged]
    secret = code_lines(tagged) - code_lines(others)
    copied = code_lines(copy.cells)
    return sorted(secret & copied)


def test_solution_replaced_by_stub_and_everything_else_kept():
    solved = solved_notebook()
    copy = student_copy(solved)
    nbformat.validate(copy)
    text = json.dumps(copy)
    assert SOLUTION_LINE not in text and "print(answer)" not in text
    stub = copy.cells[2]
    assert stub.metadata["tags"] == [SOLUTION_TAG]
    assert stub.source.splitlines() == [
        "# Exercise: write your solution here (see the exercise text above).",
        "# Square the numbers 1 to 3 into `answer`.",
        'raise NotImplementedError("Exercise: replace this line with your solution")',
    ]
    for before, after in zip(solved.cells, copy.cells):
        assert after.id == before.id and after.cell_type == before.cell_type
        if after is not stub:
            assert after.source == before.source
        if after.cell_type == "code":
            assert after.outputs == [] and after.execution_count is None
    assert "widgets" not in copy.metadata
    assert copy.metadata.kernelspec == solved.metadata.kernelspec
    # the original is untouched
    assert SOLUTION_LINE in solved.cells[2].source and solved.cells[0].outputs
    assert "widgets" in solved.metadata


def test_stub_without_comment_has_no_hint():
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["solution", "other"]})])
    stub = student_copy(nb).cells[0]
    assert stub.source.splitlines()[0].startswith("# Exercise:")
    assert len(stub.source.splitlines()) == 2 and "x = 1" not in stub.source
    assert stub.metadata["tags"] == ["solution", "other"]


def test_copy_runs_until_the_stub_then_raises(tmp_path):
    copy = student_copy(solved_notebook())
    assert run_until_error(copy, tmp_path) == (2, "NotImplementedError")
    assert (tmp_path / "ran.txt").read_text() == "yes"
    assert copy.cells[0].outputs[0].text == "before the exercise\n"
    assert copy.cells[3].outputs == []  # not reached


def test_write_student_copies(tmp_path, capsys):
    src, dest = tmp_path / "solved", tmp_path / "out" / "students"
    src.mkdir()
    nbformat.write(solved_notebook(), src / "b_exercise.ipynb")
    nbformat.write(solved_notebook(tagged=False), src / "a_plain.ipynb")
    (src / "notes.txt").write_text("not a notebook")
    written = write_student_copies(src, dest)
    assert written == [dest / "a_plain.ipynb", dest / "b_exercise.ipynb"]
    assert sorted(p.name for p in dest.iterdir()) == ["a_plain.ipynb", "b_exercise.ipynb"]
    out = capsys.readouterr().out
    assert "a_plain.ipynb: 0 solution" in out and "b_exercise.ipynb: 1 solution" in out
    assert SOLUTION_LINE not in (dest / "b_exercise.ipynb").read_text()
    assert SOLUTION_LINE in (dest / "a_plain.ipynb").read_text()  # untagged: kept
    for path in written:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")
    assert SOLUTION_LINE in (src / "b_exercise.ipynb").read_text()  # source untouched


def test_refuses_to_write_into_the_source_folder(tmp_path):
    nbformat.write(solved_notebook(), tmp_path / "nb.ipynb")
    before = (tmp_path / "nb.ipynb").read_text()
    with pytest.raises(ValueError, match="overwrite"):
        write_student_copies(tmp_path, tmp_path / "." / "")
    with pytest.raises(ValueError, match="overwrite"):
        write_student_copies(tmp_path, tmp_path / "sub" / "..")
    assert (tmp_path / "nb.ipynb").read_text() == before


def test_no_solution_cell_anywhere_is_an_error(tmp_path):
    src = tmp_path / "solved"
    src.mkdir()
    nbformat.write(solved_notebook(tagged=False), src / "nb.ipynb")
    with pytest.raises(ValueError, match="cell tag 'solution'.*property inspector"):
        write_student_copies(src, tmp_path / "students")
    assert not (tmp_path / "students").exists()


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no notebooks"):
        write_student_copies(tmp_path, tmp_path / "students")


@pytest.mark.slow
def test_real_notebooks(tmp_path, monkeypatch):
    folder = settings.PROJECT / "notebooks"
    solved = {p.name: nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))}
    if not any(SOLUTION_TAG in c.metadata.get("tags", []) for nb in solved.values() for c in nb.cells):
        pytest.skip("no cell of notebooks/*.ipynb is tagged 'solution' yet")
    written = write_student_copies(folder, tmp_path)
    assert [p.name for p in written] == list(solved)
    monkeypatch.setenv("DLHELPERS_QUICK", "1")
    for path in written:
        copy = nbformat.read(path, as_version=4)
        nb = solved[path.name]
        for cell in nb.cells:
            if SOLUTION_TAG in cell.metadata.get("tags", []):
                assert all(cell.source.strip() not in c.source for c in copy.cells), path.name
        assert leaked_lines(nb, copy) == [], path.name
        stubs = [
            i
            for i, c in enumerate(copy.cells)
            if c.cell_type == "code" and SOLUTION_TAG in c.metadata.get("tags", [])
        ]
        failed = run_until_error(copy, folder, timeout=600)
        if stubs:
            assert failed == (stubs[0], "NotImplementedError"), path.name
        else:
            assert failed is None, path.name


def test_a_tagged_markdown_answer_is_replaced_too():
    nb = solved_notebook()
    answer = new_markdown_cell(
        "The squares are 1, 4 and 9, because squaring multiplies.", metadata={"tags": [SOLUTION_TAG]}
    )
    nb.cells.append(answer)
    copy = student_copy(nb)
    assert copy.cells[-1].source == MARKDOWN_STUB and "squaring" not in nbformat.writes(copy)
    assert copy.cells[1].source == nb.cells[1].source  # the exercise text stays
