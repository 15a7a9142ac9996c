"""The chapter's networks: the dense autoencoder for MNIST (7.2), the convolutional VAE and its
encoder and decoder (7.4), and a dense VAE for MNIST to compare with the autoencoder.

Parameter names and shapes follow the chapter, so weights trained with the book's classes load
into these unchanged. Each model keeps its constructor arguments in ``config`` so a checkpoint
can rebuild it. The VAEs draw their codes with the ``reparameterize`` they are built with
(``core.reparameterize`` unless a notebook hands in its own); it is an attribute of the encoder,
not part of ``config``, so a rebuilt model draws with ``core.reparameterize``.
"""

import torch
import torch.nn.functional as F
from torch import nn

from dlhelpers.chapter.core import reparameterize


class AE(nn.Module):
    """Dense autoencoder 784 -> 200 -> 20 -> 200 -> 784 (section 7.2.2).

    Input: images (N, 784) or (N, 1, 28, 28), floats in [0, 1].
    ``forward`` returns ``(out, mu)``: reconstructions (N, 784) in [0, 1] and codes (N, 20).
    """

    def __init__(self, input_dim=784, z_dim=20, h_dim=200):
        super().__init__()
        self.config = dict(input_dim=input_dim, z_dim=z_dim, h_dim=h_dim)
        self.common = nn.Linear(input_dim, h_dim)  # encoder hidden layer
        self.encoded = nn.Linear(h_dim, z_dim)  # encoder output: the code
        self.l1 = nn.Linear(z_dim, h_dim)  # decoder hidden layer
        self.decode = nn.Linear(h_dim, input_dim)  # decoder output: the image

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
    ``z = self.reparameterize(mu, std)`` is one sample, drawn on the input's device, with the
    function given as ``reparameterize`` (default ``core.reparameterize``).
    """

    def __init__(self, latent_dims=100, image_size=256, reparameterize=reparameterize):
        super().__init__()
        self.reparameterize = reparameterize
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
        z = self.reparameterize(mu, std)
        return mu, std, z


class Decoder(nn.Module):
    """Codes (N, latent_dims) -> images (N, 3, S, S) in [0, 1]; the encoder in mirror image."""

    def __init__(self, latent_dims=100, image_size=256):
        super().__init__()
        r = conv_side(image_size)
        self.decoder_lin = nn.Sequential(
            nn.Linear(latent_dims, 1024), nn.ReLU(True), nn.Linear(1024, 32 * r * r), nn.ReLU(True)
        )
        self.unflatten = nn.Unflatten(1, (32, r, r))
        self.decoder_conv = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 3, stride=2, output_padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(True),
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(True),
            nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1, output_padding=1),
        )

    def forward(self, z):
        return torch.sigmoid(self.decoder_conv(self.unflatten(self.decoder_lin(z))))


class VAE(nn.Module):
    """The chapter's convolutional VAE (section 7.4.1) for square RGB images of side ``image_size``.

    ``forward(x)`` with x (N, 3, S, S) in [0, 1] returns ``(mu, std, out)``: the code's mean and
    standard deviation (N, latent_dims) and the reconstruction of a sampled code (N, 3, S, S).
    The code is drawn by ``reparameterize(mu, std)`` (default ``core.reparameterize``).
    """

    def __init__(self, latent_dims=100, image_size=256, reparameterize=reparameterize):
        super().__init__()
        self.config = dict(latent_dims=latent_dims, image_size=image_size)
        self.encoder = Encoder(latent_dims, image_size, reparameterize)
        self.decoder = Decoder(latent_dims, image_size)

    def forward(self, x):
        mu, std, z = self.encoder(x)
        return mu, std, self.decoder(z)


class DenseVAE(nn.Module):
    """The MNIST autoencoder with a VAE bottleneck: 784 -> 200 -> (mu 20, log-std 20) -> 200 -> 784.

    The AE above with its code layer split into two heads, as the chapter's convolutional VAE does:
    ``encoder(x)`` returns ``(mu, std, z)`` with ``z = reparameterize(mu, std)`` (default
    ``core.reparameterize``: mu + std * noise); ``decoder(z)`` returns images (N, 784) in [0, 1];
    ``forward(x)`` returns ``(mu, std, out)``, so ``core.vae_loss`` applies.
    Input: images (N, 784) or (N, 1, 28, 28), floats in [0, 1].
    """

    def __init__(self, input_dim=784, z_dim=20, h_dim=200, reparameterize=reparameterize):
        super().__init__()
        self.config = dict(input_dim=input_dim, z_dim=z_dim, h_dim=h_dim)
        self.reparameterize = reparameterize
        self.common = nn.Linear(input_dim, h_dim)  # encoder hidden layer
        self.mu = nn.Linear(h_dim, z_dim)  # mean of the code
        self.log_std = nn.Linear(h_dim, z_dim)  # log of its standard deviation
        self.l1 = nn.Linear(z_dim, h_dim)  # decoder hidden layer
        self.out = nn.Linear(h_dim, input_dim)  # decoder output: the image

    def encoder(self, x):
        """(N, 784) images -> ``(mu, std, z)``, each (N, 20); z is one draw, on x's device."""
        h = F.relu(self.common(x.flatten(1)))
        mu, std = self.mu(h), torch.exp(self.log_std(h))
        return mu, std, self.reparameterize(mu, std)

    def decoder(self, z):
        """(N, 20) codes -> (N, 784) images in [0, 1]."""
        return torch.sigmoid(self.out(F.relu(self.l1(z))))

    def forward(self, x):
        mu, std, z = self.encoder(x)
        return mu, std, self.decoder(z)


MODELS = {cls.__name__: cls for cls in (AE, VAE, DenseVAE)}
"""The chapter's model classes by name: how ``checkpoints.load`` rebuilds a saved model."""
