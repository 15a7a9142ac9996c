#!/usr/bin/env python3
"""Strip widget state from executed notebooks before committing them (keeps text and figures).

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
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            data.pop(WIDGET, None)
            if out.get("output_type") in ("display_data", "execute_result") and not data:
                continue
            kept.append(out)
        if "outputs" in cell:
            cell["outputs"] = kept
    with open(path, "w") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        strip(p)
