#!/usr/bin/env python3
"""Strip widgets from executed notebooks before committing them (keeps text and figures).

Widget outputs (progress bars, sliders) only work with a live kernel; their text fallback is a
stale snapshot (a progress bar stuck at 0 %), so the whole output goes, with the saved state.

    .venv/bin/python .ci/strip_notebooks.py notebooks/*.ipynb
"""
import json
import sys

WIDGET = "application/vnd.jupyter.widget-view+json"


def strip(path):
    nb = json.load(open(path))
    nb["metadata"].pop("widgets", None)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if WIDGET not in o.get("data", {})]
    with open(path, "w") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        strip(p)
