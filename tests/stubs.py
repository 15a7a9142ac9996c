"""Stand-ins whose right answers are known, for the tests of judges and claims."""
import torch
from torch import nn

from dlhelpers import models
from dlhelpers.face_folder import FaceSet


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

    traits = list(models.TRAITS)

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
    return FaceSet(images=images, glasses=torch.tensor(glasses), ids=list(range(n)),
                   files=[f"f{i}" for i in range(n)], attributes=attrs)
