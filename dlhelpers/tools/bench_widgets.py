"""``python -m dlhelpers bench widgets``: what one slider move (or click) costs in Python, per widget.

The sliders of notebook 04 and the latent explorer of notebook 06 (editor, glasses shop, code
map), at 64 px and again at 256 px. Prints a few readable lines; the command line prints the
figures as one JSON object last.
"""

import statistics
import tempfile
import time
from pathlib import Path

import torch

from dlhelpers.chapter import latent
from dlhelpers.chapter.models import VAE
from dlhelpers.data.face_folder import FaceSet
from dlhelpers.engine.display import enlargement, png_bytes
from dlhelpers.measure.nets import TraitNet
from dlhelpers.widgets.code_map import code_map
from dlhelpers.widgets.explorer import FaceEditor
from dlhelpers.widgets.glasses_shop import GlassesShop
from dlhelpers.widgets.sliders import arithmetic_sliders, attribute_slider, interpolation_slider


def _times_ms(set_value, values):
    """Milliseconds each call ``set_value(v)`` took, one per value."""
    times = []
    for v in values:
        t = time.perf_counter()
        set_value(v)
        times.append((time.perf_counter() - t) * 1000)
    return times


def _p90(times):
    return sorted(times)[int(0.9 * (len(times) - 1))]


def _report(times, result, prefix=""):
    for name, ms in times.items():
        median, p90 = statistics.median(ms), _p90(ms)
        print(f"  {name:<20} median {median:6.2f} ms   90th percentile {p90:6.2f} ms")
        result[f"{prefix}{name}_ms"], result[f"{prefix}{name}_p90_ms"] = round(median, 2), round(p90, 2)
    return result


def bench_explorer(moves=50, image_size=64, seed=0):
    """Milliseconds per redraw of the explorer's widgets for a ``VAE(image_size)`` with random
    weights and a random trait judge (the timing does not depend on the weights): an editor
    slider move (decode, judge, PNG), a glasses-shop strength and frame move, and a click on the
    code map (nearest code, decode, the 8-image strip, the picks blitted on the map and the
    figure's PNG diff made). Also one GIF export (not a redraw). Returns the figures as a dict."""

    torch.manual_seed(seed)
    model, judge = VAE(image_size=image_size).eval(), TraitNet().eval()
    n = 400
    codes = latent.random_codes(n, model.config["latent_dims"], seed)
    gen = torch.Generator().manual_seed(seed)
    glasses = torch.randint(0, 2, (n,), generator=gen)
    frame = [("dark" if i % 2 else "light") if g else "none" for i, g in enumerate(glasses.tolist())]
    faces = FaceSet(
        images=torch.zeros(n, 3, 1, 1, dtype=torch.uint8),
        glasses=glasses,
        ids=list(range(n)),
        files=[f"f{i}" for i in range(n)],
        attributes={"glasses": glasses, "frame": frame},
    )
    editor = FaceEditor(model, None, judge, codes=codes, names=[f"code {i}" for i in range(40)])
    shop = GlassesShop(model, faces, judge, codes=codes)
    cmap = code_map(model, codes, glasses)
    cmap.canvas.draw()  # the first full draw, as the browser asks for it
    values = [round((i % 20) / 20 + 0.025, 3) for i in range(moves)]
    points = latent.pca_2d(codes)
    lo, hi = points.min(0).values, points.max(0).values
    spots = [(float(lo[0] + (hi[0] - lo[0]) * v), float(lo[1] + (hi[1] - lo[1]) * (1 - v))) for v in values]
    times = dict(
        editor_slider=_times_ms(
            lambda v: setattr(editor.sliders[int(v * 20) % 10], "value", 6 * v - 3), values
        ),
        shop_strength=_times_ms(lambda v: setattr(shop.strength, "value", 3 * v), values),
        shop_frame=_times_ms(lambda v: setattr(shop.frame, "value", v), values),
        map_click=_times_ms(lambda xy: cmap.click(*xy), spots),
    )
    assert cmap.background is not None, "the map's clicks must be blitted, not full draws"
    start = time.perf_counter()
    editor.gif.save(_scratch_gif())
    gif_ms = (time.perf_counter() - start) * 1000
    print(f"explorer redraws at {image_size} px over {moves} moves or clicks (one thread):")
    result = _report(times, {}, "")
    print(f"  {'gif_export':<20} {gif_ms:6.1f} ms for {len(editor.gif_codes())} frames (not a redraw)")
    result["gif_export_ms"] = round(gif_ms, 1)
    return result


def _scratch_gif():

    return Path(tempfile.mkdtemp(prefix="bench_gif_")) / "editor.gif"


def bench_widgets(moves=50, image_size=64, seed=0, also=(256,)):
    """Milliseconds per redraw of each slider widget (notebook 04) and of the explorer's widgets
    (``bench_explorer``, notebook 06) for a ``VAE(image_size)``, then the same at each size in
    ``also`` (under the key ``at_<size>``).

    A redraw is what one slider move costs in Python: the blend, one decode, the PNG (the browser
    adds its own few ms to show the new image). Reports the median and the 90th percentile over
    ``moves`` moves, and, for comparison, one decode on all of torch's threads. Random weights:
    the timing does not depend on them. Prints readable lines and returns the figures as a dict.
    """
    result = bench_sliders(moves, image_size, seed)
    result.update(bench_explorer(moves, image_size, seed))
    for size in also:
        if size != image_size:
            result[f"at_{size}"] = bench_sliders(moves, size, seed)
            result[f"at_{size}"].update(bench_explorer(moves, size, seed))
    return result


def bench_sliders(moves=50, image_size=64, seed=0):
    """Milliseconds per redraw of notebook 04's three sliders (see ``bench_widgets``)."""

    torch.manual_seed(seed)
    model = VAE(image_size=image_size).eval()
    d = model.config["latent_dims"]
    z1, z2, z3 = latent.random_codes(3, d, seed)
    values = [round((i % 20) / 20 + 0.025, 3) for i in range(moves)]  # every move a new value
    interp = interpolation_slider(model, z1, z2)
    arith = arithmetic_sliders(model, {"a": z1, "b": z2, "c": z3}, {"a": 1, "b": -1, "c": 1})
    attr = attribute_slider(model, z1, {"glasses": z2 - z1})
    first = next(iter(arith.sliders.values()))
    times = dict(
        interpolation=_times_ms(lambda v: setattr(interp.slider, "value", v), values),
        arithmetic=_times_ms(lambda v: setattr(first, "value", 4 * v - 2), values),
        attribute=_times_ms(lambda v: setattr(attr.slider, "value", 6 * v - 3), values),
        decode_all_threads=_times_ms(lambda v: latent.decode(model, z1.unsqueeze(0) * v), values),
        png=_times_ms(lambda v: png_bytes(torch.full((3, image_size, image_size), v)), values),
    )
    assert interp.redraws == attr.redraws == moves + 1, "every move must redraw once"
    factor = enlargement(image_size)
    print(
        f"widget redraws at {image_size} px, shown x{factor}, over {moves} slider moves "
        f"(torch has {torch.get_num_threads()} threads; the widgets decode on 1):"
    )
    result = _report(times, {})
    result.update(moves=moves, image_size=image_size, scale=factor)
    return result
