"""Notebook 04 as a slideshow in a real browser: the chapter's steps, then the live slider.

JupyterLab in headless Chromium, driven by playwright (see test_browser.py for the set-up), with
jupyterlab-slideshow (a dependency of the series). A copy of ``notebooks/04_interpolation.ipynb``
with the class switch on (``plot.presentation(True)``, what an instructor sets) runs all its cells
in quick mode; then, as a presenter would: select the title, click the notebook toolbar's slideshow
button, press Space until the interpolation slider's slide shows (passing every ``##`` step of the
chapter on the way), drag the slider's handle and check the blended face changes. The slider must be on screen whole, its faces at least ``FACE_PX`` wide. Screenshots and
the slides walked go to ``tests/artifacts/slides_*`` (git-ignored): look at them.
"""

import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from browser_helpers import grey_spread, lab_page, shown_images
from test_browser import chromium, open_notebook, run_all_cells, wait_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # a real JupyterLab and browser: about a minute

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_interpolation.ipynb"
ARTIFACTS = ROOT / "tests" / "artifacts"
RUN_WAIT_S = 300  # Run All until the last cell has run: kernel start, faces, quick-mode cells
CLASS_SWITCH = ("plot.presentation(False)", "plot.presentation(True)")
MAX_SLIDES = 40  # slides walked before giving up on reaching the slider
FACE_PX = 280  # each face's width on the slide under plot.presentation(True): about 5 × 64 px
VIEWPORT = {"width": 1280, "height": 900}


def class_copy(folder):
    """Notebook 04 copied into ``folder``/notebooks with the class switch on, ``data`` and what
    ``files`` holds linked beside it, but its figures copied (JupyterLab serves no file that a
    link leads out of its folder to, and the markdown shows one). Returns (the copy, the ``##``
    headings in order)."""
    (folder / "notebooks").mkdir(parents=True)
    (folder / "data").symlink_to(ROOT / "data")
    for path in (ROOT / "files").iterdir():
        if path.name == "figures":
            shutil.copytree(path, folder / "files" / "figures")
        else:
            (folder / "files").mkdir(exist_ok=True)
            (folder / "files" / path.name).symlink_to(path)
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    switched = 0
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        switched += text.count(CLASS_SWITCH[0])
        cell["source"] = text.replace(*CLASS_SWITCH)
    assert switched == 1, f"notebook 04 should have one {CLASS_SWITCH[0]} line for the class, has {switched}"
    copy = folder / "notebooks" / NOTEBOOK.name
    copy.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    headings = [
        line[3:].strip()
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("## ")
    ]
    return copy, headings


def on_slide(page):
    """The cells on the slide shown now."""
    return page.locator(".jp-Notebook .jp-Cell.jp-deck-mod-visible")


def slide_title(page):
    """The first line of the slide's first cell (its heading, for a markdown slide)."""
    cells = on_slide(page)
    cells.first.wait_for(timeout=10_000)
    return cells.first.inner_text().strip().splitlines()[0].replace("¶", "").strip()


def next_slide(page, title, presses=10):
    """Press Space (the presenter's key) until the slide changes: Space also steps through the
    cells of a slide. Returns (the next slide's title, the presses it took)."""
    for n in range(1, presses + 1):
        page.keyboard.press("Space")
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            page.wait_for_timeout(100)
            now = slide_title(page)
            if now != title:
                return now, n
    raise AssertionError(f"{presses} presses of Space did not leave the slide {title!r}")


def pixels(png):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB").tobytes()


def drag_right(page, handle, dx):
    """Drag the slider's handle ``dx`` screen pixels to the right with the mouse."""
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=12)
    page.mouse.up()


def test_the_slideshow_of_04_reaches_the_live_slider_and_it_redraws(chromium, tmp_path):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    notebook, headings = class_copy(tmp_path / "root")
    timings, start = {}, time.monotonic()
    env = {"DLHELPERS_QUICK": "1", "DLHELPERS_RUNS": str(tmp_path / "runs")}
    with lab_page(
        tmp_path / "root",
        tmp_path / "lab",
        chromium,
        env,
        height=VIEWPORT["height"],
        failure_png=ARTIFACTS / "slides_failure.png",
    ) as (lab, page):
        open_notebook(page, lab, notebook)
        run_all_cells(page)
        wait_for(page, page.locator(".widget-slider .noUi-handle").first, "slider", RUN_WAIT_S)
        page.get_by_text(re.compile(r"\| Idle$")).wait_for(timeout=RUN_WAIT_S * 1000)  # all cells ran
        timings["run_all_s"] = round(time.monotonic() - start, 1)

        # --- the presenter: the title selected, the toolbar's slideshow button, Space to the slider
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Escape")  # command mode: the keys move through the slides
        page.locator(".jp-NotebookPanel-toolbar [data-command='deck:toggle']").first.click()
        page.locator("body[data-jp-deck-mode='presenting']").wait_for(state="attached", timeout=10_000)
        walked, presses = [slide_title(page)], 0
        page.screenshot(path=ARTIFACTS / "slides_04_title.png")
        slider = on_slide(page).locator(".widget-slider .noUi-handle")
        while not (slider.count() and slider.first.is_visible()):
            assert len(walked) < MAX_SLIDES, f"no slider after {MAX_SLIDES} slides: {walked}"
            title, n = next_slide(page, walked[-1])
            walked.append(title)
            presses += n
        timings.update(slides_to_the_slider=len(walked) - 1, space_presses=presses)
        timings["walk_s"] = round(time.monotonic() - start, 1)
        assert [t for t in walked if t in headings] == headings, (headings, walked)  # every step

        # --- the slider's slide: all of it on screen, faces a class can see, the face redrawn
        handle = slider.first
        widget = handle.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][.//img][1]")
        page.wait_for_timeout(500)  # the slide's transition has ended
        box = widget.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], f"slider off screen: {box}"
        widths = [img.bounding_box()["width"] for img in widget.locator("img").all()]
        assert min(widths) >= FACE_PX, f"faces {widths} px wide on the slide, want >= {FACE_PX}"
        before = shown_images(widget)
        faces_before = [img.screenshot() for img in widget.locator("img").all()]
        page.screenshot(path=ARTIFACTS / "slides_04_slider_before.png")
        track = widget.locator(".widget-slider .noUi-target").first.bounding_box()
        drag_right(page, handle, 0.6 * track["width"])
        deadline = time.monotonic() + 30
        while shown_images(widget) == before and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        page.wait_for_timeout(800)  # the last redraw of the drag lands
        after = shown_images(widget)
        changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
        assert changed, "no face changed after dragging the slider"
        face = widget.locator("img").nth(changed[0]).screenshot()
        (ARTIFACTS / "slides_04_face_before.png").write_bytes(faces_before[changed[0]])
        (ARTIFACTS / "slides_04_face_after.png").write_bytes(face)
        assert pixels(face) != pixels(faces_before[changed[0]]) and grey_spread(face) > 10, (
            "blank or same face"
        )
        readout = widget.locator(".widget-readout").first.inner_text()
        assert float(readout) > 0.3, f"the slider reads {readout} after the drag"
        assert on_slide(page).locator(".widget-slider").count(), "the drag left the slider's slide"
        page.screenshot(path=ARTIFACTS / "slides_04_slider_after.png")
        timings.update(total_s=round(time.monotonic() - start, 1), readout=readout, faces_px=widths)
    timings["slides"] = walked
    (ARTIFACTS / "slides_timings.json").write_text(json.dumps(timings, indent=1, ensure_ascii=False))
    print("slideshow browser test:", json.dumps(timings, ensure_ascii=False))
