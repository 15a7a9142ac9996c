"""Judges: small classifiers that score decoded images, and the chapter's claims measured with them.

The book asks you to believe by eye that encoding arithmetic and interpolation work, and that a VAE
generates digits where an AE does not. Here a classifier looks instead, so the claims become counts:

    from dlhelpers import judge
    digits = judge.load(judge.DIGITS_PATH)          # DigitNet: 28x28 digits -> 10 classes
    traits = judge.load(judge.FACES_PATH)           # TraitNet: faces -> glasses, beard, dark_frame, smile
    judge.arithmetic_success(vae, traits, faces)    # {"successes": 9, "draws": 10, ...}
    judge.interpolation_profile(vae, traits, z1, z2, trait="glasses")
    judge.ae_vs_vae_digits(ae, dense_vae, digits, test_images, test_labels)

The judges are trained on clean, labelled images but score BLURRY decodes, so their training adds
blur (and, for faces, washed-out colours and noise). The digit judge is also taught to be unsure:
part of every batch is two digits overlaid (target: both classes, in proportion) or smooth noise
(target: all ten classes alike), so a ghost of two digits or a smudge does not count as a
confident digit. ``python -m dlhelpers.judge`` retrains and saves the shipped files.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from . import checkpoints, latent, settings
from .data import to_float
from .models import MODELS
from .train import make_optimizer

DIGITS_PATH = settings.FILES / "judge_digits.pt"
FACES_PATH = settings.FILES / "judge_faces64.pt"
DENSE_VAE_PATH = settings.FILES / "dense_vae_mnist.pt"

TRAITS = ("glasses", "beard", "dark_frame", "smile")
"""The trait judge's outputs. ``dark_frame`` is P(dark frames | glasses): only meaningful on faces
that wear glasses (it is trained on those alone)."""


# ---------------------------------------------------------------------------------------------
# Image helpers
# ---------------------------------------------------------------------------------------------

def _floats(images):
    """uint8 images -> floats in [0, 1]; float images are passed through unchanged."""
    return to_float(images) if images.dtype == torch.uint8 else images.float()


def blur(images, sigma):
    """Gaussian blur of floats (N, C, H, W), each image with its own ``sigma`` in pixels.

    ``sigma`` is a number or an (N,) tensor; 0 leaves an image (practically) unchanged.
    Edges are padded by repeating the border pixels.
    """
    n, c, h, w = images.shape
    sigma = torch.as_tensor(sigma, dtype=images.dtype).flatten().expand(n).clamp_min(1e-3)
    radius = max(1, math.ceil(3 * float(sigma.max())))
    radius = min(radius, h - 1, w - 1)
    t = torch.arange(-radius, radius + 1, dtype=images.dtype)
    k = torch.exp(-t[None] ** 2 / (2 * sigma[:, None] ** 2))
    k = (k / k.sum(1, keepdim=True)).repeat_interleave(c, 0)          # (N*C, K)
    x = F.pad(images.reshape(1, n * c, h, w), (radius,) * 4, mode="replicate")
    x = F.conv2d(x, k[:, None, None, :], groups=n * c)
    x = F.conv2d(x, k[:, None, :, None], groups=n * c)
    return x.reshape(n, c, h, w)


def _rand(n, low, high, gen):
    return low + (high - low) * torch.rand(n, generator=gen)


def _affine(x, gen, shift, rotate=0.0, scale=(1.0, 1.0), flip=False):
    """Random small shifts (pixels), rotations (degrees), zooms and (optionally) mirror images."""
    n, _, h, _ = x.shape
    angle = _rand(n, -rotate, rotate, gen) * math.pi / 180
    s = _rand(n, *scale, gen)
    sx = s * torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0) if flip else s
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(angle) / sx, -torch.sin(angle) / s
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(angle) / sx, torch.cos(angle) / s
    theta[:, :, 2] = _rand(2 * n, -shift, shift, gen).view(n, 2) * 2 / h
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, padding_mode="border", align_corners=False)


def _sometimes(n, p, gen):
    return torch.rand(n, generator=gen) < p


# ---------------------------------------------------------------------------------------------
# The digit judge
# ---------------------------------------------------------------------------------------------

class DigitNet(nn.Module):
    """A small CNN for 28x28 digits: two conv + max-pool stages, a hidden layer, 10 logits.

    Input: floats in [0, 1], shaped (N, 784), (N, 28, 28) or (N, 1, 28, 28). Output: (N, 10) logits.
    """

    def __init__(self, channels=16, hidden=64):
        super().__init__()
        self.config = dict(channels=channels, hidden=hidden)
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, 2 * channels, 3, padding=1)
        self.fc1 = nn.Linear(2 * channels * 7 * 7, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = x.reshape(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def _augment_digits(x, y, gen, mix=0.15, junk=0.05):
    """Shifted, turned, zoomed and blurred digits with soft targets; some overlays and some junk.

    x: floats (N, 1, 28, 28); y: labels (N,). Returns (images, targets (N, 10) summing to 1).
    """
    n = len(x)
    target = F.one_hot(y, 10).float()
    x = _affine(x, gen, shift=2.0, rotate=10.0, scale=(0.9, 1.1))
    # overlays of two digits: a ghost of both, not one confident digit
    m = _sometimes(n, mix, gen)
    if m.any():
        other = torch.randint(n, (int(m.sum()),), generator=gen)
        lam = _rand(len(other), 0.3, 0.7, gen)
        x[m] = lam[:, None, None, None] * x[m] + (1 - lam[:, None, None, None]) * x[other]
        target[m] = lam[:, None] * target[m] + (1 - lam[:, None]) * target[other]
    # smooth noise: no digit at all
    j = _sometimes(n, junk, gen)
    if j.any():
        k = int(j.sum())
        noise = torch.rand(k, 1, 28, 28, generator=gen) * _rand(k, 0.3, 1.0, gen)[:, None, None, None]
        x[j] = blur(noise, _rand(k, 0.7, 2.5, gen)).clamp(0, 1)
        target[j] = 0.1
    # blur, as the decoders' outputs are blurry
    b = _sometimes(n, 0.5, gen)
    if b.any():
        x[b] = blur(x[b], _rand(int(b.sum()), 0.3, 1.2, gen))
    return x.clamp(0, 1), target


@torch.no_grad()
def digit_probs(net, images, batch_size=2000):
    """Class probabilities (N, 10) for digits (uint8 or floats in [0, 1], any of DigitNet's shapes)."""
    net.eval()
    device = next(net.parameters()).device
    x = _floats(images).reshape(-1, 1, 28, 28)
    return torch.cat([F.softmax(net(b.to(device)), 1).cpu() for b in x.split(batch_size)])


def digit_confidence(net, images):
    """The judge's confidence per image, (N,): its largest class probability, 0.1 .. 1."""
    return digit_probs(net, images).max(1).values


def digit_accuracy(net, images, labels):
    """Share of ``images`` whose most probable class is the label."""
    return (digit_probs(net, images).argmax(1) == labels.cpu()).float().mean().item()


def train_digit_judge(images, labels, epochs=3, batch_size=128, lr=2e-3, seed=0,
                      test=None, progress=True):
    """Train a ``DigitNet`` on MNIST digits, uint8 (N, 28, 28) with labels (N,); return it.

    Every batch is augmented (``_augment_digits``): shifts, small turns and zooms, blur, and a few
    overlays of two digits and smudges of noise with soft targets. ``test=(images, labels)``
    prints the test accuracy after every epoch. Repeatable for the same seed (model and batches).
    The history is kept in ``net.history``: per-epoch "loss" (and "test_accuracy").
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = DigitNet()
    gen = torch.Generator().manual_seed(seed)
    x = _floats(images).reshape(-1, 1, 28, 28)
    y = labels.long()

    def loss_of(idx):
        xb, target = _augment_digits(x[idx], y[idx], gen)
        return -(target * F.log_softmax(net(xb), 1)).sum(1).mean()

    def after_epoch(history):
        if test is None:
            return ""
        history.setdefault("test_accuracy", []).append(digit_accuracy(net, *test))
        return f", test accuracy {history['test_accuracy'][-1]:.4f}"

    return _fit(net, len(x), loss_of, epochs, batch_size, lr, gen, "digit judge", progress,
                after_epoch)


# ---------------------------------------------------------------------------------------------
# The trait judge
# ---------------------------------------------------------------------------------------------

class TraitNet(nn.Module):
    """A small CNN that scores faces for binary traits: one logit per name in ``traits``.

    Input: floats (N, 3, S, S) in [0, 1]; any S (images are resized to ``image_size`` first).
    Four stride-2 convolutions (64 -> 4 px), a hidden layer of 64, one logit per trait.
    """

    def __init__(self, image_size=64, width=16, traits=TRAITS):
        super().__init__()
        if image_size % 16:
            raise ValueError(f"image_size must be a multiple of 16, got {image_size}")
        self.config = dict(image_size=image_size, width=width, traits=list(traits))
        self.traits = list(traits)
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(3, w, 3, stride=2, padding=1), nn.BatchNorm2d(w), nn.ReLU(True),
            nn.Conv2d(w, 2 * w, 3, stride=2, padding=1), nn.BatchNorm2d(2 * w), nn.ReLU(True),
            nn.Conv2d(2 * w, 4 * w, 3, stride=2, padding=1), nn.BatchNorm2d(4 * w), nn.ReLU(True),
            nn.Conv2d(4 * w, 4 * w, 3, stride=2, padding=1), nn.BatchNorm2d(4 * w), nn.ReLU(True))
        side = image_size // 16
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * w * side * side, 64), nn.ReLU(True),
                                  nn.Linear(64, len(self.traits)))

    def forward(self, x):
        s = self.config["image_size"]
        if x.shape[-2:] != (s, s):
            x = F.interpolate(x, size=(s, s), mode="bilinear", antialias=True, align_corners=False)
        return self.head(self.features(x))


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


def _augment_faces(x, gen, p_blur=0.8, max_sigma=2.5):
    """Mirrored, shifted, blurred, washed-out and noisy faces, as the VAE might decode them."""
    n = len(x)
    x = _affine(x, gen, shift=2.0, rotate=4.0, scale=(0.95, 1.05), flip=True)
    b = _sometimes(n, p_blur, gen)
    if b.any():
        x[b] = blur(x[b], _rand(int(b.sum()), 0.3, max_sigma, gen))
    d = _sometimes(n, 0.2, gen)                                     # down- then up-sampled
    if d.any():
        s = x.shape[-1]
        small = F.interpolate(x[d], scale_factor=0.25 if torch.rand(1, generator=gen) < 0.5 else 0.5,
                              mode="bilinear", antialias=True, align_corners=False)
        x[d] = F.interpolate(small, size=(s, s), mode="bilinear", align_corners=False)
    grey = x.mean(1, keepdim=True)                                  # washed-out colours
    sat = _rand(n, 0.4, 1.1, gen)[:, None, None, None]
    x = grey + sat * (x - grey)
    mean = x.mean((1, 2, 3), keepdim=True)                          # contrast, brightness, tint
    x = mean + _rand(n, 0.7, 1.15, gen)[:, None, None, None] * (x - mean)
    x = x + (torch.rand(n, 3, 1, 1, generator=gen) - 0.5) * 0.16
    x = x + torch.randn(x.shape, generator=gen) * _rand(n, 0, 0.05, gen)[:, None, None, None]
    return x.clamp(0, 1)


@torch.no_grad()
def trait_logits(net, images, batch_size=256):
    net.eval()
    device = next(net.parameters()).device
    x = _floats(images)
    return torch.cat([net(b.to(device)).cpu() for b in x.split(batch_size)])


def trait_scores(net, images, batch_size=256):
    """The trait judge's probabilities: a dict trait name -> (N,) tensor in [0, 1].

    ``images``: uint8 or floats in [0, 1], (N, 3, S, S) (or one image (3, S, S)).
    """
    if images.dim() == 3:
        images = images[None]
    probs = torch.sigmoid(trait_logits(net, images, batch_size))
    return {name: probs[:, i] for i, name in enumerate(net.traits)}


def trait_accuracy(net, images, attributes, glasses=None, sigma=0.0):
    """Per-trait accuracy (threshold 0.5) on labelled faces, optionally blurred by ``sigma`` px.

    ``dark_frame`` is scored on the faces with glasses only. Returns a dict name -> share.
    """
    x = _floats(images)
    if sigma:
        x = torch.cat([blur(b, sigma) for b in x.split(500)])
    target, mask = trait_targets(attributes, glasses)
    pred = torch.stack([trait_scores(net, x)[t] for t in TRAITS], 1) >= 0.5
    right = (pred == target.bool()).float() * mask
    return {t: (right[:, i].sum() / mask[:, i].sum()).item() for i, t in enumerate(TRAITS)}


def _flip_one(traits, rng):
    """A copy of ``traits`` with one of glasses (on/off), frame colour, beard or smile changed."""
    cf = dict(traits)
    r = rng.random()
    if r < 0.35:
        cf["glasses"] = rng.choice(["dark", "light"]) if traits["glasses"] == "none" else "none"
    elif r < 0.5:
        cf["glasses"] = {"none": "dark", "dark": "light", "light": "dark"}[traits["glasses"]]
    elif r < 0.8:
        cf["beard"] = 1 - traits["beard"]
    else:
        cf["smile"] = 1 - traits["smile"]
    return cf


def render_faces(n, seed=7, size=64, counterfactual=False, progress=False):
    """``n`` fresh synthetic faces drawn in memory, as ``data.Faces`` (with attributes).

    Drawn like the dataset (``faces.render`` at 128 px, shrunk with the Lanczos filter), from seeds
    that the dataset (seed 0) does not use. With ``counterfactual=True`` returns ``(faces, twins)``:
    each twin is the same face with ONE trait changed (glasses on/off, frame colour, beard or
    smile), so blends of the two are faces with that trait half-visible.
    """
    import random

    from PIL import Image
    from tqdm.auto import tqdm

    from . import faces as synthetic
    from .data import Faces

    def draw(traits):
        img = synthetic.render(traits, 128)
        if size != 128:
            img = img.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
        pixels = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8)
        return pixels.view(size, size, 3).permute(2, 0, 1)

    def pack(all_traits):
        images = torch.stack([draw(t) for t in tqdm(all_traits, desc="Drawing faces", disable=not progress)])
        glasses = torch.tensor([int(t["glasses"] != "none") for t in all_traits])
        attributes = {"glasses": glasses, "frame": [t["glasses"] for t in all_traits],
                      "beard": torch.tensor([int(t["beard"]) for t in all_traits]),
                      "smile": torch.tensor([int(t["smile"]) for t in all_traits])}
        return Faces(images=images, glasses=glasses, ids=list(range(n)),
                     files=[f"rendered-{i}" for i in range(n)], attributes=attributes)

    rngs = [random.Random(seed * 1_000_003 + 10_000_000 + i) for i in range(n)]
    traits = [synthetic.random_traits(r) for r in rngs]
    if not counterfactual:
        return pack(traits)
    return pack(traits), pack([_flip_one(t, r) for t, r in zip(traits, rngs)])


def _at_size(images, size):
    """Images (N, 3, H, W) as floats in [0, 1], resized to (N, 3, size, size) if needed."""
    x = _floats(images)
    if x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return x


def train_trait_judge(faces, epochs=12, batch_size=64, lr=3e-3, seed=0, image_size=64,
                      indices=None, twins=None, fade=0.5, progress=True):
    """Train a ``TraitNet`` on labelled faces (a ``data.Faces`` with attributes); return it.

    ``indices`` restricts training to those faces (keep some out to test on). Every batch is
    augmented by ``_augment_faces`` (mirror, shifts, blur up to 2.5 px, down/up-sampling, washed-out
    colours, noise), so the judge reads blurry VAE decodes. ``twins`` (from
    ``render_faces(..., counterfactual=True)``) are the same faces with one trait changed: a share
    ``fade`` of each batch is blended with its twin, a * face + (1 - a) * twin with a ~ U(0, 1), and
    the targets blended alike, so a half-visible trait scores about 0.5 instead of 0 or 1 (VAE
    decodes often show ghosts of glasses). Loss: binary cross-entropy per trait, ``dark_frame``
    weighted by how much of the glasses there is. Repeatable for the same seed.
    The history is kept in ``net.history``: per-epoch "loss".
    """
    if faces.attributes is None or "beard" not in faces.attributes:
        raise ValueError("train_trait_judge needs faces with attributes (glasses, frame, beard, "
                         "smile): the synthetic faces have them, the Kaggle photos do not.")
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
            a = torch.where(_sometimes(len(idx), fade, gen), torch.rand(len(idx), generator=gen),
                            torch.ones(len(idx)))[:, None]
            xb = a[:, :, None, None] * xb + (1 - a[:, :, None, None]) * x2[idx]
            g = a * mask[idx] + (1 - a) * mask2[idx]              # how much glasses there is
            dark = (a * mask[idx] * target[idx] + (1 - a) * mask2[idx] * target2[idx]) / g.clamp_min(1e-6)
            tb = a * target[idx] + (1 - a) * target2[idx]
            tb[:, 2], mb = dark[:, 2], torch.ones_like(mb)
            mb[:, 2] = g[:, 2]
        logits = net(_augment_faces(xb, gen))
        return (F.binary_cross_entropy_with_logits(logits, tb, reduction="none") * mb).sum() / mb.sum()

    return _fit(net, len(x), loss_of, epochs, batch_size, lr, gen, "trait judge", progress)


def _fit(net, n, loss_of, epochs, batch_size, lr, gen, name, progress, after_epoch=None):
    """The judges' training loop: ``loss_of(indices)`` gives a batch's loss; Adam with a one-cycle
    schedule; batches in an order drawn from ``gen``. ``after_epoch(history)`` may add to the
    history and return text for the epoch's line. Keeps per-epoch "loss" in ``net.history``."""
    from tqdm.auto import tqdm
    opt = make_optimizer(net, lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * math.ceil(n / batch_size))
    history = {"loss": []}
    for epoch in range(1, epochs + 1):
        net.train()
        total = 0.0
        order = torch.randperm(n, generator=gen)
        for idx in tqdm(order.split(batch_size), desc=f"{name}, epoch {epoch}/{epochs}",
                        disable=not progress, leave=False):
            loss = loss_of(idx)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        history["loss"].append(total / n)
        note = after_epoch(history) if after_epoch else ""
        if progress:
            print(f"{name} epoch {epoch}: loss {history['loss'][-1]:.4f}{note}")
    net.eval()
    net.history = history
    return net


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

JUDGES = {"DigitNet": DigitNet, "TraitNet": TraitNet}


def load(path, device=None):
    """Load a judge (or any ``models.MODELS`` model, e.g. the DenseVAE) saved by ``checkpoints.save``.

    Returns the model in eval mode on ``device`` (default: CPU).
    """
    payload = checkpoints.read(path)
    if not (isinstance(payload, dict) and payload.get("format") == checkpoints.FORMAT):
        raise ValueError(f"{path} is not a dlhelpers checkpoint.")
    kind = {**MODELS, **JUDGES}.get(payload["model"])
    if kind is None:
        raise ValueError(f"{path} holds a {payload['model']}, which is neither a judge nor a model.")
    model = kind(**payload["config"])
    checkpoints.load_weights(model, payload["state_dict"], source=f"checkpoint {path}")
    return model.to(device or "cpu").eval()


# ---------------------------------------------------------------------------------------------
# Claim 1: encoding arithmetic (section 7.4.4 and exercise 7.1)
# ---------------------------------------------------------------------------------------------

GROUPS = {"beard_g": {"beard": 1, "glasses": 1}, "beard_ng": {"beard": 1, "glasses": 0},
          "nobeard_g": {"beard": 0, "glasses": 1}, "nobeard_ng": {"beard": 0, "glasses": 0}}
"""The four groups of the arithmetic. A beard plays the book's "man": beard_g is its
"men with glasses", nobeard_ng its "women without glasses", and so on."""

CHAPTER = {"expression": {"beard_g": 1, "nobeard_g": -1, "nobeard_ng": 1},
           "target": {"beard": 1, "glasses": 0}}
"""The chapter's z = z(men, glasses) - z(women, glasses) + z(women, no glasses) -> a man without glasses."""

EXERCISE_7_1 = {
    "beard_g": {"expression": {"beard_ng": 1, "nobeard_ng": -1, "nobeard_g": 1},
                "target": {"beard": 1, "glasses": 1}},
    "nobeard_g": {"expression": {"nobeard_ng": 1, "beard_ng": -1, "beard_g": 1},
                  "target": {"beard": 0, "glasses": 1}},
    "nobeard_ng": {"expression": {"nobeard_g": 1, "beard_g": -1, "beard_ng": 1},
                   "target": {"beard": 0, "glasses": 0}},
}
"""Exercise 7.1's variants: the same arithmetic aimed at each of the three other groups."""


def _column(faces, name):
    if name == "glasses":
        return faces.glasses
    if faces.attributes is None or name not in faces.attributes:
        raise KeyError(f"the faces have no attribute {name!r}; the synthetic faces have "
                       f"glasses, frame, beard, smile, skin, hair_style, hair_colour.")
    return faces.attributes[name]


def select(faces, traits, pool=None):
    """Indices (tensor) of the faces whose attributes match every ``traits`` item, e.g.
    ``select(faces, {"beard": 1, "glasses": 0})`` or ``{"frame": "dark"}``; within ``pool`` if given."""
    keep = torch.ones(len(faces), dtype=torch.bool)
    for name, value in traits.items():
        col = _column(faces, name)
        if isinstance(col, torch.Tensor):
            keep &= col == value
        else:
            keep &= torch.tensor([v == value for v in col])
    if pool is not None:
        inside = torch.zeros(len(faces), dtype=torch.bool)
        inside[torch.as_tensor(pool)] = True
        keep &= inside
    return keep.nonzero().flatten()


def _meets(probs, target, threshold):
    return all((probs[t] >= threshold) == bool(v) for t, v in target.items())


def arithmetic_success(vae, judge, faces, draws=10, per_group=3, seed=0, expression=None,
                       target=None, threshold=0.5, pool=None, groups=None, return_images=False):
    """How often the chapter's encoding arithmetic gives a face the judge agrees with.

    For each of ``draws`` seeded draws: ``per_group`` random faces of every group named in
    ``expression`` (weights over ``GROUPS`` names; default the chapter's), their mean codes
    (``latent.mean_code``), z = the weighted sum, decoded; success when the judge's probability is
    >= ``threshold`` exactly for the traits that are 1 in ``target`` (default: beard, no glasses).
    ``pool`` restricts the draws to those face indices (e.g. faces held out of VAE training).
    Returns {"successes", "draws", "rate", "expression", "target", "per_draw": [{"indices": {group:
    [...]}, "probs": {trait: p}, "success": bool}, ...]} (+ "images" (draws, 3, S, S) on request).
    """
    expression = dict(expression or CHAPTER["expression"])
    target = dict(target or (CHAPTER["target"] if expression == CHAPTER["expression"] else {}))
    if not target:
        raise ValueError("give the target traits of a custom expression, e.g. {'beard': 1, 'glasses': 0}")
    groups = dict(groups or GROUPS)
    members = {g: select(faces, groups[g], pool) for g in expression}
    small = {g: len(m) for g, m in members.items() if len(m) < per_group}
    if small:
        raise ValueError(f"too few faces for {per_group} per group: {small}")
    gen = torch.Generator().manual_seed(seed)
    per_draw, images = [], []
    for _ in range(draws):
        picked = {g: m[torch.randperm(len(m), generator=gen)[:per_group]] for g, m in members.items()}
        codes = {g: latent.mean_code(vae, _floats(faces.images[idx])) for g, idx in picked.items()}
        image = latent.decode(vae, latent.combine(codes, expression)[None])
        probs = {t: round(p.item(), 4) for t, p in trait_scores(judge, image).items()}
        per_draw.append({"indices": {g: idx.tolist() for g, idx in picked.items()},
                         "probs": probs, "success": _meets(probs, target, threshold)})
        images.append(image[0])
    successes = sum(d["success"] for d in per_draw)
    result = {"successes": successes, "draws": draws, "rate": successes / draws if draws else 0.0,
              "expression": expression, "target": target, "per_draw": per_draw}
    if return_images:
        result["images"] = torch.stack(images) if images else torch.empty(0)
    return result


def arithmetic_table(vae, judge, faces, draws=10, per_group=3, seed=0, pool=None):
    """``arithmetic_success`` for the chapter's expression and exercise 7.1's three variants.

    Returns {name: {"successes", "draws", "rate", "expression", "target"}} with names
    "chapter", "beard_g", "nobeard_g", "nobeard_ng".
    """
    table = {}
    for name, spec in {"chapter": CHAPTER, **EXERCISE_7_1}.items():
        r = arithmetic_success(vae, judge, faces, draws, per_group, seed, spec["expression"],
                               spec["target"], pool=pool)
        table[name] = {k: r[k] for k in ("successes", "draws", "rate", "expression", "target")}
    return table


# ---------------------------------------------------------------------------------------------
# Claim 2: interpolation (listing 7.10 and exercise 7.2)
# ---------------------------------------------------------------------------------------------

def is_monotone(values, tolerance=0.02):
    """True if ``values`` only rise or only fall, allowing wiggles back of at most ``tolerance``.

    Measured against the running extreme: a rising sequence may never fall more than
    ``tolerance`` below its highest value so far (and a falling one likewise above its lowest).
    """
    v = [float(a) for a in values]
    if len(v) < 2:
        return True
    rising = v[-1] >= v[0]
    extreme = v[0]
    for a in v[1:]:
        extreme = max(extreme, a) if rising else min(extreme, a)
        if (extreme - a if rising else a - extreme) > tolerance:
            return False
    return True


def crossings(values, level=0.5, weights=None):
    """Where ``values`` cross ``level``: a list of positions (on ``weights``, default 0..1 evenly),
    found by linear interpolation between the two values either side. Touching is not crossing."""
    v = [float(a) for a in values]
    w = list(weights) if weights is not None else [i / max(1, len(v) - 1) for i in range(len(v))]
    found, side, last = [], None, None
    for i, a in enumerate(v):
        if a == level:
            continue
        s = a > level
        if side is not None and s != side:
            j = last
            found.append(w[j] + (w[i] - w[j]) * (level - v[j]) / (v[i] - v[j]))
        side, last = s, i
    return found


def interpolation_profile(vae, judge, z1, z2, steps=11, trait="glasses", tolerance=0.02,
                          level=0.5, spherical=False):
    """The judge's probability of ``trait`` along ``latent.path(z1, z2)`` with ``steps`` weights.

    Returns {"weights": [...], "probs": [...] (the trait), "all": {trait: [...]} (every trait),
    "monotone": bool (wiggles <= tolerance allowed), "direction": "rising"/"falling",
    "crossings": how many times the probability crosses ``level``, "crossing_at": their weights}.
    """
    weights = torch.linspace(0, 1, steps).tolist()
    codes = latent.path(z1.flatten(), z2.flatten(), weights, spherical=spherical)
    scores = trait_scores(judge, latent.decode(vae, codes))
    probs = [round(p, 4) for p in scores[trait].tolist()]
    at = crossings(probs, level, weights)
    return {"weights": [round(w, 4) for w in weights], "probs": probs,
            "all": {t: [round(p, 4) for p in s.tolist()] for t, s in scores.items()},
            "monotone": is_monotone(probs, tolerance),
            "direction": "rising" if probs[-1] >= probs[0] else "falling",
            "crossings": len(at), "crossing_at": [round(a, 4) for a in at]}


def interpolation_survey(vae, judge, faces, start, end, trait, pairs=10, per_group=1, steps=11,
                         seed=0, pool=None, tolerance=0.02):
    """``interpolation_profile`` between random faces matching ``start`` and ``end``.

    ``start``/``end`` are attribute filters as for ``select``, e.g. {"glasses": 1} -> {"glasses": 0},
    or {"frame": "dark"} -> {"frame": "light"} with ``trait="dark_frame"``. Each end is the mean code
    of ``per_group`` random faces (1 = single faces). Returns {"pairs", "monotone" (count),
    "one_crossing" (count of profiles crossing 0.5 exactly once), "profiles": [...]}.
    """
    a, b = select(faces, start, pool), select(faces, end, pool)
    if len(a) < per_group or len(b) < per_group:
        raise ValueError(f"too few faces: {len(a)} match {start}, {len(b)} match {end}")
    gen = torch.Generator().manual_seed(seed)
    profiles = []
    for _ in range(pairs):
        ia = a[torch.randperm(len(a), generator=gen)[:per_group]]
        ib = b[torch.randperm(len(b), generator=gen)[:per_group]]
        z1 = latent.mean_code(vae, _floats(faces.images[ia]))
        z2 = latent.mean_code(vae, _floats(faces.images[ib]))
        p = interpolation_profile(vae, judge, z1, z2, steps, trait, tolerance)
        p["indices"] = [ia.tolist(), ib.tolist()]
        profiles.append(p)
    return {"pairs": pairs, "monotone": sum(p["monotone"] for p in profiles),
            "one_crossing": sum(p["crossings"] == 1 for p in profiles), "profiles": profiles}


def reconstruction_survival(vae, judge, faces, n=500, seed=0, pool=None):
    """How often the judge still sees each trait of the input in its reconstruction (mean code).

    Returns {trait: share of the n faces whose reconstruction the judge labels as the input is
    labelled} (``dark_frame`` over faces with glasses only), "glasses_<frame>" (the same for
    glasses, per kind of frame: none / dark / light, when the faces have a frame column) and "n".
    """
    idx = torch.as_tensor(pool) if pool is not None else torch.arange(len(faces))
    idx = idx[torch.randperm(len(idx), generator=torch.Generator().manual_seed(seed))[:n]]
    x = _floats(faces.images[idx])
    rec = latent.decode(vae, latent.encode(vae, x))
    attrs = {k: (v[idx] if isinstance(v, torch.Tensor) else [v[i] for i in idx.tolist()])
             for k, v in faces.attributes.items()}
    out = trait_accuracy(judge, rec, attrs, faces.glasses[idx])
    if "frame" in attrs:                               # glasses kept, per kind of frame
        seen = trait_scores(judge, rec)["glasses"] >= 0.5
        frames = attrs["frame"]
        for kind in sorted(set(frames)):
            m = torch.tensor([f == kind for f in frames])
            hit = seen[m] if kind != "none" else ~seen[m]
            out[f"glasses_{kind}"] = hit.float().mean().item()
    out["n"] = len(idx)
    return out


# ---------------------------------------------------------------------------------------------
# Claim 3: an AE is a poor generator, a VAE is not (sections 7.2 and 7.3)
# ---------------------------------------------------------------------------------------------

def decode_digits(model, codes):
    """Decode codes with the AE or the DenseVAE -> images (N, 1, 28, 28) in [0, 1]."""
    return latent.decode(model, codes).reshape(-1, 1, 28, 28)


def _code_dim(model):
    cfg = getattr(model, "config", {})
    return cfg.get("z_dim") or cfg.get("latent_dims")


def _score(judge, images, threshold, labels=None):
    probs = digit_probs(judge, images)
    conf, pred = probs.max(1)
    out = {"confident": round((conf >= threshold).float().mean().item(), 4),
           "mean_confidence": round(conf.mean().item(), 4)}
    if labels is not None:
        out["agrees"] = round((pred == labels).float().mean().item(), 4)
    return out, pred


def ae_vs_vae_digits(ae, vae, digit_judge, test_images, test_labels, n=1000, threshold=0.9, seed=0):
    """Share of decodes the digit judge is confident on (top probability >= threshold).

    For each model ("AE", "VAE"): "random" = codes drawn from N(0, 1); "midpoint" = halfway between
    the codes (means) of two random test digits of different classes ("either" = share judged as
    one of the two); "reconstruction" = the model's own reconstructions of test digits ("agrees" =
    judged as their label), a reference for what its decoded digits look like at best. "real" is
    the judge on the test digits themselves. All draws are seeded and shared by both models.
    Returns {"threshold", "n", "real": {...}, "AE": {...}, "VAE": {...}}, each leaf a dict
    with "confident" (share) and "mean_confidence".
    """
    gen = torch.Generator().manual_seed(seed)
    labels = test_labels.cpu()
    i = torch.randint(len(test_images), (n,), generator=gen)
    j = torch.randint(len(test_images), (n,), generator=gen)
    same = labels[i] == labels[j]
    while same.any():                                   # redraw partners of the same class
        j[same] = torch.randint(len(test_images), (int(same.sum()),), generator=gen)
        same = labels[i] == labels[j]
    x = _floats(test_images).reshape(-1, 1, 28, 28)
    result = {"threshold": threshold, "n": n}
    result["real"], _ = _score(digit_judge, x[i], threshold, labels[i])
    for name, model in (("AE", ae), ("VAE", vae)):
        z = latent.random_codes(n, _code_dim(model), seed=seed)
        cells = {"random": _score(digit_judge, decode_digits(model, z), threshold)[0]}
        zi, zj = latent.encode(model, x[i]), latent.encode(model, x[j])
        mid, pred = _score(digit_judge, decode_digits(model, (zi + zj) / 2), threshold)
        mid["either"] = round(((pred == labels[i]) | (pred == labels[j])).float().mean().item(), 4)
        cells["midpoint"] = mid
        cells["reconstruction"] = _score(digit_judge, decode_digits(model, zi), threshold, labels[i])[0]
        result[name] = cells
    return result


# ---------------------------------------------------------------------------------------------
# python -m dlhelpers.judge: rebuild the shipped files
# ---------------------------------------------------------------------------------------------

def build_digit_judge(path=DIGITS_PATH, epochs=4, seed=0, progress=True):
    """Train the digit judge on MNIST's 60,000 training digits and save it (float16) to ``path``."""
    from . import data
    x, y = data.mnist(train=True)
    xt, yt = data.mnist(train=False)
    net = train_digit_judge(x, y, epochs=epochs, seed=seed, test=(xt, yt), progress=progress)
    acc = digit_accuracy(net, xt, yt)
    checkpoints.save(net, path, half=True, test_accuracy=acc, epochs=epochs, history=net.history)
    print(f"saved {path}: test accuracy {acc:.4f}")
    return net, acc


def build_trait_judge(path=FACES_PATH, epochs=12, seed=0, n=6000, faces=None, test_n=1000,
                      progress=True):
    """Train the trait judge on ``n`` freshly drawn faces and their one-trait twins (64 px), test it
    on ``test_n`` faces of the dataset (``data.faces``; never seen in training), clean and blurred
    (1.5 px); save it (float16) to ``path``. Returns (net, {"clean": ..., "blurred": ...})."""
    from . import data
    train, twins = render_faces(n, seed=7 + seed, size=64, counterfactual=True, progress=progress)
    net = train_trait_judge(train, epochs=epochs, seed=seed, twins=twins, progress=progress)
    faces = faces if faces is not None else data.faces(size=64)
    acc = held_out_accuracy(net, faces, n=test_n, seed=seed)
    checkpoints.save(net, path, half=True, held_out_accuracy=acc, epochs=epochs, trained_on=n,
                     history=net.history)
    print(f"saved {path}: accuracy on {test_n} dataset faces {acc}")
    return net, acc


def held_out_accuracy(net, faces, n=1000, seed=0, sigma=1.5):
    """The trait judge's accuracy on ``n`` random labelled faces: {"clean": {trait: share},
    "blurred": {...}} (blurred by ``sigma`` px)."""
    idx = torch.randperm(len(faces), generator=torch.Generator().manual_seed(seed))[:n]
    attrs = {k: (v[idx] if isinstance(v, torch.Tensor) else [v[i] for i in idx.tolist()])
             for k, v in faces.attributes.items()}
    images, glasses = faces.images[idx], faces.glasses[idx]
    return {"clean": trait_accuracy(net, images, attrs, glasses),
            "blurred": trait_accuracy(net, images, attrs, glasses, sigma=sigma)}


def build_dense_vae(path=DENSE_VAE_PATH, epochs=10, seed=0, progress=True):
    """Train the MNIST DenseVAE (batch 128, Adam 1e-3) and save it (float16) to ``path``."""
    from . import data
    from .models import DenseVAE
    from .train import fit_vae
    x, _ = data.mnist(train=True)
    xt, _ = data.mnist(train=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DenseVAE()
        history = fit_vae(model, x, epochs=epochs, batch_size=128, lr=1e-3, held_out=xt,
                          seed=seed, progress=progress)
    checkpoints.save(model, path, half=True, history=history, epochs=epochs)
    print(f"saved {path}: test reconstruction {history['held_out_rec'][-1]:.1f} + "
          f"KL {history['held_out_kl'][-1]:.1f} per image")
    return model, history


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m dlhelpers.judge",
                                description="Train and save the judges and the MNIST DenseVAE.")
    p.add_argument("which", nargs="*", help="any of digits, faces, vae (default: all three)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    which = args.which or ["digits", "faces", "vae"]
    unknown = set(which) - {"digits", "faces", "vae"}
    if unknown:
        p.error(f"unknown: {', '.join(sorted(unknown))} (choose from digits, faces, vae)")
    if "digits" in which:
        build_digit_judge(seed=args.seed)
    if "faces" in which:
        build_trait_judge(seed=args.seed)
    if "vae" in which:
        build_dense_vae(seed=args.seed)


if __name__ == "__main__":
    main()
