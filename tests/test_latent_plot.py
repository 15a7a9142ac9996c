import torch

from dlhelpers import latent, plot
from dlhelpers.models import AE, VAE


def test_encode_decode_shapes_for_both_models():
    ae = AE()
    codes = latent.encode(ae, torch.rand(7, 784))
    assert codes.shape == (7, 20)
    assert latent.decode(ae, codes).shape == (7, 1, 28, 28)
    vae = VAE(image_size=32)
    x = torch.rand(3, 3, 32, 32)
    mu = latent.encode(vae, x)
    assert torch.equal(mu, latent.encode(vae, x)), "mean codes are deterministic"
    s1, s2 = latent.encode(vae, x, sample=True, seed=1), latent.encode(vae, x, sample=True, seed=1)
    assert torch.equal(s1, s2) and not torch.equal(s1, mu)
    out = latent.decode(vae, mu)
    assert out.shape == (3, 3, 32, 32) and 0 <= float(out.min()) and float(out.max()) <= 1


def test_random_codes_repeat_by_seed():
    assert torch.equal(latent.random_codes(4, 20, seed=5), latent.random_codes(4, 20, seed=5))
    assert not torch.equal(latent.random_codes(4, 20, seed=5), latent.random_codes(4, 20, seed=6))


def test_pca_2d_finds_the_main_direction():
    g = torch.Generator().manual_seed(0)
    t = torch.randn(500, 1, generator=g)
    codes = torch.cat([t * 10, torch.randn(500, 4, generator=g) * 0.1], 1)
    p = latent.pca_2d(codes)
    assert p.shape == (500, 2)
    assert abs(torch.corrcoef(torch.stack([p[:, 0], t[:, 0]]))[0, 1]) > 0.99


def test_figures_save_pngs(tmp_path, monkeypatch):
    monkeypatch.setattr(plot, "FIGURES", tmp_path)
    fig = plot.show_digits(torch.rand(10, 784), torch.rand(10, 784), title="t", save="digits")
    assert fig is not None and (tmp_path / "digits.png").read_bytes()[:4] == b"\x89PNG"
    plot.show_grid(torch.rand(6, 3, 16, 16), nrow=3, save="grid")
    plot.show_losses({"a": [3, 2, 1]}, save="loss")
    plot.show_code_map(torch.randn(50, 2), torch.randint(0, 10, (50,)), save="map")
    assert {p.name for p in tmp_path.iterdir()} == {"digits.png", "grid.png", "loss.png", "map.png"}
