"""Where a run's data comes from, said once in the first cell of every notebook (``where_from``).

MNIST is read from ``<data root>/MNIST/raw``, where torchvision downloads it on first use
(``digits.mnist``). The faces are the book's photos when ``$DLHELPERS_PHOTOS`` (the first cell's
``PHOTOS``, e.g. a folder on a mounted Google Drive) or ``files/glasses`` holds them, else the
drawn faces (``faces.in_use``).
"""

from dlhelpers import settings
from dlhelpers.data.digits import MNIST_FILES
from dlhelpers.data.faces import in_use

NO_GPU = (
    "no GPU in this Colab runtime, so training runs on the CPU: Runtime → Change runtime type → "
    "a GPU, then run the notebook again from the top"
)


def where_from(colab=False):
    """One line: where MNIST and the faces come from, with paths relative to the project. On Colab
    (``colab=True``) without CUDA, a second line says how to get a GPU.

    Raises ``face_folder.NoFacesError`` (a FileNotFoundError) when ``$DLHELPERS_PHOTOS`` names no
    folder, so a mistyped ``PHOTOS`` stops the first cell rather than a later one.
    """
    raw = settings.data_root() / "MNIST" / "raw"
    mnist = f"MNIST from {settings.relative(raw)}"
    if not all((raw / name).is_file() for name in MNIST_FILES):
        mnist += " (torchvision downloads it there on first use)"
    line = f"data: {mnist} | faces: {in_use()}"
    if colab and settings.device().type != "cuda":
        line += "\n" + NO_GPU
    return line
