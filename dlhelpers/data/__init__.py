"""The data: MNIST, folders of faces and their cache, the photos organiser, the drawn faces, groups.

    digits        the MNIST digits (7.2)
    faces         the faces in use (the book's photos or the drawn ones), their VAE files, splits
    face_folder   a G/NoG folder decoded once (decode) and cached (image_cache)
    kaggle        organising Kaggle's "glasses or no glasses" download into G/ and NoG/
    face_traits, synthetic_faces, synthetic_set, photo_faces   the drawn faces: their traits, the
                  drawing, sets in memory or on disk, photo-like PNG files
    groups        the four groups of 7.4.4 (labels, the book's picks, or a hand-made choice)
    sources       where a run's data comes from, said in every notebook's first cell

``dlhelpers.data`` itself offers what the notebooks call (``data.mnist``, ``data.face_set`` ...).
Images leave this wing as uint8 tensors, 0..255; ``to_float`` makes the floats a model sees.
"""

from dlhelpers.chapter.latent import to_float  # noqa: F401  (the chapter's, offered here too)
from dlhelpers.data.digits import MNIST_FILES, mnist, one_per_digit  # noqa: F401
from dlhelpers.data.faces import (  # noqa: F401
    BOOK_VAE,
    PHOTOS_ENV,
    RUNS_ENV,
    SHIPPED_VAE,
    NoModelError,
    SizeError,
    ae_file,
    face_set,
    in_use,
    load_vae,
    runs_folder,
    summary,
    trait_labels,
    vae_candidates,
    vae_file,
    vae_recipe,
)
from dlhelpers.data.sources import where_from  # noqa: F401
