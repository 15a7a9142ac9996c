"""dlhelpers: the code behind the notebooks on autoencoders and VAEs (chapter 7).

Modules: settings (data root, quick mode, device, seed), data (datasets in memory), faces (the
synthetic faces), models (AE, VAE and its loss), checkpoints (save, load), train (training loops),
latent (codes), plot (figures), widgets (live sliders), judge (classifiers that score decoded
images), bench (benchmarks). ``widgets`` and ``judge`` are imported on demand.
"""
from . import checkpoints, data, latent, models, plot, settings, train  # noqa: F401
from .settings import QUICK, device, seed  # noqa: F401
