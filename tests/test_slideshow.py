"""Slide metadata (issue 27): notebooks 03, 04 and 06 carry the slide plan of tools.slideshow."""

import json
import re

import pytest

from dlhelpers.tools import colab, slideshow


def md(text):
    return {"cell_type": "markdown", "id": "m", "metadata": {}, "source": text}


def code(text, metadata=None):
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "c",
        "metadata": metadata or {},
        "outputs": [],
        "source": text,
    }


@pytest.fixture
def lesson(monkeypatch):
    """A small notebook and its plan: title, setup cell, imports, a step, a widget on its subslide."""
    cells = [
        md("# A lesson\n\nWhat it is about."),
        code(colab.cell("https://github.com/o/r")),
        code("import torch\n\nfrom dlhelpers import plot"),
        md("## A step\n\nSome text."),
        code("x = torch.zeros(2)\nprint(x)"),
        md("### A question"),
        code("# make the slider\nsliders.interpolation_slider(model, z1, z2)", {"tags": ["keep"]}),
    ]
    monkeypatch.setitem(slideshow.PLAN, "lesson.ipynb", {"# make the slider": "subslide"})
    return cells


def test_the_class_notebooks_carry_the_slide_plan():
    found = slideshow.check()
    assert found == [], "run `python -m dlhelpers.tools.slideshow`:\n" + "\n".join(found)


def test_planned_types_follow_the_headings_the_imports_and_the_plan(lesson):
    types = slideshow.planned_types("lesson.ipynb", lesson)
    assert types == ["slide", "skip", "skip", "slide", "-", "subslide", "subslide"]


def test_a_live_widget_must_start_its_slide(lesson, monkeypatch):
    monkeypatch.setitem(slideshow.PLAN, "lesson.ipynb", {})  # the slider continues the question
    slideshow.with_plan("lesson.ipynb", lesson)
    assert slideshow.problems("lesson.ipynb", lesson) == []  # "### A question" is a short lead-in
    lesson[5]["source"] = "### A question\n\n" + "word " * slideshow.LEAD_IN_WORDS
    slideshow.with_plan("lesson.ipynb", lesson)
    assert slideshow.problems("lesson.ipynb", lesson) == [
        "lesson.ipynb: cell 6 shows a live widget but does not start a slide"
    ]


def test_a_stale_plan_entry_and_a_missing_type_are_reported(lesson, monkeypatch):
    monkeypatch.setitem(slideshow.PLAN, "lesson.ipynb", {"# make the slider": "subslide", "gone(": "slide"})
    found = slideshow.problems("lesson.ipynb", lesson)
    assert "lesson.ipynb: the plan's 'gone(' matches 0 cells, not 1" in found
    assert "lesson.ipynb: cell 0 ('# A lesson') has no slide type, wants 'slide'" in found


def test_apply_changes_only_the_metadata_and_keeps_the_layout(lesson, tmp_path):
    nb = {
        "cells": lesson,
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "lesson.ipynb"
    path.write_text(slideshow.dumps(nb), encoding="utf-8")
    assert slideshow.apply(tmp_path, ["lesson.ipynb"]) == {"lesson.ipynb": 6}
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n "cells": [\n  {\n   "cell_type"' in text  # nbformat's layout
    written = json.loads(text)
    assert written["cells"][6]["metadata"] == {"slideshow": {"slide_type": "subslide"}, "tags": ["keep"]}
    for cell in written["cells"]:
        cell["metadata"].pop("slideshow", None)
    assert written == json.loads(slideshow.dumps(nb))  # sources, outputs, other metadata as they were
    before = path.stat().st_mtime_ns
    assert slideshow.apply(tmp_path, ["lesson.ipynb"]) == {"lesson.ipynb": 0}
    assert path.stat().st_mtime_ns == before  # as planned already: not rewritten
    assert slideshow.check(tmp_path, ["lesson.ipynb"]) == []


def test_continue_is_written_as_no_slide_type(lesson):
    """jupyterlab-slideshow hides a cell marked "-": "continue" is a cell without a slide type."""
    slideshow.with_plan("lesson.ipynb", lesson)
    assert "slideshow" not in lesson[4]["metadata"]
    lesson[4]["metadata"]["slideshow"] = {"slide_type": "-"}
    assert slideshow.problems("lesson.ipynb", lesson) == [
        "lesson.ipynb: cell 4 ('x = torch.zeros(2)') has '-', wants no slide type"
    ]
    assert slideshow.with_plan("lesson.ipynb", lesson) == 1 and "slideshow" not in lesson[4]["metadata"]


def test_a_notebook_without_a_plan_is_refused():
    with pytest.raises(slideshow.SlidePlanError, match="No slide plan for 01_x.ipynb"):
        slideshow.planned_types("01_x.ipynb", [])


def test_the_command_checks_and_outlines(capsys):
    assert slideshow.main(["--check"]) == 0
    assert "are as planned" in capsys.readouterr().out
    assert slideshow.main(["--outline"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"04_interpolation.ipynb\n  slide    cell  0  # 04 ", out), out
    assert re.search(r"subslide cell +\d+  plot\.presentation\(", out), out  # the slider's slide
