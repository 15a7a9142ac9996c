"""Test helpers shared by several test files: stand-ins whose right answers are known (a VAE, a
judge, labelled faces), small image files and widget images, and the notebooks' own definitions."""

import ast
import io
import json
from pathlib import Path

import torch
from PIL import Image
from torch import nn

from dlhelpers.data.face_folder import FaceSet
from dlhelpers.measure import nets

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


class StubVAE(nn.Module):
    """Code = (mean of red, mean of green) of an image; decoding paints those two values back."""

    def __init__(self, side=8):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))
        self.side = side

    def encoder(self, x):
        mu = x[:, :2].mean((2, 3))
        return mu, torch.ones_like(mu), mu

    def decoder(self, z):
        n = len(z)
        out = torch.zeros(n, 3, self.side, self.side)
        out[:, 0] = z[:, 0, None, None]
        out[:, 1] = z[:, 1, None, None]
        return out.clamp(0, 1)


class StubJudge(nn.Module):
    """Beard = the red channel is above 0.5, glasses = the green one; sharp but not saturated."""

    traits = list(nets.TRAITS)

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        red, green = x[:, 0].mean((1, 2)), x[:, 1].mean((1, 2))
        zeros = torch.zeros_like(red)
        return torch.stack([20 * (green - 0.5), 20 * (red - 0.5), zeros, zeros], 1)


def stub_faces(per_group=5, side=8):
    """Faces whose red channel is the beard label and green channel the glasses label."""
    beard, glasses = [], []
    for b in (0, 1):
        for g in (0, 1):
            beard += [b] * per_group
            glasses += [g] * per_group
    n = len(beard)
    images = torch.zeros(n, 3, side, side, dtype=torch.uint8)
    images[:, 0] = (torch.tensor(beard) * 255)[:, None, None].to(torch.uint8)
    images[:, 1] = (torch.tensor(glasses) * 255)[:, None, None].to(torch.uint8)
    attrs = {
        "glasses": torch.tensor(glasses),
        "beard": torch.tensor(beard),
        "smile": torch.zeros(n, dtype=torch.int64),
        "frame": ["dark" if g else "none" for g in glasses],
    }
    return FaceSet(
        images=images,
        glasses=torch.tensor(glasses),
        ids=list(range(n)),
        files=[f"f{i}" for i in range(n)],
        attributes=attrs,
    )


def save_png(path, size=(20, 20), colour=(200, 30, 30), mode="RGB"):
    """A one-colour PNG at ``path`` (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path)
    return path


def random_png(path, size, seed):
    """A PNG of seeded random RGB noise, ``size`` = (width, height)."""
    g = torch.Generator().manual_seed(seed)
    pixels = torch.randint(0, 256, (size[1], size[0], 3), generator=g, dtype=torch.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.numpy(), "RGB").save(path)
    return path


def png(widget_image):
    """The bytes an ipywidgets.Image holds, checked to be a PNG; returns (bytes, PIL image)."""
    data = bytes(widget_image.value)
    assert data.startswith(b"\x89PNG")
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return data, picture


def notebook_definition(notebook, name, namespace):
    """The function or class ``name`` exactly as a notebook's code cell writes it: its source is cut
    from ``notebooks/<notebook>.ipynb`` and run in ``namespace`` (the names it needs, e.g. torch);
    returns the object. A test that uses it runs the student's own copy, not the package's."""
    cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                exec(ast.get_source_segment(source, node), namespace)
                return namespace[name]
    raise LookupError(f"{notebook} defines no {name}")
