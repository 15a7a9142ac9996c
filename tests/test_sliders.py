"""The sliders and the gallery picker, driven from Python (test_browser.py has the browser)."""

import io
import warnings

import pytest
import torch
from PIL import Image

from dlhelpers import plot
from dlhelpers.chapter import core, latent
from dlhelpers.chapter.models import AE, VAE
from dlhelpers.engine import display
from dlhelpers.widgets import live, sliders
from stubs import png
from test_previews import shown_picture

SIDE = 16  # small models keep these tests fast
PX = SIDE * display.enlargement(SIDE)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return VAE(latent_dims=8, image_size=SIDE).eval()


@pytest.fixture
def codes():
    return dict(zip(["a", "b", "c"], latent.random_codes(3, 8, seed=1)))


def decoded(model, z, scale=None):
    return display.png_bytes(latent.decode(model, z.view(1, -1))[0], scale)


def test_png_bytes_enlarges_with_crisp_pixels():
    image = torch.zeros(3, 4, 4)
    image[0, 0, 0] = 1.0
    picture = Image.open(io.BytesIO(display.png_bytes(image, scale=3)))
    assert picture.size == (12, 12) and picture.mode == "RGB"
    assert picture.getpixel((2, 2)) == (255, 0, 0) and picture.getpixel((3, 3)) == (0, 0, 0)
    grey = Image.open(io.BytesIO(display.png_bytes(torch.rand(1, 1, 28, 28))))
    assert grey.mode == "L" and grey.size == (28 * display.enlargement(28),) * 2
    assert display.enlargement(64) == plot.SCALE
    with pytest.raises(ValueError, match="one image"):
        display.png_bytes(torch.rand(2, 3, 8, 8))


def test_presentation_switches_widgets_and_figures_in_one_call():
    try:
        plot.presentation(True)
        assert plot.SCALE == plot.PRESENTATION_SCALE and plot.DPI == 120
        big = Image.open(io.BytesIO(display.png_bytes(torch.rand(3, 64, 64)))).size
        assert big == (64 * plot.PRESENTATION_SCALE,) * 2
    finally:
        plot.presentation(False)
    assert plot.SCALE == plot.NORMAL_SCALE and plot.DPI == 80


def test_interpolation_slider_redraws_live_and_hits_both_endpoints(model, codes):
    w = sliders.interpolation_slider(model, codes["a"], codes["b"], labels=("left", "right"))
    assert (w.slider.min, w.slider.max, w.slider.step) == (0, 1, 0.05)
    seen = set()
    for value in (0.0, 0.35, 0.7, 1.0):
        w.slider.value = value
        data, picture = png(w.image)
        assert picture.size == (PX, PX)
        seen.add(data)
    assert len(seen) == 4, "every slider move must change the image"
    w.slider.value = 0.0
    assert bytes(w.image.value) == bytes(w.start_image.value) == decoded(model, codes["a"])
    w.slider.value = 1.0
    assert bytes(w.image.value) == bytes(w.end_image.value) == decoded(model, codes["b"])
    assert "right" in w.readout.value
    w.slider.value = 0.4
    assert torch.allclose(w.code(), core.blend(codes["b"], codes["a"], 0.4).view(1, -1))


def test_spherical_interpolation_uses_slerp(model, codes):
    w = sliders.interpolation_slider(model, codes["a"], codes["b"], spherical=True)
    w.slider.value = 0.3
    assert torch.allclose(w.code(), latent.slerp(codes["b"], codes["a"], 0.3).view(1, -1))
    assert "spherical" in w.readout.value


def test_interpolation_slider_blends_with_the_blend_it_is_given(model, codes):
    seen = []

    def own_blend(z1, z2, w):  # an edited blend: the end code, whatever the weight
        seen.append(w)
        return z1

    w = sliders.interpolation_slider(model, codes["a"], codes["b"], blend=own_blend)
    w.slider.value = 0.25
    assert seen[-1] == 0.25 and torch.equal(w.code(), live.one_code(codes["b"]))
    assert bytes(w.image.value) == bytes(w.end_image.value)


def test_arithmetic_sliders_show_the_combination_and_spell_it_out(model, codes):
    weights = {"a": 1, "b": -1, "c": 1}
    w = sliders.arithmetic_sliders(model, codes, weights)
    assert set(w.sliders) == {"a", "b", "c"}
    assert all((s.min, s.max) == (-2, 2) for s in w.sliders.values())
    assert "1.0·a − 1.0·b + 1.0·c" in w.label.value
    assert bytes(w.image.value) == decoded(model, latent.combine(codes, weights))
    before = bytes(w.image.value)
    w.sliders["b"].value = 0.5
    assert bytes(w.image.value) != before
    assert "1.0·a + 0.5·b + 1.0·c" in w.label.value
    data, picture = png(w.image)
    assert picture.size == (PX, PX)
    assert data == decoded(model, latent.combine(codes, {"a": 1, "b": 0.5, "c": 1}))
    assert bytes(w.term_images["a"].value) == decoded(model, codes["a"])


def test_expression_reads_like_the_book():
    assert (
        sliders.expression({"man_glasses": 1, "woman_glasses": -1, "woman_no_glasses": 1.0})
        == "1.0·man_glasses − 1.0·woman_glasses + 1.0·woman_no_glasses"
    )
    assert sliders.expression({"a": -0.25, "b": 2}) == "−0.25·a + 2.0·b"


def test_attribute_slider_pushes_along_the_chosen_direction(model, codes):
    directions = {"glasses": codes["b"] - codes["a"], "beard": codes["c"]}
    w = sliders.attribute_slider(model, codes["a"], directions)
    assert w.dropdown.options == ("glasses", "beard") and (w.slider.min, w.slider.max) == (-3, 3)
    assert bytes(w.image.value) == bytes(w.original_image.value) == decoded(model, codes["a"])
    w.slider.value = 1.0
    glasses = bytes(w.image.value)
    assert glasses == decoded(model, codes["b"])  # a + (b - a) = b
    w.dropdown.value = "beard"
    assert bytes(w.image.value) not in (glasses, bytes(w.original_image.value))
    w.slider.value = -2.0
    data, picture = png(w.image)
    assert picture.size == (PX, PX)
    assert data == decoded(model, latent.add_attribute(codes["a"], codes["c"], -2.0))
    assert "− 2.0 × beard" in w.readout.value


def test_a_model_in_training_mode_is_switched_to_eval_with_a_warning(codes):
    torch.manual_seed(0)
    model = VAE(latent_dims=8, image_size=SIDE)
    assert model.training
    with pytest.warns(UserWarning, match="training mode"):
        w = sliders.interpolation_slider(model, codes["a"], codes["b"])
    assert not model.training
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # already in eval mode: no second warning
        sliders.attribute_slider(model, codes["a"], {"x": codes["b"]})
    w.slider.value = 0.0
    assert bytes(w.image.value) == decoded(model, codes["a"])


def test_codes_of_different_shapes_fail_when_the_widget_is_built(model, codes):
    short = torch.zeros(5)
    with pytest.raises(ValueError, match="z2 has 5 dimensions"):
        sliders.interpolation_slider(model, codes["a"], short)
    with pytest.raises(ValueError, match="different sizes"):
        sliders.arithmetic_sliders(model, {"a": codes["a"], "x": short}, {"a": 1, "x": 1})
    with pytest.raises(KeyError, match="no code named"):
        sliders.arithmetic_sliders(model, codes, {"a": 1, "nope": 1})
    with pytest.raises(ValueError, match="'glasses' has 5 dimensions"):
        sliders.attribute_slider(model, codes["a"], {"glasses": short})
    with pytest.raises(ValueError, match="one code"):
        sliders.interpolation_slider(model, torch.zeros(3, 8), codes["b"])


def test_codes_of_the_wrong_size_for_the_model_fail_when_built(model):
    z1, z2 = latent.random_codes(2, 5)  # consistent, but the model wants 8
    with pytest.raises(ValueError, match=r"z1 has 5 dimensions but VAE decodes codes of 8"):
        sliders.interpolation_slider(model, z1, z2)
    with pytest.raises(ValueError, match=r"a has 5 dimensions"):
        sliders.arithmetic_sliders(model, {"a": z1, "b": z2}, {"a": 1, "b": -1})
    with pytest.raises(ValueError, match=r"z has 5 dimensions"):
        sliders.attribute_slider(model, z1, {"glasses": z2})
    with pytest.raises(ValueError, match=r"z1 has 5 dimensions but AE decodes codes of 20"):
        sliders.interpolation_slider(AE().eval(), z1, z2)


def test_non_finite_codes_are_refused_when_built(model, codes):
    bad = codes["b"].clone()
    bad[3] = float("nan")
    with pytest.raises(ValueError, match="NaN or infinite"):
        sliders.interpolation_slider(model, codes["a"], bad)
    with pytest.raises(ValueError, match="NaN or infinite"):
        sliders.arithmetic_sliders(model, dict(codes, b=bad), {"a": 1, "b": 1})
    with pytest.raises(ValueError, match="NaN or infinite"):
        sliders.attribute_slider(model, codes["a"], {"glasses": bad * float("inf")})


def test_sliders_work_for_the_mnist_autoencoder_too():
    torch.manual_seed(0)
    model = AE().eval()
    z1, z2 = latent.random_codes(2, 20, seed=0)
    w = sliders.interpolation_slider(model, z1, z2)
    w.slider.value = 0.9
    _, picture = png(w.image)
    assert picture.mode == "L" and picture.size == (28 * display.enlargement(28),) * 2


def test_each_slider_carries_a_picture_of_itself_and_keeps_its_state(model, codes):
    w = sliders.interpolation_slider(model, codes["a"], codes["b"], labels=("left", "right"))
    w.slider.value = 0.3
    state = (bytes(w.image.value), w.readout.value, w.redraws)
    sweep = shown_picture(w)
    assert sweep.n_frames == 2 * sliders.SWEEP - 2, "w from 0 to 1 and back"
    assert (bytes(w.image.value), w.readout.value, w.redraws) == state and w.slider.value == 0.3
    still = shown_picture(sliders.arithmetic_sliders(model, codes, {"a": 1, "b": -1, "c": 1}))
    assert getattr(still, "n_frames", 1) == 1 and still.width > 4 * 2 * SIDE
    t = sliders.attribute_slider(model, codes["a"], {"glasses": codes["b"]})
    assert shown_picture(t).n_frames > 2 and t.slider.value == 0
