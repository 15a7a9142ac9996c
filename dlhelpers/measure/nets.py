"""The judges' networks: small classifiers that score decoded images (trained in ``judges``).

Each keeps its constructor arguments in ``config``; both are registered with ``checkpoints`` so a
saved judge loads by name.
"""

import torch.nn.functional as F
from torch import nn

from dlhelpers.engine import checkpoints


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


TRAITS = ("glasses", "beard", "dark_frame", "smile")
"""The trait judge's outputs. ``dark_frame`` is P(dark frames | glasses): only meaningful on faces
that wear glasses (it is trained on those alone)."""


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
            nn.Conv2d(3, w, 3, stride=2, padding=1),
            nn.BatchNorm2d(w),
            nn.ReLU(True),
            nn.Conv2d(w, 2 * w, 3, stride=2, padding=1),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(True),
            nn.Conv2d(2 * w, 4 * w, 3, stride=2, padding=1),
            nn.BatchNorm2d(4 * w),
            nn.ReLU(True),
            nn.Conv2d(4 * w, 4 * w, 3, stride=2, padding=1),
            nn.BatchNorm2d(4 * w),
            nn.ReLU(True),
        )
        side = image_size // 16
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(4 * w * side * side, 64), nn.ReLU(True), nn.Linear(64, len(self.traits))
        )

    def forward(self, x):
        s = self.config["image_size"]
        if x.shape[-2:] != (s, s):
            x = F.interpolate(x, size=(s, s), mode="bilinear", antialias=True, align_corners=False)
        return self.head(self.features(x))


checkpoints.register(DigitNet, TraitNet)
