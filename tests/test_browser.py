"""One real-browser test: in JupyterLab, moving an interpolation slider redraws the face it shows.

Headless Chromium (Debian's ``/usr/bin/chromium``, installed with ``apt-get install -y chromium``
when missing: about a minute, which happens inside the test run on a fresh CI machine) is driven by
the PyPI ``playwright`` package; playwright never downloads a browser. The test is skipped, with the
reason, where Chromium cannot be had (not root, no apt) or playwright is not installed.

The notebook is ``notebooks/04_interpolation.ipynb`` when it exists (its first widget is
``sliders.interpolation_slider``), otherwise a scratch notebook written by
``browser_helpers.write_scratch_notebook`` (two painted faces, a VAE fitted to them for a few
seconds, the slider). Either way JupyterLab serves a copy in a temporary folder, with
``DLHELPERS_QUICK=1``, so nothing in the repository is written. The test clicks Run -> Run All
Cells, waits for the first ``.widget-slider`` on the page, presses ArrowRight on its handle and
checks that the face image changes. Screenshots (kept, git-ignored) and timings are written to
``tests/artifacts/browser_*``.
"""

import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from browser_helpers import CHROMIUM_ARGS, Lab, ensure_chromium, lab_page, write_scratch_notebook

pytestmark = pytest.mark.slow  # a real JupyterLab and browser: about a minute

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "notebooks" / "04_interpolation.ipynb"
ARTIFACTS = ROOT / "tests" / "artifacts"
SLIDER_WAIT_S = 240  # Run All until the slider shows: kernel start, imports, quick-mode cells
PRESSES = 8  # ArrowRight presses: 8 steps of 0.05, from w = 0 to 0.4


@pytest.fixture(scope="session")
def chromium():
    """Path of Debian's Chromium, installed with apt when missing (or the test is skipped)."""
    pytest.importorskip("playwright.sync_api", reason="install playwright (pip install -e .[dev])")
    start = time.monotonic()
    path, reason = ensure_chromium()
    if path is None:
        pytest.skip(f"no Chromium for the browser test: {reason}")
    print(f"\nchromium: {path} ready after {time.monotonic() - start:.1f} s")
    return path


def notebook_copy(folder):
    """Copy the target notebook (or write the scratch one) into ``folder``/notebooks/; returns it.

    ``files`` and ``data`` are linked beside it so paths relative to the repository still work.
    """
    notebooks = folder / "notebooks"
    notebooks.mkdir(parents=True)
    for name in ("files", "data"):
        if (ROOT / name).exists():
            (folder / name).symlink_to(ROOT / name)
    if TARGET.exists():
        return Path(shutil.copy(TARGET, notebooks / TARGET.name))
    return write_scratch_notebook(notebooks / "scratch_interpolation.ipynb")


def accept_kernel_dialog(page):
    """Click "Select" if JupyterLab asks which kernel to start (it should not: see the settings)."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count() and dialog.first.is_visible():
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        print("(accepted a Select Kernel dialog)")


def open_notebook(page, lab, notebook):
    """Open ``notebook`` (under the lab's notebooks/) and wait until its kernel is idle."""
    page.goto(f"{lab.url}/lab/tree/notebooks/{notebook.name}")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    accept_kernel_dialog(page)
    page.get_by_text(re.compile(r"\| Idle$")).wait_for(timeout=60_000)  # the status bar


def run_all_cells(page):
    """Run → Run All Cells, clicked as a reader would."""
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def wait_for(page, target, what, timeout_s):
    """``target`` (a locator) once visible after Run All Cells; fails early on a traceback."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if target.count() and target.is_visible():
            return target
        accept_kernel_dialog(page)
        errors = page.locator(".jp-OutputArea-output", has_text="Traceback (most recent call last)")
        if errors.count():
            raise AssertionError(f"a cell failed:\n{errors.first.inner_text()[-2000:]}")
        page.wait_for_timeout(250)
    raise AssertionError(f"no {what} appeared within {timeout_s} s of Run All Cells")


def wait_for_slider(page, timeout_s):
    """The handle of the first slider on the page, once visible."""
    return wait_for(page, page.locator(".widget-slider .noUi-handle").first, "slider", timeout_s)


def image_sources(widget):
    """The src of every <img> in the widget, once every one of them has loaded."""
    images = widget.locator("img")
    images.first.wait_for(state="visible")
    widget.page.wait_for_function(
        "els => els.every(e => e.complete && e.naturalWidth > 0)",
        arg=images.element_handles(),
        timeout=30_000,
    )
    return images.evaluate_all("els => els.map(e => e.src)")


def settled(widget, page, quiet_ms=400, timeout_s=20):
    """The image sources once none has changed for ``quiet_ms`` (the redraws have caught up)."""
    sources, since = image_sources(widget), time.monotonic()
    deadline = since + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        now = image_sources(widget)
        if now != sources:
            sources, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_ms / 1000:
            break
    return sources


def pixels(png):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB").tobytes()


def test_interpolation_slider_redraws_the_face_in_jupyterlab(chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    timings, clock = {}, [time.monotonic()]

    def lap(name):
        now = time.monotonic()
        timings[name] = round(now - clock[0], 2)
        clock[0] = now

    notebook = notebook_copy(tmp_path / "root")
    lab = Lab(tmp_path / "root", tmp_path / "lab", env={"DLHELPERS_QUICK": "1"})
    lab.env.pop("MPLBACKEND", None)  # conftest's Agg: the kernel should draw as a reader's does
    with lab, sync_playwright() as pw:
        lab.wait_ready()
        lap("jupyterlab_start_s")
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            open_notebook(page, lab, notebook)
            lap("browser_open_notebook_until_kernel_idle_s")
            run_all_cells(page)
            handle = wait_for_slider(page, SLIDER_WAIT_S)
            lap("run_all_until_slider_s")

            widget = handle.locator("xpath=ancestor::div[.//img][1]")  # the slider's widget
            widget.scroll_into_view_if_needed()
            before = image_sources(widget)
            shots = [img.screenshot() for img in widget.locator("img").all()]
            widget.screenshot(path=ARTIFACTS / "browser_widget_before.png")

            handle.focus()
            for _ in range(PRESSES):
                handle.press("ArrowRight")
            deadline = time.monotonic() + 30
            while image_sources(widget) == before and time.monotonic() < deadline:
                page.wait_for_timeout(50)
            lap("keys_until_new_image_s")
            after = image_sources(widget)
            changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
            assert changed, f"no image src changed after {PRESSES} ArrowRight presses"

            settled(widget, page)  # the last key's redraw has landed
            face = widget.locator("img").nth(changed[0])
            (ARTIFACTS / "browser_face_before.png").write_bytes(shots[changed[0]])
            face.screenshot(path=ARTIFACTS / "browser_face_after.png")
            widget.screenshot(path=ARTIFACTS / "browser_widget_after.png")
            assert pixels(shots[changed[0]]) != pixels((ARTIFACTS / "browser_face_after.png").read_bytes()), (
                "the face looks the same"
            )
            value = page.locator(".widget-slider .widget-readout").first.inner_text()
            timings.update(slider_value=value, images_changed=len(changed), notebook=notebook.name)
        except Exception as err:
            page.screenshot(path=ARTIFACTS / "browser_failure.png", full_page=True)
            raise AssertionError(f"{err}\n--- JupyterLab log ---\n{lab.tail()}") from err
        finally:
            browser.close()
    lap("shutdown_s")
    (ARTIFACTS / "browser_timings.json").write_text(json.dumps(timings, indent=1))
    print("browser test timings:", json.dumps(timings))


GALLERY = ROOT / "notebooks" / "03_encoding_arithmetic.ipynb"
GALLERY_WAIT_S = 300  # Run All until the gallery shows: notebook 03 in quick mode


def wait_for_gallery(page, timeout_s):
    """The gallery picker's grid of thumbnails, once its images show."""
    grid = page.locator(".widget-gridbox").filter(has=page.locator("img")).last
    return wait_for(page, grid, "gallery", timeout_s)


def spread(png):
    """Standard deviation of a PNG's grey levels: about 0 for a blank (white) square."""
    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).stddev[0]


def test_gallery_picker_in_jupyterlab_fits_shows_faces_and_offers_the_line(chromium, tmp_path):
    """Notebook 03's gallery in JupyterLab: every column inside the notebook, thumbnails that are
    faces (not blank squares), and three clicks for one group turn up in the offered line."""
    ARTIFACTS.mkdir(exist_ok=True)
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    notebook = Path(shutil.copy(GALLERY, root / "notebooks" / GALLERY.name))
    env = {"DLHELPERS_QUICK": "1", "DLHELPERS_RUNS": str(tmp_path / "runs")}
    with lab_page(
        root, tmp_path / "lab", chromium, env, height=900, failure_png=ARTIFACTS / "browser_failure.png"
    ) as (lab, page):
        open_notebook(page, lab, notebook)
        run_all_cells(page)
        grid = wait_for_gallery(page, GALLERY_WAIT_S)
        picker = grid.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
        picker.scroll_into_view_if_needed()
        images = grid.locator("img")
        page.wait_for_function(
            "els => els.every(e => e.complete && e.naturalWidth > 0)",
            arg=images.element_handles(),
            timeout=30_000,
        )

        # every column inside the notebook's output area (a 12-column grid once cut the first)
        area = grid.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')][1]")
        box, inside = grid.bounding_box(), area.bounding_box()
        first, last = images.first.bounding_box(), images.last.bounding_box()
        assert first["x"] >= inside["x"] - 1 and box["x"] >= inside["x"] - 1, (first, inside)
        assert box["x"] + box["width"] <= inside["x"] + inside["width"] + 1, (box, inside)
        assert last["x"] + last["width"] <= inside["x"] + inside["width"] + 1, (last, inside)

        thumb = images.first.screenshot()
        (ARTIFACTS / "browser_gallery_thumbnail.png").write_bytes(thumb)
        assert spread(thumb) > 10, "the first thumbnail is a blank square"

        group = "women_glasses"
        picker.locator(".widget-toggle-buttons button", has_text=group).click()
        buttons = grid.locator("button")
        ids = [buttons.nth(k).inner_text().split(" ")[0] for k in (0, 1, 2)]
        for k in (0, 1, 2):
            buttons.nth(k).click()
        code = picker.locator("textarea")
        wanted = f'"{group}": [{", ".join(ids)}]'
        deadline = time.monotonic() + 20
        while wanted not in code.input_value() and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        line = code.input_value()
        assert line.startswith("groups = {") and wanted in line, (line, wanted)
        assert f"{group}: 3/3" in picker.inner_text()
        picker.screenshot(path=ARTIFACTS / "browser_gallery.png")
        page.screenshot(path=ARTIFACTS / "browser_gallery_page.png")
        print("gallery line:", line)


def test_chromium_set_up_says_why_it_cannot_install(monkeypatch, tmp_path):
    import browser_helpers

    monkeypatch.setattr(browser_helpers, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(browser_helpers.shutil, "which", lambda name: None)
    path, reason = browser_helpers.ensure_chromium()
    assert path is None and reason == "no /usr/bin/chromium and no apt-get to install it"
    monkeypatch.setattr(browser_helpers.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(browser_helpers.os, "geteuid", lambda: 1000)
    path, reason = browser_helpers.ensure_chromium()
    assert path is None and "needs root" in reason
