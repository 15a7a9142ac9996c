import pytest
import torch

from dlhelpers import checkpoints, latent, settings
from dlhelpers.models import VAE
from dlhelpers.train import fit_vae, vae_scores


def images(n=24, side=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 3, side, side, generator=g) * 255).to(torch.uint8)


def run(epochs, ckpt=None, **kw):
    settings.seed(0)
    model = VAE(latent_dims=8, image_size=16)
    hist = fit_vae(model, images(), epochs=epochs, batch_size=8, lr=1e-3, held_out=images(8, seed=1),
                   sample_codes=latent.random_codes(3, 8), checkpoint=ckpt, progress=False, **kw)
    return model, hist


def test_history_has_per_image_parts_and_a_sample_grid_per_epoch():
    model, hist = run(2)
    assert len(hist["rec"]) == len(hist["kl"]) == len(hist["held_out_rec"]) == 2
    scores = vae_scores(model, images(8, seed=1))             # the held-out images of run()
    assert hist["held_out_rec"][-1] == pytest.approx(scores["rec"], rel=1e-4)
    assert hist["held_out_kl"][-1] == pytest.approx(scores["kl"], rel=1e-4)
    assert len(hist["samples"]) == 2 and hist["samples"][0].dtype == torch.uint8


def test_training_lowers_the_loss():
    _, hist = run(6)
    assert hist["rec"][-1] + hist["kl"][-1] < hist["rec"][0] + hist["kl"][0]


def test_resume_after_interruption_equals_an_uninterrupted_run(tmp_path):
    full, hist_full = run(3, tmp_path / "a.pt")
    run(1, tmp_path / "b.pt")                       # "killed" after epoch 1
    resumed, hist_resumed = run(3, tmp_path / "b.pt")
    for k, v in full.state_dict().items():
        assert torch.equal(v, resumed.state_dict()[k]), k
    assert hist_full["rec"] == hist_resumed["rec"]
    assert checkpoints.extra(tmp_path / "b.pt")["epoch"] == 3


def test_ctrl_c_keeps_the_last_complete_epoch(tmp_path, monkeypatch):
    import dlhelpers.train as train
    calls = {"n": 0}
    real = train.vae_loss

    def interrupt_in_epoch_2(*a):
        calls["n"] += 1
        if calls["n"] == 6:         # epoch 1 = 3 batches + 1 held-out pass; call 6 is in epoch 2
            raise KeyboardInterrupt
        return real(*a)
    monkeypatch.setattr(train, "vae_loss", interrupt_in_epoch_2)
    with pytest.raises(KeyboardInterrupt):
        run(3, tmp_path / "c.pt")
    assert checkpoints.extra(tmp_path / "c.pt")["epoch"] == 1


def test_non_finite_loss_names_epoch_and_batch():
    with pytest.raises(FloatingPointError, match="epoch 1/1, batch 1"):
        _nan_run()


def _nan_run():
    settings.seed(0)
    model = VAE(latent_dims=8, image_size=16)
    with torch.no_grad():
        model.encoder.linear2.bias.fill_(float("nan"))
    fit_vae(model, images(), epochs=1, batch_size=8, lr=1e-3, progress=False)


def test_vae_scores_per_image_and_per_pixel():
    model = VAE(latent_dims=8, image_size=16)
    s = vae_scores(model, images())
    assert s["mse"] == pytest.approx(s["rec"] / (3 * 16 * 16)) and s["kl"] >= 0


def test_rec_weight_trades_reconstruction_against_kl():
    """A heavier reconstruction term gives a lower error and a larger KL at the same epochs."""
    chapter = run(4)[1]
    heavy = run(4, rec_weight=64.0)[1]
    assert heavy["rec"][-1] < chapter["rec"][-1]           # training images: noise, memorised
    assert heavy["kl"][-1] > chapter["kl"][-1]
