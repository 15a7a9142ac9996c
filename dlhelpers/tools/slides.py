"""``python -m dlhelpers figures DIR``: the chapter's figures as PNG and GIF files for slides.

Copies the figures the notebooks saved (``files/figures/*.png``, written by a full run of
01-05) and draws the chapter's paths as animated GIFs, each beside a PNG strip of its frames:
figure 7.1 (glasses put on), 7.2 (dark to light frames, on the drawn faces), 7.11 (glasses to
none, between group means), a glasses strength from -3 to 3, and two MNIST digits morphing (the
MNIST VAE). Uses the faces in use and the VAE notebooks 03-04 load (``data.load_vae``).
"""

import shutil
from pathlib import Path

import torch
from PIL import Image

from dlhelpers import data, plot, settings
from dlhelpers.chapter import latent
from dlhelpers.data import groups
from dlhelpers.engine import checkpoints
from dlhelpers.engine.display import to_uint8_grid
from dlhelpers.widgets import gifs
from dlhelpers.widgets.explorer import encode_some


def write_strip(model, codes, path, nrow=8):
    """Decode codes (T, d) and write at most ``nrow`` of them, evenly spread, as one PNG strip."""

    pick = torch.linspace(0, len(codes) - 1, min(nrow, len(codes))).round().long()
    images = gifs.frames(latent.decode(model, codes[pick]), side=128)
    grid = to_uint8_grid(images.float() / 255, nrow=len(images))
    Image.fromarray(grid.permute(1, 2, 0).numpy()).save(path)
    return Path(path)


def write_path(model, codes, folder, name, written):
    """Write ``name``.gif (the path) and ``name``.png (its strip) into ``folder``."""
    written.append(gifs.path_gif(model, codes, folder / f"{name}.gif", side=256))
    written.append(write_strip(model, codes, folder / f"{name}.png"))


def face_paths(model, faces):
    """The faces' paths for slides: dict name -> codes (T, d)."""
    codes = encode_some(model, faces.images, 1000)
    n = len(codes)
    g = faces.glasses[:n] == 1
    glasses = latent.attribute_vector(codes[g], codes[~g])
    plain = codes[(~g).nonzero()[0, 0]]
    strengths = torch.linspace(0, 3, 13).tolist()
    paths = {
        "fig7_1_glasses_on": torch.stack([latent.add_attribute(plain, glasses, s) for s in strengths]),
        "glasses_strength_-3_to_3": torch.stack(
            [latent.add_attribute(plain, glasses, float(s)) for s in torch.linspace(-3, 3, 13)]
        ),
    }
    picked = groups.four_groups(faces, per_group=3, seed=0)
    means = {k: latent.mean_code(model, data.to_float(faces.images[idx])) for k, idx in picked.items()}
    weights = torch.linspace(0, 1, 13).tolist()
    paths["fig7_11_glasses_to_none"] = latent.path(means["women_glasses"], means["women_noglasses"], weights)
    frame = (faces.attributes or {}).get("frame")
    by_colour = {c: torch.tensor([f == c for f in frame[:n]]) for c in ("dark", "light")} if frame else {}
    if all(pick.any() for pick in by_colour.values()) and by_colour:
        dark, light = (codes[by_colour[c]][:3].mean(0) for c in ("dark", "light"))
        paths["fig7_2_dark_to_light"] = latent.path(dark, light, weights)
    return paths


def write_figures(folder):
    """Write the slides' figures into ``folder`` (created); returns the list of files written."""
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for png in sorted(plot.FIGURES.glob("*.png")):
        written.append(Path(shutil.copy(png, folder / png.name)))
    faces = data.face_set(size=data.vae_recipe().size)
    model, _ = data.load_vae(data.vae_recipe().size)
    for name, codes in face_paths(model, faces).items():
        write_path(model, codes, folder, name, written)
    mnist_vae = settings.FILES / "dense_vae_mnist.pt"
    if mnist_vae.is_file():
        vae = checkpoints.load(mnist_vae)
        x, y = data.mnist(train=False)
        first = data.one_per_digit(y)
        z = latent.encode(vae, data.to_float(x[[first[1], first[7], first[3]]]).view(3, -1))
        weights = torch.linspace(0, 1, 10).tolist()
        morph = torch.cat([latent.path(z[0], z[1], weights), latent.path(z[1], z[2], weights)[1:]])
        write_path(vae, morph, folder, "mnist_1_to_7_to_3", written)
    for path in written:
        print(f"wrote {settings.relative(path)}")
    print(f"{len(written)} files in {settings.relative(folder)}")
    return written
