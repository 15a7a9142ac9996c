"""Every network of the series: the chapter's dense autoencoder for MNIST (7.2) and convolutional
VAE (7.4), the MNIST VAE used for comparison, and the two small classifiers (the *judges*) that
score decoded images.

Parameter names and shapes follow the chapter, so weights trained with the book's classes load
into these unchanged. Each model keeps its constructor arguments in ``config`` so a checkpoint
can rebuild it.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .core import reparameterize


class AE(nn.Module):
    """Dense autoencoder 784 -> 200 -> 20 -> 200 -> 784 (section 7.2.2).

    Input: images (N, 784) or (N, 1, 28, 28), floats in [0, 1].
    ``forward`` returns ``(out, mu)``: reconstructions (N, 784) in [0, 1] and codes (N, 20).
    """

    def __init__(self, input_dim=784, z_dim=20, h_dim=200):
        super().__init__()
        self.config = dict(input_dim=input_dim, z_dim=z_dim, h_dim=h_dim)
        self.common = nn.Linear(input_dim, h_dim)    # encoder hidden layer
        self.encoded = nn.Linear(h_dim, z_dim)       # encoder output: the code
        self.l1 = nn.Linear(z_dim, h_dim)            # decoder hidden layer
        self.decode = nn.Linear(h_dim, input_dim)    # decoder output: the image

    def encoder(self, x):
        """(N, 784) images -> (N, 20) codes."""
        return self.encoded(F.relu(self.common(x.flatten(1))))

    def decoder(self, z):
        """(N, 20) codes -> (N, 784) images in [0, 1]."""
        return torch.sigmoid(self.decode(F.relu(self.l1(z))))

    def forward(self, x):
        mu = self.encoder(x)
        return self.decoder(mu), mu


def conv_side(image_size):
    """Side r of the encoder's last feature map for square images of side S: r = S/8 - 1."""
    if image_size % 8 or image_size < 16:
        raise ValueError(f"image_size must be a multiple of 8 and at least 16, got {image_size}")
    return image_size // 8 - 1


class Encoder(nn.Module):
    """Images (N, 3, S, S) in [0, 1] -> ``(mu, std, z)``, each (N, latent_dims).

    Three strided convolutions shrink S to r = S/8 - 1 (31 at the chapter's S = 256), then a dense
    layer of 1024 and two heads: the mean and the log standard deviation of each code dimension.
    ``z = core.reparameterize(mu, std)`` is one sample, drawn on the input's device.
    """

    def __init__(self, latent_dims=100, image_size=256):
        super().__init__()
        r = conv_side(image_size)
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.batch2 = nn.BatchNorm2d(16)
        self.conv3 = nn.Conv2d(16, 32, 3, stride=2, padding=0)
        self.linear1 = nn.Linear(32 * r * r, 1024)
        self.linear2 = nn.Linear(1024, latent_dims)  # mean
        self.linear3 = nn.Linear(1024, latent_dims)  # log of the standard deviation

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.batch2(self.conv2(x)))
        x = F.relu(self.conv3(x))
        x = F.relu(self.linear1(x.flatten(1)))
        mu = self.linear2(x)
        std = torch.exp(self.linear3(x))
        z = reparameterize(mu, std)
        return mu, std, z


class Decoder(nn.Module):
    """Codes (N, latent_dims) -> images (N, 3, S, S) in [0, 1]; the encoder in mirror image."""

    def __init__(self, latent_dims=100, image_size=256):
        super().__init__()
        r = conv_side(image_size)
        self.decoder_lin = nn.Sequential(
            nn.Linear(latent_dims, 1024), nn.ReLU(True),
            nn.Linear(1024, 32 * r * r), nn.ReLU(True))
        self.unflatten = nn.Unflatten(1, (32, r, r))
        self.decoder_conv = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 3, stride=2, output_padding=1),
            nn.BatchNorm2d(16), nn.ReLU(True),
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1),
            nn.BatchNorm2d(8), nn.ReLU(True),
            nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1, output_padding=1))

    def forward(self, z):
        return torch.sigmoid(self.decoder_conv(self.unflatten(self.decoder_lin(z))))


def overlap_counts(decoder):
    """How many kernel taps of ``decoder``'s transposed convolutions reach each output pixel.

    Every ``ConvTranspose2d`` of ``decoder.decoder_conv`` is copied with one channel, all weights 1
    and no bias, and the copies are chained on an input of ones: the result (S, S) counts, for every
    pixel, the paths through the kernels that write into it. Kernel 3 with stride 2 writes some
    pixels twice as often as their neighbours, in each direction: the chapter's "checkerboard".
    """
    layers = [m for m in decoder.decoder_conv if isinstance(m, nn.ConvTranspose2d)]
    r = decoder.unflatten.unflattened_size[-1]
    x = torch.ones(1, 1, r, r)
    with torch.no_grad():
        for m in layers:
            ones = nn.ConvTranspose2d(1, 1, m.kernel_size, m.stride, m.padding, m.output_padding,
                                      bias=False)
            ones.weight.fill_(1.0)
            x = ones(x)
    return x[0, 0]


class VAE(nn.Module):
    """The chapter's convolutional VAE (section 7.4.1) for square RGB images of side ``image_size``.

    ``forward(x)`` with x (N, 3, S, S) in [0, 1] returns ``(mu, std, out)``: the code's mean and
    standard deviation (N, latent_dims) and the reconstruction of a sampled code (N, 3, S, S).
    """

    def __init__(self, latent_dims=100, image_size=256):
        super().__init__()
        self.config = dict(latent_dims=latent_dims, image_size=image_size)
        self.encoder = Encoder(latent_dims, image_size)
        self.decoder = Decoder(latent_dims, image_size)

    def forward(self, x):
        mu, std, z = self.encoder(x)
        return mu, std, self.decoder(z)


class DenseVAE(nn.Module):
    """The MNIST autoencoder with a VAE bottleneck: 784 -> 200 -> (mu 20, log-std 20) -> 200 -> 784.

    The AE above with its code layer split into two heads, as the chapter's convolutional VAE does:
    ``encoder(x)`` returns ``(mu, std, z)`` with ``z = mu + std * noise``; ``decoder(z)`` returns
    images (N, 784) in [0, 1]; ``forward(x)`` returns ``(mu, std, out)``, so ``core.vae_loss`` applies.
    Input: images (N, 784) or (N, 1, 28, 28), floats in [0, 1].
    """

    def __init__(self, input_dim=784, z_dim=20, h_dim=200):
        super().__init__()
        self.config = dict(input_dim=input_dim, z_dim=z_dim, h_dim=h_dim)
        self.common = nn.Linear(input_dim, h_dim)     # encoder hidden layer
        self.mu = nn.Linear(h_dim, z_dim)             # mean of the code
        self.log_std = nn.Linear(h_dim, z_dim)        # log of its standard deviation
        self.l1 = nn.Linear(z_dim, h_dim)             # decoder hidden layer
        self.out = nn.Linear(h_dim, input_dim)        # decoder output: the image

    def encoder(self, x):
        """(N, 784) images -> ``(mu, std, z)``, each (N, 20); z is one draw, on x's device."""
        h = F.relu(self.common(x.flatten(1)))
        mu, std = self.mu(h), torch.exp(self.log_std(h))
        return mu, std, reparameterize(mu, std)

    def decoder(self, z):
        """(N, 20) codes -> (N, 784) images in [0, 1]."""
        return torch.sigmoid(self.out(F.relu(self.l1(z))))

    def forward(self, x):
        mu, std, z = self.encoder(x)
        return mu, std, self.decoder(z)


# ---------------------------------------------------------------------------------------------
# The judges' networks (trained and used in ``dlhelpers.judges``)
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


MODELS = {cls.__name__: cls for cls in (AE, VAE, DenseVAE, DigitNet, TraitNet)}
"""Every model class by name: how ``checkpoints.load`` rebuilds a saved model."""
