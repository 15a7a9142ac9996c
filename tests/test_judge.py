"""The judges, the MNIST DenseVAE and the measured claims (dlhelpers.judge)."""
import pytest
import torch
from torch import nn

from dlhelpers import checkpoints, judge, latent, models
from dlhelpers.data import Faces
from dlhelpers.models import AE, DenseVAE
from dlhelpers.train import fit_vae

MB = 1024 * 1024


# --- Stand-ins whose right answers are known ---------------------------------------------------

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

    traits = list(judge.TRAITS)

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
    attrs = {"glasses": torch.tensor(glasses), "beard": torch.tensor(beard),
             "smile": torch.zeros(n, dtype=torch.int64),
             "frame": ["dark" if g else "none" for g in glasses]}
    return Faces(images=images, glasses=torch.tensor(glasses), ids=list(range(n)),
                 files=[f"f{i}" for i in range(n)], attributes=attrs)


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
    for loaded in (checkpoints.load(tmp_path / "d.pt"), judge.load(tmp_path / "d.pt")):
        assert isinstance(loaded, DenseVAE) and loaded.config == m.config
        for k, v in m.state_dict().items():
            assert torch.allclose(v, loaded.state_dict()[k], atol=1e-2 if half else 0), k


def test_latent_encode_and_decode_work_for_the_dense_vae():
    torch.manual_seed(0)
    m = DenseVAE()
    x = torch.rand(4, 1, 28, 28)
    codes = latent.encode(m, x)
    assert codes.shape == (4, 20)
    assert torch.allclose(codes, m.encoder(x)[0])                      # the mean, not a draw
    assert judge.decode_digits(m, codes).shape == (4, 1, 28, 28)
    assert judge.decode_digits(AE(), torch.zeros(2, 20)).shape == (2, 1, 28, 28)


def test_fit_vae_trains_the_dense_vae_on_digits():
    x, _ = digits(256)
    torch.manual_seed(0)
    m = DenseVAE(h_dim=32)
    h = fit_vae(m, x, epochs=3, batch_size=64, lr=3e-3, held_out=x[:64], progress=False)
    assert all(len(h[k]) == 3 for k in ("rec", "kl", "held_out_rec", "held_out_kl"))
    assert h["rec"][-1] + h["kl"][-1] < h["rec"][0] + h["kl"][0]
    assert not m.training


# --- Blur ---------------------------------------------------------------------------------------

def test_blur_keeps_shape_and_mean_and_smooths():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 2, 16, 16, generator=g)
    assert torch.allclose(judge.blur(x, 0.0), x, atol=1e-5)
    y = judge.blur(x, torch.tensor([0.0, 1.0, 2.0]))
    assert y.shape == x.shape
    assert torch.allclose(y[0], x[0], atol=1e-5)
    assert y[2].std() < y[1].std() < x[1].std()
    assert torch.allclose(judge.blur(torch.full((1, 3, 8, 8), 0.3), 1.5), torch.full((1, 3, 8, 8), 0.3))


# --- The digit judge ----------------------------------------------------------------------------

def test_digit_net_shapes_and_probabilities():
    torch.manual_seed(0)
    net = judge.DigitNet().eval()
    x, _ = digits(7)
    for shaped in (x, x.float().div(255).flatten(1), x[:, None]):
        p = judge.digit_probs(net, shaped)
        assert p.shape == (7, 10) and torch.allclose(p.sum(1), torch.ones(7), atol=1e-5)
    c = judge.digit_confidence(net, x)
    assert c.shape == (7,) and (c >= 0.1 - 1e-6).all() and (c <= 1).all()


def test_digit_judge_training_is_repeatable():
    x, y = digits(96)
    a = judge.train_digit_judge(x, y, epochs=1, batch_size=32, seed=3, progress=False)
    b = judge.train_digit_judge(x, y, epochs=1, batch_size=32, seed=3, progress=False)
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k]), k
    assert len(a.history["loss"]) == 1


def test_digit_judge_learns_real_digits(mnist_root):
    from dlhelpers import data
    x, y = data.mnist(train=True)
    xt, yt = data.mnist(train=False)
    net = judge.train_digit_judge(x[:2000], y[:2000], epochs=2, batch_size=32, progress=False)
    assert judge.digit_accuracy(net, xt[:500], yt[:500]) > 0.7          # 10% by chance


# --- The trait judge ----------------------------------------------------------------------------

@pytest.mark.parametrize("side", [32, 64, 96])
def test_trait_net_scores_any_size(side):
    torch.manual_seed(0)
    net = judge.TraitNet().eval()
    x = (torch.rand(3, 3, side, side) * 255).to(torch.uint8)
    s = judge.trait_scores(net, x)
    assert list(s) == list(judge.TRAITS)
    assert all(v.shape == (3,) and (0 <= v).all() and (v <= 1).all() for v in s.values())
    assert judge.trait_scores(net, x[0])["glasses"].shape == (1,)


def test_trait_targets_mask_frames_of_faces_without_glasses():
    f = stub_faces(1)
    target, mask = judge.trait_targets(f.attributes, f.glasses)
    assert target.shape == mask.shape == (4, 4)
    assert mask[:, 2].tolist() == f.glasses.float().tolist()         # dark_frame only with glasses
    assert target[:, 0].tolist() == f.glasses.float().tolist()


def test_render_faces_twins_differ_in_exactly_one_trait():
    f, twins = judge.render_faces(12, seed=5, size=32, counterfactual=True)
    assert f.images.shape == (12, 3, 32, 32) and f.images.dtype == torch.uint8
    for i in range(12):
        changed = [k for k in ("frame", "beard", "smile")
                   if (f.attributes[k][i] != twins.attributes[k][i])]
        assert len(changed) == 1, (i, changed)
        assert not torch.equal(f.images[i], twins.images[i])


def test_trait_judge_training_is_repeatable_and_uses_twins():
    f, twins = judge.render_faces(16, seed=5, size=32, counterfactual=True)
    a = judge.train_trait_judge(f, epochs=1, batch_size=8, image_size=32, twins=twins, seed=1,
                                progress=False)
    b = judge.train_trait_judge(f, epochs=1, batch_size=8, image_size=32, twins=twins, seed=1,
                                progress=False)
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k]), k
    assert a.history["loss"][0] > 0
    with pytest.raises(ValueError, match="attributes"):
        judge.train_trait_judge(Faces(f.images, f.glasses, f.ids, f.files), epochs=1)


# --- Claim 1: arithmetic ------------------------------------------------------------------------

def test_select_matches_attributes_and_pool():
    f = stub_faces(3)
    assert judge.select(f, {"beard": 1, "glasses": 0}).tolist() == [6, 7, 8]
    assert judge.select(f, {"frame": "dark"}).tolist() == [3, 4, 5, 9, 10, 11]
    assert judge.select(f, {"beard": 1}, pool=[0, 6, 9]).tolist() == [6, 9]


def test_arithmetic_on_a_model_where_it_must_work():
    f = stub_faces(5)
    r = judge.arithmetic_success(StubVAE(), StubJudge(), f, draws=6, per_group=3, seed=0,
                                 return_images=True)
    assert r["successes"] == r["draws"] == 6 and r["rate"] == 1.0
    assert r["target"] == {"beard": 1, "glasses": 0} and r["images"].shape == (6, 3, 8, 8)
    for d in r["per_draw"]:
        assert set(d["indices"]) == {"beard_g", "nobeard_g", "nobeard_ng"}
        for group, idx in d["indices"].items():
            assert len(idx) == len(set(idx)) == 3
            assert set(idx) <= set(judge.select(f, judge.GROUPS[group]).tolist())
        assert d["probs"]["beard"] > 0.99 and d["probs"]["glasses"] < 0.01
    table = judge.arithmetic_table(StubVAE(), StubJudge(), f, draws=4)
    assert {k: v["successes"] for k, v in table.items()} == {
        "chapter": 4, "beard_g": 4, "nobeard_g": 4, "nobeard_ng": 4}


def test_arithmetic_counts_failures_and_is_seeded():
    f = stub_faces(5)
    wrong = judge.arithmetic_success(StubVAE(), StubJudge(), f, draws=5,
                                     expression=judge.CHAPTER["expression"],
                                     target={"beard": 0, "glasses": 0})
    assert wrong["successes"] == 0 and not any(d["success"] for d in wrong["per_draw"])
    a = judge.arithmetic_success(StubVAE(), StubJudge(), f, draws=5, seed=1)
    b = judge.arithmetic_success(StubVAE(), StubJudge(), f, draws=5, seed=1)
    c = judge.arithmetic_success(StubVAE(), StubJudge(), f, draws=5, seed=2)
    assert a["per_draw"] == b["per_draw"]
    assert [d["indices"] for d in a["per_draw"]] != [d["indices"] for d in c["per_draw"]]


def test_arithmetic_refuses_small_groups_and_custom_expressions_without_target():
    f = stub_faces(2)
    with pytest.raises(ValueError, match="too few"):
        judge.arithmetic_success(StubVAE(), StubJudge(), f, per_group=3)
    with pytest.raises(ValueError, match="target"):
        judge.arithmetic_success(StubVAE(), StubJudge(), f, per_group=1,
                                 expression={"beard_g": 1, "beard_ng": -1})


# --- Claim 2: interpolation ---------------------------------------------------------------------

def test_is_monotone_allows_tiny_wiggles_only():
    assert judge.is_monotone([0.0, 0.1, 0.5, 0.49, 0.9, 1.0])
    assert judge.is_monotone([0.0, 0.1, 0.5, 0.49, 0.485, 0.9])          # never 0.02 below the top
    assert not judge.is_monotone([0.0, 0.1, 0.5, 0.45, 0.9, 1.0])
    assert not judge.is_monotone([0.0, 0.5, 0.49, 0.48, 0.47, 1.0])      # small steps add up
    assert judge.is_monotone([1.0, 0.8, 0.81, 0.2, 0.0])
    assert not judge.is_monotone([1.0, 0.0, 1.0, 0.0, 0.9])
    assert judge.is_monotone([0.3]) and judge.is_monotone([0.2, 0.2, 0.2])
    assert judge.is_monotone([0.0, 0.5, 0.45, 1.0], tolerance=0.1)


def test_crossings_counts_and_places_them():
    assert judge.crossings([0.0, 0.2, 0.8, 1.0]) == [pytest.approx(0.5)]
    assert judge.crossings([0.9, 0.1, 0.9]) == [pytest.approx(0.25), pytest.approx(0.75)]
    assert judge.crossings([0.2, 0.5, 0.2]) == []                         # touching is not crossing
    assert judge.crossings([0.2, 0.5, 0.8]) == [pytest.approx(0.5)]
    assert judge.crossings([0.1, 0.3, 0.4]) == []
    assert judge.crossings([0.0, 1.0], weights=[0, 10]) == [pytest.approx(5.0)]


def test_interpolation_profile_on_a_model_where_it_must_rise():
    p = judge.interpolation_profile(StubVAE(), StubJudge(), torch.tensor([0.0, 0.0]),
                                    torch.tensor([0.0, 1.0]), steps=11, trait="glasses")
    assert len(p["weights"]) == len(p["probs"]) == 11 and p["weights"][0] == 0 and p["weights"][-1] == 1
    assert p["monotone"] and p["direction"] == "rising" and p["crossings"] == 1
    assert p["crossing_at"][0] == pytest.approx(0.5, abs=0.05)
    assert set(p["all"]) == set(judge.TRAITS) and max(p["all"]["beard"]) < 0.01
    back = judge.interpolation_profile(StubVAE(), StubJudge(), torch.tensor([0.0, 1.0]),
                                       torch.tensor([0.0, 0.0]), steps=5)
    assert back["direction"] == "falling" and back["monotone"] and len(back["probs"]) == 5


def test_interpolation_survey_counts_profiles():
    f = stub_faces(4)
    s = judge.interpolation_survey(StubVAE(), StubJudge(), f, {"glasses": 1}, {"glasses": 0},
                                   "glasses", pairs=3, steps=6, seed=0)
    assert s["pairs"] == 3 and len(s["profiles"]) == 3
    assert s["monotone"] == 3 and s["one_crossing"] == 3
    assert all(f.glasses[p["indices"][0][0]] == 1 and f.glasses[p["indices"][1][0]] == 0
               for p in s["profiles"])


def test_reconstruction_survival_structure():
    f = stub_faces(3)
    r = judge.reconstruction_survival(StubVAE(), StubJudge(), f, n=8)
    assert r["n"] == 8 and r["glasses"] == 1.0 and r["beard"] == 1.0


# --- Claim 3: AE vs VAE ------------------------------------------------------------------------

def test_ae_vs_vae_digits_structure_and_seed():
    torch.manual_seed(0)
    ae, vae, net = AE(), DenseVAE(), judge.DigitNet()
    x, y = digits(40)
    r = judge.ae_vs_vae_digits(ae, vae, net, x, y, n=30, threshold=0.5, seed=1)
    assert r["n"] == 30 and r["threshold"] == 0.5
    for model in ("AE", "VAE"):
        assert set(r[model]) == {"random", "midpoint", "reconstruction"}
        for cell in r[model].values():
            assert 0 <= cell["confident"] <= 1 and 0.1 - 1e-4 <= cell["mean_confidence"] <= 1
        assert 0 <= r[model]["midpoint"]["either"] <= 1
    assert 0 <= r["real"]["agrees"] <= 1
    assert r == judge.ae_vs_vae_digits(ae, vae, net, x, y, n=30, threshold=0.5, seed=1)
    everything = judge.ae_vs_vae_digits(ae, vae, net, x, y, n=30, threshold=0.0, seed=1)
    assert everything["AE"]["random"]["confident"] == 1.0


# --- Loading and the command line ----------------------------------------------------------------

def test_judges_round_trip_through_checkpoints(tmp_path):
    torch.manual_seed(0)
    for net in (judge.DigitNet(), judge.TraitNet(image_size=32, traits=("glasses", "beard"))):
        checkpoints.save(net, tmp_path / "j.pt", half=True)
        back = judge.load(tmp_path / "j.pt")
        assert type(back) is type(net) and back.config == net.config and not back.training
    assert back.traits == ["glasses", "beard"]


def test_load_refuses_a_bare_state_dict(tmp_path):
    torch.save(judge.DigitNet().state_dict(), tmp_path / "bare.pt")
    with pytest.raises(ValueError, match="not a dlhelpers checkpoint"):
        judge.load(tmp_path / "bare.pt")


def test_command_line_rejects_unknown_targets():
    with pytest.raises(SystemExit):
        judge.main(["pictures"])


# --- The shipped files ---------------------------------------------------------------------------

def shipped(path):
    if not path.is_file():
        pytest.skip(f"{path.name} not built yet (python -m dlhelpers.judge)")
    assert path.stat().st_size < MB, f"{path} is {path.stat().st_size / MB:.2f} MB"
    return judge.load(path)


def test_shipped_digit_judge_reads_test_digits(mnist_root):
    from dlhelpers import data
    net = shipped(judge.DIGITS_PATH)
    xt, yt = data.mnist(train=False)
    idx = torch.randperm(len(xt), generator=torch.Generator().manual_seed(0))[:500]
    assert judge.digit_accuracy(net, xt[idx], yt[idx]) >= 0.95


def test_shipped_trait_judge_reads_fresh_faces():
    net = shipped(judge.FACES_PATH)
    f = judge.render_faces(200, seed=123)                 # never seen in training
    acc = judge.trait_accuracy(net, f.images, f.attributes, f.glasses)
    assert acc["glasses"] >= 0.9 and acc["beard"] >= 0.9
    blurred = judge.trait_accuracy(net, f.images, f.attributes, f.glasses, sigma=1.5)
    assert blurred["glasses"] >= 0.9


def test_shipped_dense_vae_reconstructs_digits(mnist_root):
    from dlhelpers import data
    from dlhelpers.train import vae_scores
    vae = shipped(judge.DENSE_VAE_PATH)
    assert isinstance(vae, DenseVAE)
    xt, _ = data.mnist(train=False)
    assert vae_scores(vae, xt[:500])["mse"] < 0.03
