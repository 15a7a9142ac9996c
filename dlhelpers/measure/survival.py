"""What a VAE keeps: how often a trait survives a trip through the code, measured two ways.

    from dlhelpers import survival
    survival.reconstruction_survival(vae, trait_judge, faces)   # the judge still sees the trait
    survival.frames_kept(vae, *synthetic_set.glasses_variants(500, thin_frames=True))  # no judge

The chapter's claims (``dlhelpers.claims``) are only as good as their inputs: an arithmetic that
"removes" glasses the VAE never kept succeeds for nothing. These measurements say what the inputs
still carry; notebook 02 compares recipes and image sizes with them.
"""

import torch

from dlhelpers.chapter import latent
from dlhelpers.chapter.latent import to_float
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
    import torch.nn.functional as F

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


def survival_table(models, judge, n=500, seed=99, saved=None, measure=True):
    """Glasses kept by each VAE file of ``models`` (name -> path), on faces it never saw.

    Every model rebuilds ``synthetic_set.render_set(n, seed, size)`` faces at its own size, drawn
    with the training set's bold frames and with thin, pale frames. Per model, a row: "name",
    "size", "judge_<bold|thin>_<dark|light>" (``reconstruction_survival``: the judge still sees
    glasses), "judge_thin_glasses" (all thin-framed faces) and "shape_thin_<dark|light|glasses>"
    (``frames_kept``: the frame drawn in its place). With ``saved`` (a JSON file) the rows are
    written there; when a file is missing, or with ``measure=False``, the rows saved there by an
    earlier complete run are returned instead, and a line says so.
    """
    import json
    from pathlib import Path

    from dlhelpers.data import synthetic_set
    from dlhelpers.engine import checkpoints

    missing = [str(p) for p in models.values() if not Path(p).is_file()]
    if missing or not measure:
        if saved is None or not Path(saved).is_file():
            raise FileNotFoundError(
                f"No model file {missing[0] if missing else ''} and no saved measurements."
            )
        why = (
            f"{len(missing)} of the models are not here (e.g. {missing[0]})"
            if missing
            else "not measuring now"
        )
        print(f"{why}: showing the measurements saved in {saved}")
        return json.loads(Path(saved).read_text())["rows"]
    rows, sets = [], {}
    for name, path in models.items():
        vae = checkpoints.load(path)
        size = vae.config["image_size"]
        if size not in sets:
            sets[size] = (
                synthetic_set.render_set(n, seed=seed, size=size, thin_frames=False),
                synthetic_set.glasses_variants(n, seed=seed, size=size, thin_frames=True),
            )
        bold, (thin, bare, frames) = sets[size]
        row = {"name": name, "size": size}
        for kind, faces in (("bold", bold), ("thin", thin)):
            kept = reconstruction_survival(vae, judge, faces, n=n)  # thin: all of them (<= n)
            row.update({f"judge_{kind}_{f}": kept[f"glasses_{f}"] for f in ("dark", "light")})
        frames_of = thin.attributes["frame"]
        row["judge_thin_glasses"] = sum(
            row[f"judge_thin_{f}"] * frames_of.count(f) for f in ("dark", "light")
        ) / len(frames_of)
        shape = frames_kept(vae, thin, bare, frames)
        row.update(
            shape_thin_dark=shape["dark"], shape_thin_light=shape["light"], shape_thin_glasses=shape["all"]
        )
        rows.append(row)
    if saved is not None:
        Path(saved).write_text(json.dumps({"n": n, "seed": seed, "rows": rows}, indent=1) + "\n")
    return rows


def rebuilt_eyes(models, n=8, seed=99, side=128, frame="dark"):
    """The eyes of ``n`` faces with thin ``frame`` ("dark" or "light") frames, as drawn and as each
    VAE rebuilds them.

    ``models``: name -> VAE (any sizes). Returns floats (n * (1 + len(models)), 3, h, w) in
    [0, 1]: the band of the eyes (rows 23 % .. 62 %, the middle 80 % of the columns) of the
    originals, then of each model's rebuilds, all enlarged to ``side`` px: ready for a grid of
    ``n`` columns.
    """
    import torch.nn.functional as F

    from dlhelpers.data import synthetic_set

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
