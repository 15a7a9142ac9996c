"""What a VAE keeps (``dlhelpers.measure.survival``), on stand-ins whose right answers are known."""

import torch
import torch.nn.functional as F
from torch import nn

from dlhelpers.chapter.latent import to_float
from dlhelpers.measure import survival
from stubs import StubJudge, StubVAE, stub_faces


def test_reconstruction_survival_structure():
    f = stub_faces(3)
    r = survival.reconstruction_survival(StubVAE(), StubJudge(), f, n=8)
    assert r["n"] == 8 and r["glasses"] == 1.0 and r["beard"] == 1.0


class LookupVAE(nn.Module):
    """The code is the image itself; decoding shows ``show(image)``: a VAE whose rebuilds we pick."""

    def __init__(self, show):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))
        self.show, self.side = show, None

    def encoder(self, x):
        self.side = x.shape[-1]
        flat = x.flatten(1)
        return flat, torch.ones_like(flat), flat

    def decoder(self, z):
        return self.show(z.view(len(z), 3, self.side, self.side))


def test_frames_kept_tells_drawn_frames_from_missing_or_misplaced_ones():
    from dlhelpers.data import synthetic_set

    faces, bare, frames = synthetic_set.glasses_variants(24, seed=5, size=64, thin_frames=True)
    assert len(faces) == len(bare) == len(frames) == int(faces.glasses.sum()) > 4
    assert (frames.float() - bare.float()).abs().amax((1, 2, 3)).min() > 20  # frames drawn
    kinds = set(faces.attributes["frame"])
    same = survival.frames_kept(LookupVAE(lambda x: x), faces, bare, frames)
    assert same["r"].min() > 0.6 and all(same[k] == 1.0 for k in kinds)
    gone = survival.frames_kept(LookupVAE(lambda x: to_float(bare)), faces, bare, frames)
    assert all(gone[k] == 0.0 for k in kinds)
    moved = survival.frames_kept(LookupVAE(lambda x: x.roll(6, dims=-1)), faces, bare, frames)
    assert moved["r"].mean() < 0.4  # a frame 6 px off its place is not "kept"
    footprint = (to_float(faces.images) - to_float(bare)).abs().amax(1, keepdim=True) > 0.02
    smudge = F.max_pool2d(footprint.float(), 3, 1, 1)  # glasses and lenses, filled in dark
    worn = to_float(faces.images)
    dull = survival.frames_kept(
        LookupVAE(lambda x: (to_float(bare) - 0.4 * smudge).clamp(0, 1) if torch.equal(x, worn) else x),
        faces,
        bare,
        frames,
    )
    assert dull["all"] == 0.0  # a dark patch where the glasses were is no frame
    soft = survival.frames_kept(LookupVAE(lambda x: F.avg_pool2d(x, 3, 1, 1)), faces, bare, frames)
    assert soft["all"] == 1.0  # a copy blurred over 3 px still draws its frames


def test_thin_frames_kept_counts_by_judge_and_by_shape_on_any_drawn_variants():
    from dlhelpers.data import synthetic_set

    variants = synthetic_set.glasses_variants(12, seed=5, size=32, thin_frames=True)
    exact = survival.thin_frames_kept(LookupVAE(lambda x: x), StubJudge(), variants)
    assert exact["shape_all"] == 1.0 and exact["faces"] == len(variants[0])
    blank = survival.thin_frames_kept(LookupVAE(lambda x: x * 0), StubJudge(), variants)
    assert blank["shape_all"] == 0.0 and blank["judge_all"] == 0.0  # a black rebuild: no green, no glasses
    green = survival.thin_frames_kept(LookupVAE(lambda x: x * 0 + 1), StubJudge(), variants)
    assert green["judge_all"] == green["judge_dark"] == 1.0  # the stub judge reads glasses in green


def test_thin_study_draws_the_dataset_faces_with_a_share_of_thin_frames():
    from dlhelpers.data import synthetic_set
    from dlhelpers.tools import thin_study

    bold = thin_study.mixed_faces(0.0, size=32, n=24)
    thin = thin_study.mixed_faces(1.0, size=32, n=24)
    drawn = torch.stack([synthetic_set.draw(synthetic_set.face_traits(i, 0), 32) for i in range(1, 25)])
    assert torch.equal(bold.images, drawn)  # share 0: the dataset's own faces
    g = thin.glasses == 1
    assert 4 < int(g.sum()) < 24 and torch.equal(thin.attributes["thin"], g.long())
    assert torch.equal(thin.images[~g], bold.images[~g]) and not torch.equal(thin.images[g], bold.images[g])
    some = thin_study.mixed_faces(0.5, size=32, n=24).attributes["thin"]
    assert 0 < int(some.sum()) < int(g.sum())


def test_rebuilt_eyes_shows_the_frame_kind_asked_for():
    """Over 40 faces, crops of thin light frames are paler than of thin dark ones (3 faces are
    not enough: skin and hair vary more); one row per model after the originals, n crops each."""
    vae = StubVAE(side=32)
    vae.config = {"image_size": 32}
    dark = survival.rebuilt_eyes({"stub": vae}, n=40, side=64, frame="dark")
    light = survival.rebuilt_eyes({"stub": vae}, n=40, side=64, frame="light")
    assert dark.shape == light.shape and dark.shape[0] == 2 * 40
    assert light[:40].mean() > dark[:40].mean() + 0.03  # 0.66 against 0.60 when written
