"""The committed notebooks: executed in full mode, widget state stripped, figures kept small.

(The notebooks themselves are run by nbval in quick mode: pytest collects notebooks/*.ipynb.)
"""

import json
from pathlib import Path

import pytest

from dlhelpers.tools import colab

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_with_outputs_and_without_widget_state(path):
    nb = json.loads(path.read_text())
    assert "widgets" not in nb["metadata"], "strip widget state: python .ci/strip_notebooks.py"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("execution_count") for c in code), "run the notebook top to bottom"
    assert any("image/png" in o.get("data", {}) for c in code for o in c["outputs"])
    for c in code:
        for o in c["outputs"]:
            assert "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
            assert o.get("output_type") != "error", "".join(c["source"])[:80]
            # decoded faces are shown at >= 128 screen pixels each (up to 8 a row, 4 rows): noisy
            # decodes compress badly, so a figure may take up to 400 k characters of base64
            assert len(o.get("data", {}).get("image/png", "")) < 400_000, "keep figures small"


def test_notebook_starts_with_setup_import_and_settings_cells():
    """The setup cell (the same in every notebook, see tests/test_colab.py), then the imports,
    then the settings that print ``settings.summary()``."""
    setup = colab.cell()
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        assert code[0] == setup, f"{path.name}: run python -m dlhelpers colab"
        assert "import" in code[1] and "settings.summary()" in code[2], path.name
