"""Helpers for the real-browser test: Debian's Chromium, a throwaway JupyterLab, a scratch notebook.

No browser is downloaded by playwright: the PyPI ``playwright`` package drives ``/usr/bin/chromium``
(installed with apt when missing) through ``executable_path``.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def ensure_chromium(timeout=600):
    """Path of Debian's Chromium, installed with apt-get when missing.

    Returns ``(path, None)``, or ``(None, reason)`` when it cannot be had here (not root, no apt,
    or apt failed), so the caller can skip with that reason.
    """
    if CHROMIUM.exists():
        return CHROMIUM, None
    if shutil.which("apt-get") is None:
        return None, "no /usr/bin/chromium and no apt-get to install it"
    if os.geteuid() != 0:
        return None, "no /usr/bin/chromium, and installing it with apt-get needs root"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "chromium"]
    for attempt in ([], [["apt-get", "update"]]):  # try the cached lists first
        for cmd in attempt + [install]:
            try:
                done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return None, f"{' '.join(cmd)} took more than {timeout} s"
        if CHROMIUM.exists():
            return CHROMIUM, None
    return None, f"apt-get install chromium failed: {(done.stderr or done.stdout)[-400:]}"


def free_port():
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet_lab_settings(folder):
    """User settings for a fresh JupyterLab: no news or update checks (there may be no internet),
    no autosave (the notebook copy stays as it was), and the notebook's kernel started without
    asking (JupyterLab 4 otherwise shows a "Select Kernel" dialog in a fresh profile)."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
    }
    for name, values in settings.items():
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


class Lab:
    """JupyterLab on a free loopback port with an empty token, serving ``root``; logs in ``log``.

    Use as a context manager: the server and its kernels (one process group) are stopped on exit,
    whatever happened inside.
    """

    def __init__(self, root, scratch, env=None):
        self.root, self.scratch = Path(root), Path(scratch)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.scratch / "jupyterlab.log"
        self.env = dict(os.environ, **(env or {}))
        for var, sub in [
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ]:
            self.env[var] = str(self.scratch / sub)
        quiet_lab_settings(self.scratch / "settings")
        self.proc = None

    def __enter__(self):
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            f"--port={self.port}",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={self.root}",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")  # CI containers and this machine run as root
        self.log_file = open(self.log, "w")
        self.proc = subprocess.Popen(
            cmd, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def wait_ready(self, timeout=60):
        """Block until the server answers /api/status; raise with the log's tail if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"JupyterLab did not answer within {timeout} s:\n{self.tail()}")

    def tail(self, chars=3000):
        self.log_file.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the server and the kernels it started
                self.proc.wait(timeout=15)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self.log_file.close()
        return False


SCRATCH_CELLS = [
    """\
import torch
from dlhelpers import settings
from dlhelpers.widgets import sliders
from dlhelpers.chapter.models import VAE""",
    """\
# Two painted 64-px faces, one with bold dark glasses, and a VAE decoder fitted to them (with a
# free code for each) in a few seconds: a freshly initialised decoder paints every code the same
# flat grey, which would hide a change. One thread keeps it quick on a busy 2-core machine.
settings.seed(0)
torch.set_num_threads(1)
size = 64
y, x = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
inside = ((x / 0.7) ** 2 + (y / 0.85) ** 2 < 1).float()
plain = inside * torch.tensor([0.95, 0.8, 0.65]).view(3, 1, 1) \\
    + (1 - inside) * torch.tensor([0.3, 0.5, 0.8]).view(3, 1, 1)
mouth = ((y - 0.45).abs() < 0.05) & (x.abs() < 0.3)
plain = torch.where(mouth, torch.tensor([0.7, 0.1, 0.1]).view(3, 1, 1), plain)
lenses = (((x.abs() - 0.3) / 0.22) ** 2 + ((y + 0.15) / 0.15) ** 2 < 1) \\
    | (((y + 0.15).abs() < 0.03) & (x.abs() < 0.3))
faces = torch.stack([plain, torch.where(lenses, torch.tensor(0.05), plain)])
model = VAE(image_size=size)
codes = torch.nn.Parameter(torch.randn(2, 100))
opt = torch.optim.Adam([*model.decoder.parameters(), codes], lr=3e-3)
for step in range(100):
    loss = ((model.decoder(codes) - faces) ** 2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
z1, z2 = codes.detach()
print(f"fitted: loss {loss.item():.1f}")""",
    """\
sliders.interpolation_slider(model.eval(), z1, z2, labels=("no glasses", "glasses"))""",
]


def write_scratch_notebook(path):
    """A small notebook whose first widget is ``sliders.interpolation_slider`` on 64-px faces."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in SCRATCH_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return Path(path)


def shown_images(widget, timeout_ms=30_000):
    """The src of every visible <img> in ``widget`` (a playwright locator), once all of them have
    loaded; hidden ones (``display: none``, e.g. a GIF not saved yet) are left out."""
    widget.page.wait_for_function(
        "el => [...el.querySelectorAll('img')].filter(e => e.offsetParent !== null)"
        ".every(e => e.complete && e.naturalWidth > 0)",
        arg=widget.element_handle(),
        timeout=timeout_ms,
    )
    return widget.evaluate(
        "el => [...el.querySelectorAll('img')].filter(e => e.offsetParent !== null).map(e => e.src)"
    )


def grey_spread(png):
    """Standard deviation of a PNG's grey levels: about 0 for a blank (one-colour) picture."""
    import io

    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).stddev[0]


@contextlib.contextmanager
def lab_page(root, scratch, chromium, env, height=900, failure_png=None):
    """JupyterLab serving ``root`` (ready) and a headless Chromium page beside it: yields
    ``(lab, page)``. A failure inside is saved as a full-page screenshot at ``failure_png`` and
    re-raised with JupyterLab's log; the browser is closed and JupyterLab stopped either way."""
    from playwright.sync_api import sync_playwright

    lab = Lab(root, scratch, env=env)
    lab.env.pop("MPLBACKEND", None)  # conftest's Agg: the kernel should draw as a reader's does
    with lab, sync_playwright() as pw:
        lab.wait_ready()
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": height})
        try:
            yield lab, page
        except Exception as err:
            page.screenshot(path=failure_png, full_page=True)
            raise AssertionError(f"{err}\n--- JupyterLab log ---\n{lab.tail()}") from err
        finally:
            browser.close()
