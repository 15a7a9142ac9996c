"""dlhelpers: the code behind the notebooks on autoencoders and VAEs, chapter 7 of Mark Liu,
*Learn Generative AI with PyTorch* (Manning, 2024).

The path the data takes, one module per step:

    settings   paths, data root, quick mode, device, seed       recipes    every lesson's settings
    data       MNIST and the faces in use, splits, groups        face_folder  a G/NoG folder, cached
    kaggle     organising the book's Kaggle download            synthetic_faces, synthetic_set  the stand-in faces
    models     AE, VAE (+ loss), DenseVAE, the judges' nets     checkpoints  atomic save, safe load
    train      every training loop                              latent     codes: means, arithmetic, paths
    plot       every figure                                     sliders, gallery  the widgets
    augment, judges, claims   classifiers that score decoded images, and the chapter's claims measured
    bench, __main__           benchmarks and the one command line (python -m dlhelpers --help)
"""
from . import checkpoints, data, latent, models, plot, recipes, settings, train  # noqa: F401
from .settings import QUICK, device, seed  # noqa: F401
