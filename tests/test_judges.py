"""The judges (``dlhelpers.measure.judges``), their networks and augmentation, the MNIST DenseVAE, and the
shipped judge files."""

import math

import pytest
import torch

from dlhelpers import settings
from dlhelpers.chapter import latent, models
from dlhelpers.chapter.models import AE, DenseVAE
from dlhelpers.data import synthetic_set
from dlhelpers.data.face_folder import FaceSet
from dlhelpers.engine import checkpoints
from dlhelpers.engine.train import fit_vae
from dlhelpers.measure import augment, judges, nets
from stubs import stub_faces

MB = 1024 * 1024


def digits(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 28, 28, generator=g) * 255).to(torch.uint8), torch.arange(n) % 10


# --- DenseVAE ------------------------------------------------------------------------------------


def test_dense_vae_shapes_and_ranges():
    torch.manual_seed(0)
    m = DenseVAE()
    x = torch.rand(5, 1, 28, 28)
    mu, std, out = m(x)
    assert mu.shape == std.shape == (5, 20) and out.shape == (5, 784)
    assert (std > 0).all() and 0 <= out.min() and out.max() <= 1
    mu2, std2, z = m.encoder(x.flatten(1))
    assert torch.allclose(mu, mu2) and z.shape == (5, 20) and not torch.equal(z, mu)
    assert m.decoder(torch.zeros(3, 20)).shape == (3, 784)
    assert "DenseVAE" in models.MODELS and m.config == dict(input_dim=784, z_dim=20, h_dim=200)


@pytest.mark.parametrize("half", [False, True])
def test_dense_vae_round_trips_through_checkpoints(tmp_path, half):
    torch.manual_seed(0)
    m = DenseVAE(z_dim=8, h_dim=32)
    checkpoints.save(m, tmp_path / "d.pt", half=half)
    for loaded in (checkpoints.load(tmp_path / "d.pt"), checkpoints.load(tmp_path / "d.pt")):
        assert isinstance(loaded, DenseVAE) and loaded.config == m.config
        for k, v in m.state_dict().items():
            assert torch.allclose(v, loaded.state_dict()[k], atol=1e-2 if half else 0), k


def test_latent_encode_and_decode_work_for_the_dense_vae():
    torch.manual_seed(0)
    m = DenseVAE()
    x = torch.rand(4, 1, 28, 28)
    codes = latent.encode(m, x)
    assert codes.shape == (4, 20)
    assert torch.allclose(codes, m.encoder(x)[0])  # the mean, not a draw
    assert latent.decode(m, codes).shape == (4, 1, 28, 28)
    assert latent.decode(AE(), torch.zeros(2, 20)).shape == (2, 1, 28, 28)


def test_fit_vae_trains_the_dense_vae_on_digits():
    x, _ = digits(256)
    torch.manual_seed(0)
    m = DenseVAE(h_dim=32)
    h = fit_vae(m, x, epochs=3, batch_size=64, lr=3e-3, held_out=x[:64], progress=False)
    assert all(len(h[k]) == 3 for k in ("rec", "kl", "held_out_rec", "held_out_kl"))
    assert h["rec"][-1] + h["kl"][-1] < h["rec"][0] + h["kl"][0]
    assert not m.training


# --- Blur ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.7, 1.5])
def test_blur_matches_torchvision_gaussian_blur_away_from_the_edges(sigma):
    from torchvision.transforms.functional import gaussian_blur

    x = torch.rand(2, 3, 24, 24, generator=torch.Generator().manual_seed(2))
    radius = math.ceil(3 * sigma)
    expected = gaussian_blur(x, kernel_size=2 * radius + 1, sigma=sigma)
    inner = slice(radius, -radius)  # the edges are padded differently
    assert torch.allclose(augment.blur(x, sigma)[..., inner, inner], expected[..., inner, inner], atol=1e-5)


def test_blur_keeps_shape_and_mean_and_smooths():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 2, 16, 16, generator=g)
    assert torch.allclose(augment.blur(x, 0.0), x, atol=1e-5)
    y = augment.blur(x, torch.tensor([0.0, 1.0, 2.0]))
    assert y.shape == x.shape
    assert torch.allclose(y[0], x[0], atol=1e-5)
    assert y[2].std() < y[1].std() < x[1].std()
    assert torch.allclose(augment.blur(torch.full((1, 3, 8, 8), 0.3), 1.5), torch.full((1, 3, 8, 8), 0.3))


# --- The digit judge ----------------------------------------------------------------------------


def test_digit_net_shapes_and_probabilities():
    torch.manual_seed(0)
    net = nets.DigitNet().eval()
    x, _ = digits(7)
    for shaped in (x, x.float().div(255).flatten(1), x[:, None]):
        p = judges.digit_probs(net, shaped)
        assert p.shape == (7, 10) and torch.allclose(p.sum(1), torch.ones(7), atol=1e-5)


def test_digit_judge_training_is_repeatable():
    x, y = digits(96)
    a = judges.train_digit_judge(x, y, epochs=1, batch_size=32, lr=2e-3, seed=3, progress=False)
    b = judges.train_digit_judge(x, y, epochs=1, batch_size=32, lr=2e-3, seed=3, progress=False)
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k]), k
    assert len(a.history["loss"]) == 1


@pytest.mark.slow
def test_digit_judge_learns_real_digits(mnist_root):
    from dlhelpers import data

    x, y = data.mnist(train=True)
    xt, yt = data.mnist(train=False)
    net = judges.train_digit_judge(x[:2000], y[:2000], epochs=2, batch_size=32, lr=2e-3, progress=False)
    assert judges.digit_accuracy(net, xt[:500], yt[:500]) > 0.7  # 10% by chance


# --- The trait judge ----------------------------------------------------------------------------


@pytest.mark.parametrize("side", [32, 64, 96])
def test_trait_net_scores_any_size(side):
    torch.manual_seed(0)
    net = nets.TraitNet().eval()
    x = (torch.rand(3, 3, side, side) * 255).to(torch.uint8)
    s = judges.trait_scores(net, x)
    assert list(s) == list(nets.TRAITS)
    assert all(v.shape == (3,) and (0 <= v).all() and (v <= 1).all() for v in s.values())
    assert judges.trait_scores(net, x[0])["glasses"].shape == (1,)


def test_trait_targets_mask_frames_of_faces_without_glasses():
    f = stub_faces(1)
    target, mask = judges.trait_targets(f.attributes, f.glasses)
    assert target.shape == mask.shape == (4, 4)
    assert mask[:, 2].tolist() == f.glasses.float().tolist()  # dark_frame only with glasses
    assert target[:, 0].tolist() == f.glasses.float().tolist()


def test_render_faces_twins_differ_in_exactly_one_trait():
    f, twins = synthetic_set.render_set(12, seed=5, size=32, counterfactual=True)
    assert f.images.shape == (12, 3, 32, 32) and f.images.dtype == torch.uint8
    for i in range(12):
        changed = [k for k in ("frame", "beard", "smile") if (f.attributes[k][i] != twins.attributes[k][i])]
        assert len(changed) == 1, (i, changed)
        assert not torch.equal(f.images[i], twins.images[i])


@pytest.mark.slow
def test_trait_judge_training_is_repeatable_and_uses_twins():
    f, twins = synthetic_set.render_set(16, seed=5, size=32, counterfactual=True)
    a = judges.train_trait_judge(
        f, epochs=1, batch_size=8, lr=3e-3, image_size=32, twins=twins, seed=1, progress=False
    )
    b = judges.train_trait_judge(
        f, epochs=1, batch_size=8, lr=3e-3, image_size=32, twins=twins, seed=1, progress=False
    )
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k]), k
    c = judges.train_trait_judge(
        f, epochs=1, batch_size=8, lr=3e-3, image_size=32, seed=1, progress=False
    )  # the same without twins
    assert any(not torch.equal(v, c.state_dict()[k]) for k, v in a.state_dict().items())
    with pytest.raises(ValueError, match="attributes"):
        judges.train_trait_judge(
            FaceSet(f.images, f.glasses, f.ids, f.files), epochs=1, batch_size=8, lr=3e-3
        )


# --- Loading and the command line ----------------------------------------------------------------


def test_judges_round_trip_through_checkpoints(tmp_path):
    torch.manual_seed(0)
    for net in (nets.DigitNet(), nets.TraitNet(image_size=32, traits=("glasses", "beard"))):
        checkpoints.save(net, tmp_path / "j.pt", half=True)
        back = checkpoints.load(tmp_path / "j.pt")
        assert type(back) is type(net) and back.config == net.config and not back.training
    assert back.traits == ["glasses", "beard"]


def test_load_refuses_a_bare_state_dict(tmp_path):
    torch.save(nets.DigitNet().state_dict(), tmp_path / "bare.pt")
    with pytest.raises(ValueError, match="bare state_dict; pass the model"):
        checkpoints.load(tmp_path / "bare.pt")


def test_command_line_rejects_unknown_judges(capsys):
    from dlhelpers.tools.cli import main

    with pytest.raises(SystemExit):
        main(["train", "judges", "pictures"])
    assert "invalid choice: 'pictures'" in capsys.readouterr().err


# --- The shipped files ---------------------------------------------------------------------------


def shipped(path):
    if not path.is_file():
        pytest.skip(f"{path.name} not built yet (python -m dlhelpers train judges)")
    assert path.stat().st_size < MB, f"{path} is {path.stat().st_size / MB:.2f} MB"
    return checkpoints.load(path)


@pytest.mark.slow
def test_shipped_digit_judge_reads_test_digits(mnist_root):
    from dlhelpers import data

    net = shipped(judges.DIGITS_PATH)
    xt, yt = data.mnist(train=False)
    idx = torch.randperm(len(xt), generator=torch.Generator().manual_seed(0))[:500]
    assert judges.digit_accuracy(net, xt[idx], yt[idx]) >= 0.95


@pytest.mark.slow
def test_shipped_trait_judge_reads_fresh_faces():
    net = shipped(judges.TRAITS_PATH)
    f = synthetic_set.render_set(200, seed=123)  # never seen in training
    acc = judges.trait_accuracy(net, f.images, f.attributes, f.glasses)
    assert acc["glasses"] >= 0.9 and acc["beard"] >= 0.9
    blurred = judges.trait_accuracy(net, f.images, f.attributes, f.glasses, sigma=1.5)
    assert blurred["glasses"] >= 0.9


def test_shipped_dense_vae_reconstructs_digits(mnist_root):
    from dlhelpers import data
    from dlhelpers.engine.train import vae_scores

    vae = shipped(settings.FILES / "dense_vae_mnist.pt")
    assert isinstance(vae, DenseVAE)
    xt, _ = data.mnist(train=False)
    assert vae_scores(vae, xt[:500])["mse"] < 0.03
