"""The judges: small classifiers that score decoded images, so the chapter's claims become counts.

    from dlhelpers.engine import checkpoints
    from dlhelpers.measure import judges
    digits = checkpoints.load(judges.DIGITS_PATH)   # DigitNet: 28x28 digits -> 10 classes
    traits = checkpoints.load(judges.TRAITS_PATH)   # TraitNet: faces -> glasses, beard, dark_frame, smile
    judges.trait_scores(traits, images)             # {"glasses": (N,) probabilities, ...}

Both are trained on clean, labelled images with augmentation (``dlhelpers.measure.augment``) so that they
read BLURRY decodes; the digit judge also learns to be unsure (overlaid digits, smooth noise).
``python -m dlhelpers train judges`` retrains the shipped files (``tools.build_judges``); the
networks are in ``nets``.
"""

import hashlib
from pathlib import Path

import torch
import torch.nn.functional as F

from dlhelpers import data, settings
from dlhelpers.chapter.latent import to_float
from dlhelpers.engine import checkpoints, recipes
from dlhelpers.engine.loops import fit_classifier
from dlhelpers.errors import UserError
from dlhelpers.measure import augment
from dlhelpers.measure.nets import TRAITS, DigitNet, TraitNet


class NoTraitsError(UserError, ValueError):
    """Faces without the trait labels a judge trains on."""


DIGITS_PATH = settings.FILES / "judge_digits.pt"
TRAITS_PATH = settings.FILES / "judge_faces64.pt"


@torch.no_grad()
def _outputs(net, images, batch_size):
    """The network's raw outputs for images (uint8 or floats in [0, 1]), batched, on the CPU."""
    net.eval()
    device = next(net.parameters()).device
    return torch.cat([net(to_float(b).to(device)).cpu() for b in images.split(batch_size)])


# --- The digit judge --------------------------------------------------------------------------


def digit_probs(net, images, batch_size=2000):
    """Class probabilities (N, 10) for digits (uint8 or floats in [0, 1], any of DigitNet's shapes)."""
    return F.softmax(_outputs(net, images.reshape(-1, 1, 28, 28), batch_size), 1)


def digit_accuracy(net, images, labels):
    """Share of ``images`` whose most probable class is the label."""
    return (digit_probs(net, images).argmax(1) == labels.cpu()).float().mean().item()


def train_digit_judge(images, labels, *, epochs, batch_size, lr, seed=0, test=None, progress=True):
    """Train a ``DigitNet`` on MNIST digits, uint8 (N, 28, 28) with labels (N,); return it.

    Every batch is augmented (``augment.digits``): shifts, small turns and zooms, blur, and a few
    overlays of two digits and smudges of noise with soft targets. ``test=(images, labels)``
    prints the test accuracy after every epoch. Repeatable for the same seed (model and batches).
    The history is kept in ``net.history``: per-epoch "loss" (and "test_accuracy").
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = DigitNet()
    gen = torch.Generator().manual_seed(seed)
    x = to_float(images).reshape(-1, 1, 28, 28)
    y = labels.long()

    def loss_of(idx):
        xb, target = augment.digits(x[idx], y[idx], gen)
        return -(target * F.log_softmax(net(xb), 1)).sum(1).mean()

    def after_epoch(history):
        if test is None:
            return ""
        history.setdefault("test_accuracy", []).append(digit_accuracy(net, *test))
        return f", test accuracy {history['test_accuracy'][-1]:.4f}"

    return fit_classifier(
        net, len(x), loss_of, epochs, batch_size, lr, gen, "digit judge", progress, after_epoch
    )


# --- The trait judge --------------------------------------------------------------------------


def trait_targets(attributes, glasses=None):
    """Targets (N, 4) and a mask (N, 4) for ``TRAITS`` from a ``Faces.attributes`` dict.

    ``dark_frame`` is masked out (0) for faces without glasses. ``glasses`` defaults to the
    attributes' own column.
    """
    g = (attributes["glasses"] if glasses is None else glasses).float()
    dark = torch.tensor([f == "dark" for f in attributes["frame"]], dtype=torch.float32)
    target = torch.stack([g, attributes["beard"].float(), dark, attributes["smile"].float()], 1)
    mask = torch.ones_like(target)
    mask[:, 2] = g
    return target, mask


def trait_scores(net, images, batch_size=256):
    """The trait judge's probabilities: a dict trait name -> (N,) tensor in [0, 1].

    ``images``: uint8 or floats in [0, 1], (N, 3, S, S) (or one image (3, S, S)).
    """
    if images.dim() == 3:
        images = images[None]
    probs = torch.sigmoid(_outputs(net, images, batch_size))
    return {name: probs[:, i] for i, name in enumerate(net.traits)}


def trait_accuracy(net, images, attributes, glasses=None, sigma=0.0):
    """Per-trait accuracy (threshold 0.5) on labelled faces, optionally blurred by ``sigma`` px.

    ``dark_frame`` is scored on the faces with glasses only. Returns a dict name -> share.
    """
    x = to_float(images)
    if sigma:
        x = torch.cat([augment.blur(b, sigma) for b in x.split(500)])
    target, mask = trait_targets(attributes, glasses)
    pred = torch.stack([trait_scores(net, x)[t] for t in TRAITS], 1) >= 0.5
    right = (pred == target.bool()).float() * mask
    return {t: (right[:, i].sum() / mask[:, i].sum()).item() for i, t in enumerate(TRAITS)}


def _at_size(images, size):
    """Images (N, 3, H, W) as floats in [0, 1], resized to (N, 3, size, size) if needed."""
    x = to_float(images)
    if x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return x


def train_trait_judge(
    faces, *, epochs, batch_size, lr, seed=0, image_size=64, indices=None, twins=None, fade=0.5, progress=True
):
    """Train a ``TraitNet`` on labelled faces (a ``FaceSet`` with attributes); return it.

    ``indices`` restricts training to those faces (keep some out to test on). Every batch is
    augmented by ``augment.faces`` (mirror, shifts, blur up to 2.5 px, down/up-sampling, washed-out
    colours, noise), so the judge reads blurry VAE decodes. ``twins`` (from
    ``synthetic_set.render_set(..., counterfactual=True)``) are the same faces with one trait changed: a share
    ``fade`` of each batch is blended with its twin, a * face + (1 - a) * twin with a ~ U(0, 1), and
    the targets blended alike, so a half-visible trait scores about 0.5 instead of 0 or 1 (VAE
    decodes often show ghosts of glasses). Loss: binary cross-entropy per trait, ``dark_frame``
    weighted by how much of the glasses there is. Repeatable for the same seed.
    The history is kept in ``net.history``: per-epoch "loss".
    """
    if faces.attributes is None or "beard" not in faces.attributes:
        raise NoTraitsError(
            "train_trait_judge needs faces with attributes (glasses, frame, beard, "
            "smile): the synthetic faces have them, the Kaggle photos do not."
        )
    x = _at_size(faces.images, image_size)
    target, mask = trait_targets(faces.attributes, faces.glasses)
    if twins is not None:
        if len(twins) != len(faces):
            raise ValueError(f"twins must match faces one to one: {len(twins)} vs {len(faces)}")
        x2 = _at_size(twins.images, image_size)
        target2, mask2 = trait_targets(twins.attributes, twins.glasses)
    if indices is not None:
        x, target, mask = x[indices], target[indices], mask[indices]
        if twins is not None:
            x2, target2, mask2 = x2[indices], target2[indices], mask2[indices]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = TraitNet(image_size=image_size)
    gen = torch.Generator().manual_seed(seed)

    def loss_of(idx):
        xb, tb, mb = x[idx], target[idx], mask[idx]
        if twins is not None:
            a = torch.where(
                augment.sometimes(len(idx), fade, gen),
                torch.rand(len(idx), generator=gen),
                torch.ones(len(idx)),
            )[:, None]
            xb = a[:, :, None, None] * xb + (1 - a[:, :, None, None]) * x2[idx]
            g = a * mask[idx] + (1 - a) * mask2[idx]  # how much glasses there is
            dark = (a * mask[idx] * target[idx] + (1 - a) * mask2[idx] * target2[idx]) / g.clamp_min(1e-6)
            tb = a * target[idx] + (1 - a) * target2[idx]
            tb[:, 2], mb = dark[:, 2], torch.ones_like(mb)
            mb[:, 2] = g[:, 2]
        logits = net(augment.faces(xb, gen))
        return (F.binary_cross_entropy_with_logits(logits, tb, reduction="none") * mb).sum() / mb.sum()

    return fit_classifier(net, len(x), loss_of, epochs, batch_size, lr, gen, "trait judge", progress)


# --- The glasses judge for the photos ------------------------------------------------------------


def train_glasses_judge(images, labels, *, epochs, batch_size, lr, seed=0, image_size=64, progress=True):
    """Train a glasses-only ``TraitNet`` on faces (uint8 or floats, (N, 3, S, S)) with labels
    (N,) of 1 = glasses; return it. Batches are augmented by ``augment.faces`` (blur, shifts,
    washed-out colours...) so it reads blurry VAE decodes. Repeatable for the same seed."""
    x = _at_size(images, image_size)
    y = torch.as_tensor(labels).float()[:, None]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = TraitNet(image_size=image_size, traits=("glasses",))
    gen = torch.Generator().manual_seed(seed)

    def loss_of(idx):
        return F.binary_cross_entropy_with_logits(net(augment.faces(x[idx], gen)), y[idx])

    return fit_classifier(net, len(x), loss_of, epochs, batch_size, lr, gen, "glasses judge", progress)


def glasses_accuracy(net, images, labels):
    """Share of ``images`` whose glasses probability is on the side of 0.5 their label says."""
    seen = trait_scores(net, images)["glasses"] >= 0.5
    return (seen == (torch.as_tensor(labels) == 1)).float().mean().item()


def _labels_key(faces, recipe):

    h = hashlib.sha1(repr(recipe).encode())
    h.update(repr(list(zip(faces.ids, faces.glasses.tolist()))).encode())
    return h.hexdigest()[:16]


def glasses_judge(faces, recipe=None, path=None, device=None, progress=True):
    """A glasses classifier trained on ``faces``' own labels (the organised photos), cached.

    Splits the faces (seeded; ``recipe.held_out`` of them never trained on), trains
    ``train_glasses_judge`` on the rest, prints the held-out accuracy and saves the judge to
    ``path`` (default ``<runs>/judge_glasses_<dataset>.pt``). A later call with the same faces,
    labels and recipe loads that file instead of training again. The photos carry no gender
    labels, so this judge scores glasses only.
    """

    r = recipe or recipes.GLASSES_JUDGE
    path = Path(path) if path is not None else data.runs_folder() / f"judge_glasses_{data.in_use().name}.pt"
    key = _labels_key(faces, r)
    saved = checkpoints.extra(path) if path.is_file() else {}
    if saved.get("labels_key") == key:
        net = checkpoints.load(path, device=device)
        acc = saved["held_out_accuracy"]
        print(
            f"glasses judge: {settings.relative(path)} (held-out accuracy {acc:.1%}; trained on these photos' labels)"
        )
        return net
    order = torch.randperm(len(faces), generator=torch.Generator().manual_seed(r.seed))
    n_out = max(1, int(round(len(faces) * r.held_out)))
    held, train = order[:n_out], order[n_out:][: r.max_images]
    net = train_glasses_judge(
        faces.images[train],
        faces.glasses[train],
        epochs=r.epochs,
        batch_size=r.batch_size,
        lr=r.lr,
        seed=r.seed,
        image_size=r.image_size,
        progress=progress,
    )
    acc = glasses_accuracy(net, faces.images[held], faces.glasses[held])
    checkpoints.save(
        net,
        path,
        labels_key=key,
        held_out_accuracy=acc,
        trained_on=len(train),
        held_out=len(held),
        history=net.history,
    )
    print(
        f"glasses judge: trained on {len(train)} photos, held-out accuracy {acc:.1%} "
        f"on {len(held)} photos it never saw; saved {settings.relative(path)}"
    )
    return net.to(device or "cpu").eval()


def for_faces(faces, device=None):
    """The judge that scores decodes of ``faces``: the shipped trait judge (glasses, beard,
    dark_frame, smile) on the labelled synthetic faces, else a glasses judge trained on the
    photos' own labels (``glasses_judge``)."""
    if faces.attributes and "beard" in faces.attributes:
        net, saved = checkpoints.load(TRAITS_PATH, device=device, with_extra=True)
        acc = saved.get("held_out_accuracy", {})
        names = {"clean": "clean faces", "blurred": "blurred", "thin": "thin frames"}
        worst = ", ".join(f"{names.get(kind, kind)} {min(a.values()):.1%}" for kind, a in acc.items())
        print(
            f"trait judge: {settings.relative(TRAITS_PATH)} (glasses, beard, frame colour, smile; "
            f"any image size, resized to 64 px)"
            + (f"; held-out accuracy of its worst trait: {worst}" if worst else "")
        )
        return net
    print("The photos are labelled for glasses only (no gender): decodes are scored for glasses.")
    return glasses_judge(faces, device=device)
