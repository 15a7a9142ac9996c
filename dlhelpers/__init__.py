"""dlhelpers: the code behind the notebooks on autoencoders and VAEs, chapter 7 of Mark Liu,
*Learn Generative AI with PyTorch* (Manning, 2024); the book's own code is github.com/markhliu/DGAI.

Start with ``chapter``: it is the book's code. The other wings serve it, each layer using only
those below it (``tests/test_layers.py`` checks this):

    tools      the command line, benchmarks, studies, student copies, figures for slides
    widgets    sliders, gallery, face editor, glasses shop, code map, GIFs
    measure    the judges, the chapter's claims counted, the lesson's checks and bars
    data       MNIST, folders of faces and their cache, the photos organiser, drawn faces, groups
    engine     recipes, training loops, checkpoints, live progress
    plot       every figure (anything may draw)
    settings   paths, data root, quick mode, device, seed, precision
    errors     ``UserError``, the base of every error that tells the reader what to do
    chapter    the AE, the VAE and its loss, one training step, sampling, arithmetic, blend,
               encode and decode
"""

from dlhelpers.measure import nets as _nets  # noqa: F401  registers the judges' nets with checkpoints
from dlhelpers.settings import QUICK, device, seed  # noqa: F401
