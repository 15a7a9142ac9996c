"""What a VAE keeps: how often a trait survives a trip through the code, measured two ways.

    from dlhelpers.measure import survival
    survival.reconstruction_survival(vae, trait_judge, faces)   # the judge still sees the trait
    survival.frames_kept(vae, *synthetic_set.glasses_variants(500, thin_frames=True))  # no judge
    survival.thin_frames_kept(vae, trait_judge, synthetic_set.glasses_variants(500, thin_frames=True))

The chapter's claims (``dlhelpers.measure.claims``) are only as good as their inputs: an arithmetic that
"removes" glasses the VAE never kept succeeds for nothing. These measurements say what the inputs
still carry; notebook 05 and ``lesson_check`` report them.
"""

import torch
import torch.nn.functional as F

from dlhelpers.chapter import latent
from dlhelpers.chapter.latent import to_float
from dlhelpers.data import synthetic_set
from dlhelpers.measure.judges import trait_accuracy, trait_scores


def reconstruction_survival(vae, judge, faces, n=500, seed=0, pool=None):
    """How often the judge still sees each trait of the input in its reconstruction (mean code).

    Returns {trait: share of the n faces whose reconstruction the judge labels as the input is
    labelled} (``dark_frame`` over faces with glasses only), "glasses_<frame>" (the same for
    glasses, per kind of frame: none / dark / light, when the faces have a frame column) and "n".
    """
    idx = torch.as_tensor(pool) if pool is not None else torch.arange(len(faces))
    idx = idx[torch.randperm(len(idx), generator=torch.Generator().manual_seed(seed))[:n]]
    some = faces.subset(idx)
    rec = latent.decode(vae, latent.encode(vae, to_float(some.images)))
    attrs = some.attributes
    out = trait_accuracy(judge, rec, attrs, some.glasses)
    if "frame" in attrs:  # glasses kept, per kind of frame
        seen = trait_scores(judge, rec)["glasses"] >= 0.5
        frames = attrs["frame"]
        for kind in sorted(set(frames)):
            m = torch.tensor([f == kind for f in frames])
            hit = seen[m] if kind != "none" else ~seen[m]
            out[f"glasses_{kind}"] = hit.float().mean().item()
    out["n"] = len(idx)
    return out


def frames_kept(vae, faces, bare, frames, at=64, min_r=0.5):
    """Without a judge: does each reconstruction still draw the glasses' frames where they were?

    ``faces``, ``bare``, ``frames``: from ``synthetic_set.glasses_variants`` (faces with glasses,
    the same without glasses, with frames only). Each face is rebuilt from its mean code; the
    rebuild, the bare face and the frames-only face are shrunk to ``at`` px, so that models of any
    size are compared alike. Over the frame's pixels grown by 2 px, less the pixels where the
    tinted lenses change the face more than the frame does, what the glasses change in the
    rebuild (rebuild of the face - rebuild of the bare face) is correlated with what the frame
    changes in the drawing: r near 1 when the frame is drawn in its place (an exact copy scores
    1), near 0 for nothing there, a blank rebuild or a shapeless dark smudge.
    Returns {"r": (K,) tensor, "all": share of the faces with r >= ``min_r``, and the same share
    per kind of frame}.
    """

    rec, rec_bare = (latent.decode(vae, latent.encode(vae, to_float(x))) for x in (faces.images, bare))
    rec, rec_bare, ring, plain, worn = (
        F.interpolate(t, size=(at, at), mode="bilinear", antialias=True) if t.shape[-1] != at else t
        for t in (rec, rec_bare, to_float(frames), to_float(bare), to_float(faces.images))
    )
    drawn, frame = rec - rec_bare, ring - plain
    near = F.max_pool2d((frame.abs().amax(1, keepdim=True) > 0.05).float(), 5, 1, 2) > 0
    lens = (worn - ring).abs().amax(1, keepdim=True) > frame.abs().amax(1, keepdim=True)
    region = near & ~lens
    r = torch.stack(
        [
            torch.corrcoef(torch.stack([d[m.expand_as(d)], f[m.expand_as(f)]]))[0, 1]
            for d, f, m in zip(drawn, frame, region)
        ]
    ).nan_to_num(0.0)
    out = {"r": r, "all": (r >= min_r).float().mean().item()}
    kinds = faces.attributes["frame"]
    for kind in sorted(set(kinds)):
        m = torch.tensor([k == kind for k in kinds])
        out[kind] = (r[m] >= min_r).float().mean().item()
    return out


def thin_frames_kept(vae, judge, variants):
    """Glasses kept in the rebuilds of faces the model never saw, by the judge and by shape.

    ``variants``: ``(faces, bare, frames)`` as ``synthetic_set.glasses_variants`` or
    ``photo_faces.check_faces`` draw them (faces with glasses, the same faces bare, the frames
    alone), at the model's size. Returns shares 0..1: "judge_<all|dark|light>" (the judge still
    sees glasses in the rebuild, over all glasses faces and per frame colour) and
    "shape_<all|dark|light>" (``frames_kept``: the frame is drawn in its place), and "faces"
    (how many faces with glasses).
    """
    faces, bare, frames = variants
    rec = latent.decode(vae, latent.encode(vae, to_float(faces.images)))
    seen = trait_scores(judge, rec)["glasses"] >= 0.5
    kinds = faces.attributes["frame"]
    out = {"judge_all": seen.float().mean().item()}
    for kind in ("dark", "light"):
        m = torch.tensor([k == kind for k in kinds])
        out[f"judge_{kind}"] = seen[m].float().mean().item() if m.any() else float("nan")
    shape = frames_kept(vae, faces, bare, frames)
    out.update(
        shape_all=shape["all"],
        shape_dark=shape.get("dark", float("nan")),
        shape_light=shape.get("light", float("nan")),
        faces=len(faces),
    )
    return out


def rebuilt_eyes(models, n=8, seed=99, side=128, frame="dark"):
    """The eyes of ``n`` faces with thin ``frame`` ("dark" or "light") frames, as drawn and as each
    VAE rebuilds them.

    ``models``: name -> VAE (any sizes). Returns floats (n * (1 + len(models)), 3, h, w) in
    [0, 1]: the band of the eyes (rows 23 % .. 62 %, the middle 80 % of the columns) of the
    originals, then of each model's rebuilds, all enlarged to ``side`` px: ready for a grid of
    ``n`` columns.
    """

    rows = []
    for i, vae in enumerate(models.values()):
        size = vae.config["image_size"]
        faces = synthetic_set.render_set(8 * n, seed=seed, size=size, thin_frames=True)
        kind = [j for j, k in enumerate(faces.attributes["frame"]) if k == frame][:n]
        x = to_float(faces.images[kind])
        if i == 0:
            rows.append(F.interpolate(x, size=(side, side), mode="bilinear"))
        rows.append(
            F.interpolate(latent.decode(vae, latent.encode(vae, x)), size=(side, side), mode="bilinear")
        )
    top, bottom, margin = round(0.23 * side), round(0.62 * side), round(0.1 * side)
    return torch.cat(rows)[..., top:bottom, margin : side - margin].clamp(0, 1)
