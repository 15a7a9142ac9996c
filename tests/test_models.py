import math

import pytest
import torch

from dlhelpers.chapter.core import vae_loss
from dlhelpers.chapter.models import AE, VAE, conv_side

# The chapter's parameter names and shapes (listings 7.1, 7.4, 7.5), written out by hand.
CHAPTER_AE = {
    "common.weight": (200, 784),
    "common.bias": (200,),
    "encoded.weight": (20, 200),
    "encoded.bias": (20,),
    "l1.weight": (200, 20),
    "l1.bias": (200,),
    "decode.weight": (784, 200),
    "decode.bias": (784,),
}


def test_ae_shapes_ranges_and_chapter_names():
    torch.manual_seed(0)
    model = AE()
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == CHAPTER_AE
    out, mu = model(torch.rand(5, 784))
    assert out.shape == (5, 784) and mu.shape == (5, 20)
    assert 0 <= float(out.min()) and float(out.max()) <= 1
    out2, _ = model(torch.rand(5, 1, 28, 28))
    assert out2.shape == (5, 784)


def test_ae_is_deterministic_with_a_seed():
    torch.manual_seed(1)
    a = AE().state_dict()
    torch.manual_seed(1)
    b = AE().state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("side", [16, 32, 64, 256])
def test_vae_shapes_at_any_size(side):
    model = VAE(image_size=side).eval()
    mu, std, out = model(torch.rand(2, 3, side, side))
    assert mu.shape == std.shape == (2, 100)
    assert out.shape == (2, 3, side, side)
    assert float(std.min()) > 0 and 0 <= float(out.min()) and float(out.max()) <= 1


def test_vae_chapter_sizes_at_256():
    sd = VAE(image_size=256).state_dict()
    assert conv_side(256) == 31
    assert sd["encoder.linear1.weight"].shape == (1024, 31 * 31 * 32)
    assert sd["decoder.decoder_lin.2.weight"].shape == (31 * 31 * 32, 1024)
    for key in [
        "encoder.conv1.weight",
        "encoder.batch2.running_mean",
        "encoder.linear3.bias",
        "decoder.decoder_conv.0.weight",
        "decoder.decoder_conv.4.running_var",
        "decoder.decoder_conv.6.weight",
    ]:
        assert key in sd


def test_vae_rejects_bad_sizes():
    with pytest.raises(ValueError, match="multiple of 8"):
        VAE(image_size=100)


def test_vae_loss_zero_for_perfect_standard_normal_codes():
    x = torch.rand(3, 3, 16, 16)
    rec, kl = vae_loss(x, torch.zeros(3, 10), torch.ones(3, 10), x.clone())
    assert float(rec) == 0 and abs(float(kl)) < 1e-6
    rec, kl = vae_loss(x, torch.ones(3, 10), torch.ones(3, 10) * 2, torch.zeros_like(x))
    assert float(rec) == pytest.approx(float((x**2).sum()))
    assert float(kl) == pytest.approx(3 * 10 * (4 / 2 + 1 / 2 - math.log(2) - 0.5))


def test_kl_divergence_matches_torch_distributions():
    from torch.distributions import Normal
    from torch.distributions import kl_divergence as reference

    from dlhelpers.chapter.core import kl_divergence

    g = torch.Generator().manual_seed(0)
    mu, std = torch.randn(50, generator=g) * 2, torch.rand(50, generator=g) * 3 + 0.05
    expected = reference(Normal(mu, std), Normal(torch.zeros(50), torch.ones(50)))
    assert torch.allclose(kl_divergence(mu, std), expected, atol=1e-5)


def test_kl_divergence_is_zero_only_at_the_standard_normal():
    from dlhelpers.chapter.core import kl_divergence

    mu = torch.tensor([0.0, 1.0, 0.0, -2.0])
    std = torch.tensor([1.0, 1.0, 0.5, 3.0])
    kl = kl_divergence(mu, std)
    assert kl[0] == 0 and (kl[1:] > 0).all()
    assert kl[1] == pytest.approx(0.5)
