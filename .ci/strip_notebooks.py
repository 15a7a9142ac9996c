#!/usr/bin/env python3
"""Strip widgets from executed notebooks before committing them (keeps text and figures), and
store every PNG figure losslessly recompressed (smaller files, same pixels).

Widget outputs (progress bars, sliders) only work with a live kernel: the widget view goes, with
the saved state (left without it, JupyterLab shows "model not found" where the widget was). An
output that also carries a picture (dlhelpers' widgets: image/png) keeps it, for readers without a
kernel; one left with only its stale text (a progress bar stuck at 0 %) goes.

    .venv/bin/python .ci/strip_notebooks.py notebooks/*.ipynb
"""
import base64
import io
import json
import sys

WIDGET = "application/vnd.jupyter.widget-view+json"


def smaller_png(b64):
    """The same image as base64 PNG bytes, recompressed losslessly if that is smaller (an alpha
    channel that is opaque everywhere, as matplotlib writes it, is dropped)."""
    from PIL import Image
    raw = base64.b64decode(b64)
    image = Image.open(io.BytesIO(raw))
    if getattr(image, "is_animated", False):  # an animated PNG: saving it again keeps one frame
        return b64
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    return base64.b64encode(out.getvalue()).decode() if out.tell() < len(raw) else b64


def kept(output):
    """Drop the widget view from ``output``; keep the output unless only text/plain is left."""
    data = output.get("data", {})
    if WIDGET not in data:
        return True
    del data[WIDGET]
    return any(mime != "text/plain" for mime in data)


def strip(path):
    nb = json.load(open(path))
    nb["metadata"].pop("widgets", None)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if kept(o)]
            for o in cell["outputs"]:
                if "image/png" in o.get("data", {}):
                    o["data"]["image/png"] = smaller_png(o["data"]["image/png"])
    with open(path, "w") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        strip(p)
