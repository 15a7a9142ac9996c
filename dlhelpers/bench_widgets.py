"""``python -m dlhelpers bench widgets``: what one slider move costs in Python, per slider widget.

Prints a few readable lines; the command line prints the figures as one JSON object last.
"""
import statistics
import time

import torch

from . import latent


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


def bench_widgets(moves=50, image_size=64, seed=0):
    """Milliseconds per slider redraw of each slider widget, for a ``VAE(image_size=64)``.

    A redraw is what one slider move costs in Python: the blend, one decode, the PNG (the browser
    adds its own few ms to show the new image). Reports the median and the 90th percentile over
    ``moves`` moves, and, for comparison, one decode on all of torch's threads. Random weights:
    the timing does not depend on them. Prints readable lines and returns the figures as a dict.
    """
    from .models import VAE
    from .display import enlargement, png_bytes
    from .sliders import arithmetic_sliders, attribute_slider, interpolation_slider
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
        png=_times_ms(lambda v: png_bytes(torch.full((3, image_size, image_size), v)), values))
    assert interp.redraws == attr.redraws == moves + 1, "every move must redraw once"
    factor = enlargement(image_size)
    print(f"widget redraws at {image_size} px, shown x{factor}, over {moves} slider moves "
          f"(torch has {torch.get_num_threads()} threads; the widgets decode on 1):")
    result = {}
    for name, ms in times.items():
        median, p90 = statistics.median(ms), _p90(ms)
        print(f"  {name:<20} median {median:6.2f} ms   90th percentile {p90:6.2f} ms")
        result[f"{name}_ms"], result[f"{name}_p90_ms"] = round(median, 2), round(p90, 2)
    result.update(moves=moves, image_size=image_size, scale=factor)
    return result
