"""``latent`` on any model with the chapter's interface: notebook 01's own AE class, run exactly as the
notebook writes it, and a VAE-like class of no dlhelpers kind. What the encoder returns decides."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlhelpers.chapter import core, latent, models
from dlhelpers.measure import generators, nets
from stubs import notebook_definition


@pytest.fixture
def notebook_ae():
    """Notebook 01's class AE, built with the seed that builds ``models.AE`` below."""
    cls = notebook_definition("01_autoencoder_mnist", "AE", {"torch": torch, "nn": nn, "F": F})
    assert cls is not models.AE and not issubclass(cls, models.AE)
    torch.manual_seed(0)
    return cls()


def test_the_notebooks_own_autoencoder_encodes_and_decodes(notebook_ae):
    torch.manual_seed(0)
    package_ae = models.AE()
    x = torch.rand(3, 784)  # three images: a code tensor unpacked as (mu, std, z) would not fail
    codes = latent.encode(notebook_ae, x)
    assert codes.shape == (3, 20)
    assert torch.equal(codes, latent.encode(package_ae, x))  # the same weights give the same codes
    assert torch.equal(codes, notebook_ae.encoder(x))
    assert torch.equal(latent.encode(notebook_ae, x, sample=True, seed=0), codes)  # an AE has no noise
    images = latent.decode(notebook_ae, codes)
    assert images.shape == (3, 1, 28, 28) and 0 <= float(images.min()) and float(images.max()) <= 1
    assert torch.equal(images.flatten(1), notebook_ae(x)[0])
    assert latent.code_size(notebook_ae) == 20


def test_the_notebooks_own_autoencoder_gives_group_means_and_paths(notebook_ae):
    x = torch.rand(6, 1, 28, 28)
    mean = latent.mean_code(notebook_ae, x)
    assert mean.shape == (20,) and torch.allclose(mean, notebook_ae.encoder(x).mean(0))
    start, end = latent.encode(notebook_ae, x[:2])
    codes = latent.path(start, end, [0, 0.5, 1])
    assert torch.allclose(codes[0], start) and torch.allclose(codes[1], (start + end) / 2)
    assert latent.decode(notebook_ae, codes).shape == (3, 1, 28, 28)


def test_the_digit_claim_runs_on_the_notebooks_own_autoencoder(notebook_ae):
    images, labels = (torch.rand(40, 28, 28) * 255).to(torch.uint8), torch.arange(40) % 10
    r = generators.ae_vs_vae_digits(notebook_ae, models.DenseVAE(), nets.DigitNet(), images, labels, n=20)
    assert set(r["AE"]) == {"random", "midpoint", "reconstruction"}


class TripleVAE(nn.Module):
    """A VAE of no dlhelpers class: its encoder returns (mu, std, z), its decoder flat images."""

    def __init__(self):
        super().__init__()
        self.mu, self.log_std, self.out = nn.Linear(784, 4), nn.Linear(784, 4), nn.Linear(4, 784)

    def encoder(self, x):
        mu, std = self.mu(x.flatten(1)), torch.exp(self.log_std(x.flatten(1)))
        return mu, std, core.reparameterize(mu, std)

    def decoder(self, z):
        return torch.sigmoid(self.out(z))


def test_an_encoder_returning_mu_std_z_is_read_as_a_vae():
    model, x = TripleVAE(), torch.rand(3, 784)
    mu, std, _ = model.encoder(x)
    assert torch.equal(latent.encode(model, x), mu)
    drawn = latent.encode(model, x, sample=True, seed=1)
    noise = torch.randn(mu.shape, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(drawn, mu + std * noise)
    assert latent.decode(model, mu).shape == (3, 1, 28, 28)
    with pytest.raises(TypeError, match="mu, std, z"):
        latent.code_and_std((mu, std))


def test_slerp_takes_its_weight_as_blend_does_and_path_takes_any_blend():
    a, b = latent.random_codes(2, 16, seed=2)
    for w in (0.0, 1.0):
        assert torch.allclose(latent.slerp(a, b, w), core.blend(a, b, w), atol=1e-5)
    assert torch.allclose(latent.slerp(a, b, 0.3), latent.slerp(b, a, 0.7), atol=1e-6)
    codes = latent.path(a, b, [0, 0.25, 1], blend=latent.slerp)
    assert torch.allclose(codes[0], a, atol=1e-5) and torch.allclose(codes[-1], b, atol=1e-5)
    seen = []

    def own_blend(z1, z2, w):
        seen.append(w)
        return z2  # an edited blend that never leaves the start

    assert torch.equal(latent.path(a, b, [0, 0.5, 1], blend=own_blend), torch.stack([a, a, a]))
    assert seen == [0, 0.5, 1]
