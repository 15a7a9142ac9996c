"""Every widget cell shows a picture to a reader without a kernel (GitHub, nbviewer, exported HTML).

A widget's display carries, beside the widget view, an ``image/png`` drawn by the widget's own code
(``live.Previewed``, ``preview``): a frontend with a kernel draws the widget, one without draws the
picture. ``.ci/strip_notebooks.py`` drops the widget view and the widget state before a commit and
keeps the picture. The committed notebooks are rendered to HTML with nbconvert (never executed) and
every code cell that shows a widget must show a non-blank image there; ``preview_problems(path)``
checks any notebook (e.g. a copy executed in quick mode into /tmp and stripped).
"""

import base64
import importlib.util
import io
import json
import re
from pathlib import Path

import nbformat
import pytest
import torch
from PIL import Image, ImageSequence, ImageStat

from dlhelpers.chapter import latent
from dlhelpers.chapter.models import VAE
from dlhelpers.widgets import preview, sliders

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"
# the calls in a notebook that build a widget (what a cell shows when it ends with one)
BUILDERS = re.compile(
    r"\b(gallery_picker|faces_picker|interpolation_slider|arithmetic_sliders|attribute_slider"
    r"|face_editor|arithmetic_shop|glasses_shop|code_map)\("
)
WITH_WIDGETS = ["03_encoding_arithmetic", "04_interpolation", "06_explore_the_latent_space"]


def blank(image):
    """Whether a picture (its first frame) is one colour, or nearly: nothing a reader can see."""
    return ImageStat.Stat(image.convert("L")).stddev[0] < 2


def shown_picture(widget):
    """The picture ``widget``'s display carries beside the widget view (checked: the bundle holds
    the view, an image/png and text/plain, and the picture is not blank); a PIL image."""
    bundle = widget._repr_mimebundle_()
    assert set(bundle) == {WIDGET, "image/png", "text/plain"}
    picture = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert not blank(picture)
    return picture


def widget_cells(nb):
    """Indices of the code cells that show a widget: an output with the widget view, or (once it
    is stripped) a source that calls a widget builder."""
    return [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code"
        and (
            BUILDERS.search("".join(cell["source"]))
            or any(WIDGET in o.get("data", {}) for o in cell.get("outputs", []))
        )
    ]


def rendered_images(nb):
    """{cell index: [PIL images]} of the images nbconvert's HTML shows in each cell's outputs."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4))
    soup = BeautifulSoup(body, "html.parser")
    found = {}
    for i, cell in enumerate(nb["cells"]):
        div = soup.find(id=f"cell-id={cell.get('id')}")
        sources = [img["src"] for img in div.select(".jp-OutputArea img")] if div else []
        found[i] = [
            Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
            for src in sources
            if src.startswith("data:image/")
        ]
    return found


def preview_problems(path):
    """What is wrong with the pictures of the widget cells of notebook ``path`` rendered to HTML:
    a list of lines (empty when every widget cell shows a non-blank image)."""
    nb = json.loads(Path(path).read_text())
    images = rendered_images(nb)
    problems = []
    for i in widget_cells(nb):
        start = "".join(nb["cells"][i]["source"])[:60].replace("\n", " ")
        if not images[i]:
            problems.append(f"cell {i} ({start}…): no image in the HTML")
        elif all(blank(im) for im in images[i]):
            problems.append(f"cell {i} ({start}…): only blank images")
    return problems


@pytest.mark.parametrize("name", WITH_WIDGETS)
def test_every_widget_cell_of_the_committed_notebook_shows_a_picture(name):
    path = NOTEBOOKS / f"{name}.ipynb"
    assert widget_cells(json.loads(path.read_text())), "the notebook shows no widget any more"
    problems = preview_problems(path)
    assert not problems, (
        "re-execute the notebook with this package, then python .ci/strip_notebooks.py:\n"
        + "\n".join(problems)
    )


def strip_script():
    spec = importlib.util.spec_from_file_location("strip_notebooks", ROOT / ".ci" / "strip_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def slider():
    torch.manual_seed(0)
    model = VAE(latent_dims=8, image_size=16).eval()
    z1, z2 = latent.random_codes(2, 8, seed=1)
    return sliders.interpolation_slider(model, z1, z2, labels=("A", "B"))


def test_a_widget_cell_shows_its_picture_in_html_once_stripped_and_only_the_widget_before(slider, tmp_path):
    bundle = slider._repr_mimebundle_()
    assert set(bundle) == {WIDGET, "image/png", "text/plain"}
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("sliders.interpolation_slider(model, z1, z2)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    nb.cells = [cell, nbformat.v4.new_code_cell("print('no widget')")]
    model_id = bundle[WIDGET]["model_id"]
    with_state = json.loads(nbformat.writes(nb))
    with_state["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {model_id: {}}, "version_major": 2}
    }
    assert rendered_images(with_state)[0] == [], "with the widget state, nbconvert shows the widget"
    path = tmp_path / "executed.ipynb"
    path.write_text(json.dumps(with_state))
    strip_script().strip(path)
    stripped = json.loads(path.read_text())
    assert "widgets" not in stripped["metadata"]
    assert set(stripped["cells"][0]["outputs"][0]["data"]) == {"image/png", "text/plain"}
    assert widget_cells(stripped) == [0] and preview_problems(path) == []
    (shown,) = rendered_images(stripped)[0]
    assert getattr(shown, "n_frames", 1) > 1, "the strip script kept the animation"


def test_the_strip_script_drops_a_widget_left_with_only_stale_text():
    strip = strip_script()
    progress = {"data": {WIDGET: {"model_id": "x"}, "text/plain": "  0%|"}}
    assert not strip.kept(progress)
    figure = {"data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}
    assert strip.kept(figure) and set(figure["data"]) == {"image/png", "text/plain"}


def test_animation_paints_only_what_changed_and_plays_back_every_frame():
    frames = [Image.new("RGB", (40, 30), (255, 255, 255)) for _ in range(3)]
    for k, f in enumerate(frames):
        f.paste((200, 30 * k, 0), (5 + 10 * k, 5, 15 + 10 * k, 15))  # a square moving right
    played = Image.open(io.BytesIO(preview.animation(frames)))
    assert played.n_frames == 3 and played.info["loop"] == 0
    for k, shown in enumerate(ImageSequence.Iterator(played)):
        assert shown.convert("RGBA").convert("RGB").tobytes() == frames[k].tobytes(), f"frame {k}"
    still = Image.open(io.BytesIO(preview.animation(frames[:1])))
    assert getattr(still, "n_frames", 1) == 1 and not blank(still)


def test_shrink_keeps_whole_pixel_blocks_near_the_tile_size():
    face = Image.new("RGB", (72 * 3, 72 * 3), "white")  # a 72-px face enlarged 3 times
    assert preview.shrink(face, 72, 3).size == (144, 144), "2 times: nearest to 128 px"
    assert preview.shrink(face, 72, 3, tile=64).size == (72, 72)
    digit = Image.new("L", (28 * 7, 28 * 7))
    assert preview.shrink(digit, 28, 7).size == (140, 140)
    small = Image.new("RGB", (32, 32))
    assert preview.shrink(small, 16, 2).size == (32, 32), "never enlarged"


def test_compose_captions_panels_and_draws_lines_and_sliders_below():
    face = Image.new("RGB", (50, 50), (200, 60, 60))
    lines = ["a line of text", preview.Slider("w", 0.25, 0, 1), preview.Chips([("group: 1/3", "#8dd3c7")])]
    frame = preview.compose([("left", face), ("right", face)], lines)
    assert frame.width >= 320 and frame.height > 50 + 3 * preview.LINE_PX
    assert frame.getpixel((frame.width // 2 - 10, preview.GAP + preview.LINE_PX + 30)) != (255, 255, 255)
    grid = preview.compose([(str(k), face, "#fdb462") for k in range(6)], columns=3, below=True)
    assert grid.height > 2 * 50 and not blank(grid)
    assert preview.text("<div style='x'>a &amp; b <b>0.93</b></div>") == "a & b 0.93"


def test_a_failing_picture_leaves_the_widget_and_warns(slider, monkeypatch):
    monkeypatch.setattr(slider, "snapshot", lambda: 1 / 0)
    with pytest.warns(UserWarning, match="no picture"):
        bundle = slider._repr_mimebundle_()
    assert WIDGET in bundle and "image/png" not in bundle


def output_area(page, lab, notebook, cell):
    """Open ``notebook`` (under the lab's notebooks/) and describe the outputs of code cell
    ``cell``: {"widgets": live widget views, "pictures": [(width, height)] of image outputs}."""
    page.goto(f"{lab.url}/lab/tree/notebooks/{notebook}")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"\| Idle$")).wait_for(timeout=90_000)
    area = page.locator(".jp-NotebookPanel:visible .jp-CodeCell .jp-OutputArea").nth(cell)
    area.scroll_into_view_if_needed()
    return area, area.evaluate(
        """el => ({widgets: el.querySelectorAll('.jupyter-widgets.widget-container').length,
                   pictures: [...el.querySelectorAll('.jp-RenderedImage img')]
                       .map(i => [i.naturalWidth, i.naturalHeight])})"""
    )


@pytest.mark.slow
def test_jupyterlab_shows_the_live_widget_alone_and_without_a_kernel_the_picture(slider, tmp_path):
    """In JupyterLab a widget run live shows only the widget (not its picture too), and the
    stripped notebook, opened without running it, shows the picture. About a minute."""
    pytest.importorskip("playwright.sync_api", reason="install playwright (pip install -e .[dev])")
    from browser_helpers import ensure_chromium, lab_page, write_scratch_notebook

    chromium, reason = ensure_chromium()
    if chromium is None:
        pytest.skip(f"no Chromium for the browser test: {reason}")
    notebooks = tmp_path / "root" / "notebooks"
    write_scratch_notebook(notebooks / "live.ipynb")  # its third cell shows an interpolation slider
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("sliders.interpolation_slider(model, z1, z2)")]
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data=slider._repr_mimebundle_())]
    nbformat.write(nb, str(notebooks / "stripped.ipynb"))
    strip_script().strip(notebooks / "stripped.ipynb")
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    env, failure = {"DLHELPERS_QUICK": "1"}, artifacts / "previews_failure.png"
    with lab_page(tmp_path / "root", tmp_path / "lab", chromium, env, 1000, failure) as (lab, page):
        _, shown = output_area(page, lab, "stripped.ipynb", 0)
        assert shown["widgets"] == 0 and len(shown["pictures"]) == 1 and shown["pictures"][0][0] > 0
        area, _ = output_area(page, lab, "live.ipynb", 2)
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        area.locator(".widget-slider").first.wait_for(timeout=240_000)
        page.wait_for_timeout(1000)
        area.screenshot(path=artifacts / "previews_live_widget.png")
        live = area.evaluate(
            """el => ({widgets: el.querySelectorAll('.jupyter-widgets.widget-container').length,
                       pictures: el.querySelectorAll('.jp-RenderedImage').length})"""
        )
        assert live["widgets"] >= 1 and live["pictures"] == 0, live
