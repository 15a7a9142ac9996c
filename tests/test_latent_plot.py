import torch

from dlhelpers import plot
from dlhelpers.chapter import core, latent
from dlhelpers.chapter.models import AE, VAE
from dlhelpers.measure import checkerboard


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


def test_pca_2d_matches_torch_pca_lowrank():
    g = torch.Generator().manual_seed(1)
    spread = torch.tensor([5.0, 3.0, 1.0, 0.5, 0.2, 0.1])  # well-separated components
    codes = torch.randn(300, 6, generator=g) * spread @ torch.linalg.qr(torch.randn(6, 6, generator=g))[0]
    torch.manual_seed(0)  # pca_lowrank is randomized
    _, _, v = torch.pca_lowrank(codes, q=2, center=True, niter=10)
    expected = (codes - codes.mean(0)) @ v
    p = latent.pca_2d(codes)
    for k in range(2):  # each component is defined up to its sign
        sign = torch.sign((p[:, k] * expected[:, k]).sum())
        assert torch.allclose(p[:, k], sign * expected[:, k], atol=1e-3)


def test_figures_save_pngs(tmp_path, monkeypatch):
    from dlhelpers import settings

    monkeypatch.setattr(plot, "FIGURES", tmp_path)
    monkeypatch.setattr(settings, "QUICK", False)
    fig = plot.show_digits(torch.rand(10, 784), torch.rand(10, 784), title="t", save="digits")
    assert fig is not None and (tmp_path / "digits.png").read_bytes()[:4] == b"\x89PNG"
    plot.show_grid(torch.rand(6, 3, 16, 16), nrow=3, save="grid")
    plot.show_losses({"a": [3, 2, 1]}, save="loss")
    plot.show_code_map(torch.randn(50, 2), torch.randint(0, 10, (50,)), save="map")
    assert {p.name for p in tmp_path.iterdir()} == {"digits.png", "grid.png", "loss.png", "map.png"}
    monkeypatch.setattr(settings, "QUICK", True)
    plot.show_grid(torch.rand(2, 3, 8, 8), nrow=2, save="quick")
    assert not (tmp_path / "quick.png").exists()  # quick-mode figures are not exported


def test_mean_code_and_empty_group():
    import pytest

    ae = AE()
    x = torch.rand(3, 784)
    assert torch.allclose(latent.mean_code(ae, x), latent.encode(ae, x).mean(0))
    with pytest.raises(ValueError, match="empty group"):
        latent.mean_code(ae, x[:0])


def test_combine_is_the_chapters_arithmetic_and_checks_sizes():
    import pytest

    z = {"z1": torch.tensor([1.0, 2.0]), "z2": torch.tensor([0.5, 0.5]), "z3": torch.tensor([2.0, 0.0])}
    assert torch.equal(latent.combine(z, {"z1": 1, "z2": -1, "z3": 1}), torch.tensor([2.5, 1.5]))
    with pytest.raises(ValueError, match="different sizes"):
        latent.combine({"a": torch.zeros(2), "b": torch.zeros(3)}, {"a": 1, "b": 1})
    with pytest.raises(KeyError, match="no code named"):
        latent.combine(z, {"z9": 1})


def test_blend_slerp_and_path_endpoints():
    import pytest

    a, b = latent.random_codes(2, 16, seed=0)
    p = latent.path(a, b)
    assert p.shape == (6, 16) and torch.allclose(p[0], a) and torch.allclose(p[-1], b)
    assert torch.allclose(p[1], core.blend(b, a, 0.2))  # w is the weight of the end, as in the book
    s = latent.path(a, b, blend=latent.slerp)
    assert torch.allclose(s[0], a, atol=1e-5) and torch.allclose(s[-1], b, atol=1e-5)
    assert s[3].norm() > p[3].norm()  # the spherical midpoint keeps its length
    with pytest.raises(ValueError, match="shapes"):
        latent.path(a, torch.zeros(8))
    with pytest.raises(ValueError, match="shapes"):
        latent.slerp(a, torch.zeros(8), 0.5)


def test_attribute_vector_moves_codes_toward_the_trait():
    import pytest

    with_t = torch.randn(50, 4) + torch.tensor([3.0, 0, 0, 0])
    without = torch.randn(50, 4)
    v = latent.attribute_vector(with_t, without)
    assert v[0] > 2 and v[1:].abs().max() < 1
    z = torch.zeros(4)
    assert torch.equal(latent.add_attribute(z, v, -1.0), -v)
    with pytest.raises(ValueError):
        latent.attribute_vector(with_t[:0], without)


def test_overlap_counts_show_the_checkerboard_and_the_uncovered_edge():
    from dlhelpers.chapter.models import VAE

    counts = checkerboard.overlap_counts(VAE(image_size=64).decoder)
    assert counts.shape == (64, 64)
    assert (counts[-4:] == 0).all() and (counts[:, -4:] == 0).all()  # output_padding: no taps
    inner = counts[:56, :56]
    assert (inner > 0).all() and len(torch.unique(inner)) > 4  # uneven overlap
    middle = inner[8:48, 8:48]  # away from every edge
    assert torch.equal(middle[:8], middle[8:16]) and torch.equal(middle[:, :8], middle[:, 8:16])


def test_slerp_of_a_zero_code_falls_back_to_the_linear_blend():
    zero, z = torch.zeros(4), torch.tensor([1.0, -2.0, 0.5, 3.0])
    for blend in (core.blend, latent.slerp):
        codes = latent.path(zero, z, blend=blend)
        assert torch.isfinite(codes).all()
        assert torch.equal(codes[0], zero) and torch.allclose(codes[-1], z)
    assert torch.allclose(latent.slerp(z, zero, 0.25), 0.25 * z)


def test_path_needs_weights_and_finite_codes():
    import pytest

    z1, z2 = latent.random_codes(2, 4)
    with pytest.raises(ValueError, match="at least one weight"):
        latent.path(z1, z2, weights=())
    with pytest.raises(ValueError, match="weights holds NaN"):
        latent.path(z1, z2, weights=(0, float("nan")))
    bad = z2.clone()
    bad[0] = float("inf")
    for call in (
        lambda: latent.path(z1, bad, blend=latent.slerp),
        lambda: latent.slerp(z1, bad, 0.5),
        lambda: latent.path(bad, z1),
        lambda: latent.combine({"a": z1, "b": bad}, {"a": 1, "b": 1}),
        lambda: latent.decode(AE().eval(), torch.full((1, 20), float("nan"))),
    ):
        with pytest.raises(ValueError, match="NaN or infinite"):
            call()


def test_show_rates_draws_percentages():
    fig = plot.show_rates([1, 3, 10], {"a": [0.1, 0.5, 1.0], "b": [0.0, 0.2, 0.4]}, "faces", "t")
    lines = fig.axes[0].get_lines()
    assert [list(ln.get_ydata()) for ln in lines] == [[10, 50, 100], [0, 20, 40]]
