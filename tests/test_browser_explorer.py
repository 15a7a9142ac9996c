"""Notebook 06 in a real browser: the face editor, the code map and a GIF button, used as a person
uses them (JupyterLab in headless Chromium, driven by playwright; see test_browser.py for the set-up).

Run All Cells in a copy of ``notebooks/06_explore_the_latent_space.ipynb`` (quick mode), then: move
two of the editor's sliders with the keyboard and check the edited face changes and is not blank;
click one more face into the book's shop (figure 7.1) and check its result changes; move the
glasses shop's strength and check its face changes; click two points on the ipympl code map and check the decoded pick and the interpolation strip
appear; press the map's "save GIF" button and check an animated image shows. Screenshots go to
``tests/artifacts/explorer_*.png`` (git-ignored): look at them.
"""

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from browser_helpers import grey_spread, lab_page, shown_images
from test_browser import chromium, open_notebook, run_all_cells, wait_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # a real JupyterLab and browser: a minute or two

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06_explore_the_latent_space.ipynb"
ARTIFACTS = ROOT / "tests" / "artifacts"
RUN_WAIT_S = 300  # Run All until the widgets show: kernel start, faces, quick-mode cells
PRESSES = 5  # ArrowRight presses per slider: 0.5 spreads


def changed(page, widget, before, timeout_s=30):
    """The widget's visible image sources once they differ from ``before`` (or fail)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = shown_images(widget)
        if now != before:
            page.wait_for_timeout(500)  # let the last redraw land
            return shown_images(widget)
        page.wait_for_timeout(100)
    raise AssertionError(f"no image changed within {timeout_s} s")


def test_editor_map_and_gif_button_work_in_jupyterlab(chromium, tmp_path):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    for name in ("files", "data"):
        (root / name).symlink_to(ROOT / name)
    notebook = Path(shutil.copy(NOTEBOOK, root / "notebooks" / NOTEBOOK.name))
    timings, start = {}, time.monotonic()
    env = {"DLHELPERS_QUICK": "1", "DLHELPERS_RUNS": str(tmp_path / "runs")}
    with lab_page(
        root, tmp_path / "lab", chromium, env, height=1000, failure_png=ARTIFACTS / "explorer_failure.png"
    ) as (lab, page):
        open_notebook(page, lab, notebook)
        run_all_cells(page)
        handle = wait_for(
            page, page.locator(".widget-slider .noUi-handle").first, "editor slider", RUN_WAIT_S
        )
        timings["run_all_until_editor_s"] = round(time.monotonic() - start, 1)

        # --- the face editor: two sliders moved with the keyboard
        editor = handle.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][.//img][1]")
        editor.scroll_into_view_if_needed()
        before = shown_images(editor)
        face = editor.locator("img").nth(1)  # "edited" (after "start")
        face_before = face.screenshot()
        editor.screenshot(path=ARTIFACTS / "explorer_editor_before.png")
        for k in (0, 1):
            h = editor.locator(".widget-slider .noUi-handle").nth(k)
            h.focus()
            for _ in range(PRESSES):
                h.press("ArrowRight")
        after = changed(page, editor, before)
        assert after[1] != before[1], "the edited face did not change"
        face_after = face.screenshot()
        editor.screenshot(path=ARTIFACTS / "explorer_editor_after.png")
        (ARTIFACTS / "explorer_face_after.png").write_bytes(face_after)
        assert face_after != face_before and grey_spread(face_after) > 10, "blank or unchanged face"
        readouts = editor.locator(".widget-readout").all_inner_texts()
        assert readouts[:2] == ["0.5", "0.5"], readouts
        timings["editor_s"] = round(time.monotonic() - start, 1)

        # --- the book's shop (figure 7.1): one more face clicked into "women without"
        book = page.locator(
            ".widget-vbox", has=page.locator(".widget-toggle-buttons", has_text="women without")
        ).first  # the shop itself (its gallery, a VBox inside it, holds the same buttons)
        book.scroll_into_view_if_needed()
        before, result = shown_images(book), book.locator("img").nth(3)  # z1, z2, z3, result
        book.get_by_text(re.compile("the judge sees")).first.wait_for(timeout=30_000)  # the verdict
        result_before, women = result.screenshot(), re.compile(r"women without: (\d+)/")
        picked = int(women.search(book.inner_text()).group(1))
        book.locator(".widget-toggle-button", has_text="women without").click()
        book.locator(".widget-gridbox button").last.click()  # a face no role holds yet
        after = changed(page, book, before)
        assert after[3] != before[3], "the result did not change"
        result_after = result.screenshot()
        (ARTIFACTS / "explorer_book_shop_result.png").write_bytes(result_after)
        book.screenshot(path=ARTIFACTS / "explorer_book_shop.png")
        assert result_after != result_before and grey_spread(result_after) > 10, "blank or unchanged result"
        assert int(women.search(book.inner_text()).group(1)) == picked + 1, "the click added no face"
        timings["book_shop_s"] = round(time.monotonic() - start, 1)

        # --- the glasses shop: the strength slider, the judge's probability under the face
        shop = page.locator(
            ".widget-vbox", has=page.locator(".widget-toggle-buttons", has_text="take glasses off")
        ).last
        shop.scroll_into_view_if_needed()
        before, line = shown_images(shop), shop.inner_text()
        assert "glasses probability" in line, line
        h = shop.locator(".widget-slider .noUi-handle").first
        h.focus()
        for _ in range(PRESSES):
            h.press("ArrowRight")
        changed(page, shop, before)
        shop.screenshot(path=ARTIFACTS / "explorer_shop.png")
        assert shop.locator(".widget-readout").first.inner_text() == "1.5"
        timings["shop_s"] = round(time.monotonic() - start, 1)

        # --- the code map: two clicks inside the axes
        canvas = wait_for(page, page.locator(".jupyter-matplotlib-canvas-div").first, "code map", 60)
        cmap = canvas.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][.//img][1]")
        page.get_by_text(re.compile(r"\| Idle$")).wait_for(timeout=RUN_WAIT_S * 1000)
        page.wait_for_timeout(1000)  # every cell has run: the page stops scrolling
        before = shown_images(cmap)
        for fx in (0.3, 0.5):  # inside the axes (the legend is on the right)
            canvas.scroll_into_view_if_needed()
            box = canvas.bounding_box()  # measured where it is now
            page.mouse.click(box["x"] + fx * box["width"], box["y"] + 0.5 * box["height"])
            page.wait_for_timeout(300)
        after = changed(page, cmap, before)
        deadline = time.monotonic() + 20
        while len(after) < len(before) + 1 and time.monotonic() < deadline:  # the strip
            page.wait_for_timeout(200)
            after = shown_images(cmap)
        assert len(after) == len(before) + 1, "no interpolation strip appeared"
        strip = cmap.locator("img").nth(1)
        picked, strip_png = cmap.locator("img").first.screenshot(), strip.screenshot()
        (ARTIFACTS / "explorer_map_strip.png").write_bytes(strip_png)
        assert grey_spread(picked) > 10 and grey_spread(strip_png) > 10, "blank pick or strip"
        assert "from code" in cmap.inner_text()
        cmap.screenshot(path=ARTIFACTS / "explorer_map.png")
        timings["map_s"] = round(time.monotonic() - start, 1)

        # --- the map's GIF button
        cmap.locator("button", has_text="save GIF").click()
        gif = cmap.locator("img[src^='blob:']").last
        deadline = time.monotonic() + 30
        while len(shown_images(cmap)) < len(after) + 1 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert len(shown_images(cmap)) == len(after) + 1, "no GIF shown after the button"
        assert "saved" in cmap.inner_text() and ".gif" in cmap.inner_text()
        gif_png = cmap.locator("img").last.screenshot()
        (ARTIFACTS / "explorer_gif.png").write_bytes(gif_png)
        assert gif.count() and grey_spread(gif_png) > 10, "the GIF is blank"
        page.screenshot(path=ARTIFACTS / "explorer_page.png")
        timings["gif_s"] = round(time.monotonic() - start, 1)
    (ARTIFACTS / "explorer_timings.json").write_text(json.dumps(timings, indent=1))
    print("explorer browser test timings:", json.dumps(timings))
