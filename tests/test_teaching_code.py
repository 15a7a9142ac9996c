"""The chapter's code written in the notebooks is the code the package runs.

Notebooks 01-04 write out the model, the loss, one training step, the sampling, the arithmetic and the
blend where the book shows them; the package's engine runs ``dlhelpers.chapter.core`` (and ``models.AE``). These
tests compare the two as Python syntax trees, with docstrings and comments left out, so that neither
can drift from the other, and check that the notebooks hand their own copies to the code that runs
them (training, the VAE's sampling, the counted arithmetic and paths, the slider), so an edit counts.
"""

import ast
import inspect
import json
import textwrap
from pathlib import Path

import pytest
import torch

from dlhelpers.chapter import core, models
from stubs import notebook_definition

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

SHOWN = [
    ("01_autoencoder_mnist", models.AE),
    ("01_autoencoder_mnist", core.ae_step),
    ("02_vae_faces", core.reparameterize),
    ("02_vae_faces", core.kl_divergence),
    ("02_vae_faces", core.vae_loss),
    ("02_vae_faces", core.vae_step),
    ("03_encoding_arithmetic", core.arithmetic),
    ("04_interpolation", core.blend),
]


def _without_docstrings(node):
    for n in ast.walk(node):
        body = getattr(n, "body", None)
        if (
            isinstance(n, (ast.FunctionDef, ast.ClassDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            n.body = body[1:]
    return ast.dump(node)


def _defined_in_notebook(notebook, name):
    """The definitions named ``name`` in the notebook's code cells, each with its non-blank lines."""
    cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text())["cells"]
    found = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                text = ast.get_source_segment(source, node)
                found.append((node, sum(1 for line in text.splitlines() if line.strip())))
    return found


@pytest.mark.parametrize("notebook, obj", SHOWN, ids=[f"{n[:2]}-{o.__name__}" for n, o in SHOWN])
def test_the_notebook_writes_out_the_code_the_package_runs(notebook, obj):
    found = _defined_in_notebook(notebook, obj.__name__)
    assert len(found) == 1, f"{notebook} should define {obj.__name__} once, found {len(found)}"
    node, lines = found[0]
    package = ast.parse(textwrap.dedent(inspect.getsource(obj))).body[0]
    assert _without_docstrings(node) == _without_docstrings(package), (
        f"{notebook}'s {obj.__name__} differs from dlhelpers' {obj.__module__}.{obj.__name__}"
    )
    assert lines <= 15, f"{obj.__name__} in {notebook} is {lines} lines: keep what a student reads short"


def test_the_comparison_catches_an_edit():
    edited = ast.parse("def arithmetic(z1, z2, z3):\n    return z1 + z2 - z3\n").body[0]
    package = ast.parse(inspect.getsource(core.arithmetic)).body[0]
    assert _without_docstrings(edited) != _without_docstrings(package)


def test_the_notebooks_train_with_their_own_copies():
    """The training cells pass the notebook's step (and loss) to the engine, so an edit there counts."""

    def training_source(notebook):
        cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text())["cells"]
        return "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")

    assert "step_fn=ae_step" in training_source("01_autoencoder_mnist")
    assert "loss_fn=vae_loss" in training_source("02_vae_faces")
    assert "step_fn=vae_step" in training_source("02_vae_faces")


def _calls(notebook, names):
    """Every call in the notebook's code cells of a function or class named in ``names``
    (``claims.arithmetic_success(...)`` and ``arithmetic_success(...)`` alike)."""
    cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text())["cells"]
    found = []
    for cell in cells:
        if cell["cell_type"] == "code":
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if isinstance(node, ast.Call):
                    f = node.func
                    if (f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)) in names:
                        found.append(node)
    return found


HANDED_IN = [
    ("02_vae_faces", {"VAE"}, "reparameterize"),
    ("03_encoding_arithmetic", {"arithmetic_success", "arithmetic_table"}, "arithmetic"),
    (
        "04_interpolation",
        {
            "interpolation_survey",
            "interpolation_profile",
            "interpolation_slider",
            "path",
            "interpolation_gif",
        },
        "blend",
    ),
]


@pytest.mark.parametrize("notebook, callees, name", HANDED_IN, ids=[n[:2] for n, _, _ in HANDED_IN])
def test_the_notebooks_count_with_their_own_copies(notebook, callees, name):
    """Every VAE notebook 02 builds samples with its ``reparameterize``; every count of notebook 03
    runs its ``arithmetic``; every path and slider of notebook 04 walks with its ``blend``."""
    calls = _calls(notebook, callees)
    assert calls, f"{notebook} calls none of {sorted(callees)}"
    for call in calls:
        passed = {k.arg: getattr(k.value, "id", None) for k in call.keywords}
        assert passed.get(name) == name, (
            f"{notebook} calls {ast.unparse(call.func)}(...) without {name}={name}: "
            f"an edit of the notebook's {name} would not count there"
        )


def test_the_vaes_sample_with_the_reparameterize_they_are_built_with():
    own = notebook_definition("02_vae_faces", "reparameterize", {"torch": torch})
    seen = []

    def watched(mu, std):  # the notebook's own function, counting its calls
        seen.append(tuple(mu.shape))
        return own(mu, std)

    def mean_only(mu, std):  # an edited reparameterize: no noise
        return mu

    vae, x = models.VAE(latent_dims=4, image_size=16, reparameterize=watched), torch.rand(2, 3, 16, 16)
    torch.manual_seed(0)
    mu, std, z = vae.encoder(x)
    torch.manual_seed(0)
    assert seen == [(2, 4)] and torch.equal(z, mu + std * torch.randn_like(std))
    vae(x)  # the forward pass that training runs draws through it too
    assert len(seen) == 2 and "reparameterize" not in vae.config
    mu, _, z = models.VAE(latent_dims=4, image_size=16, reparameterize=mean_only).encoder(x)
    assert torch.equal(z, mu)
    mu, _, z = models.DenseVAE(z_dim=4, reparameterize=mean_only).encoder(torch.rand(2, 784))
    assert torch.equal(z, mu)
    assert models.VAE(latent_dims=4, image_size=16).encoder.reparameterize is core.reparameterize
