"""The HTML site of ``python3 tasks.py site``: built from the committed notebooks, read in a browser.

``tasks.build_site`` (what the task calls) builds the site into a temporary folder from the files as
they are in the working tree, without executing a notebook. Two tests read it (a third checks the
heading reader they use):

- every local link and image of every page points at a file the site has (and at an anchor that
  page has), and no page loads a script, style sheet or image from outside: the site reads offline;
- headless Chromium (Debian's, see ``browser_helpers``), served the site by Python's http.server on
  the loopback interface, starts at the landing page (the README), clicks the sidebar's link to each
  notebook, and checks that every <img> on the page has loaded, that there are as many as the
  notebook has figures and pictures, that each of the notebook's headings (the book's numbered
  sections among them) is there in order, and that MathJax typeset the maths. Requests that leave
  the loopback are refused and reported. Screenshots go to ``tests/artifacts/site_*.png``.

Both are skipped, with the reason, where the [site] extra is not installed; the browser test also
where Chromium cannot be had.
"""

import contextlib
import functools
import html.parser
import http.server
import importlib.util
import json
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from browser_helpers import CHROMIUM_ARGS
from test_browser import chromium  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "tests" / "artifacts"
BOOK_HEADING = re.compile(r"^(Figure |Exercise )?7\.\d")  # 7.4.4 ..., Figure 7.11 ..., Exercise 7.1
SHOT = "03_encoding_arithmetic"  # the notebook page whose screenshot is kept


def load_tasks():
    """The repository's tasks.py as a module (it sits outside the package)."""
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site's html folder (built once for this module), or skip without the extra."""
    for module in ("sphinx", "myst_nb", "furo"):
        pytest.importorskip(module, reason="install the site extra: pip install -e .[site]")
    start = time.monotonic()
    index = load_tasks().build_site(tmp_path_factory.mktemp("site"), python=sys.executable)
    print(f"\nsite built in {time.monotonic() - start:.1f} s")
    return index.parent


# -- what the notebooks hold ---------------------------------------------------------------------


def markdown_headings(source):
    """The text of each ATX heading in a markdown cell's ``source``, outside code fences, with the
    inline markup a browser does not show (``*``, backticks, link targets) taken out."""
    headings, fenced = [], False
    for line in source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))
            headings.append(" ".join(text.replace("`", "").replace("*", "").split()))
    return headings


def notebook_contents(path):
    """``(headings, pictures, has_maths)`` of a notebook: its markdown headings in order, how many
    pictures it shows (image outputs plus images in its markdown), and whether its markdown has
    $...$ maths."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    headings, pictures, maths = [], 0, False
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            headings += markdown_headings(source)
            pictures += len(re.findall(r"!\[[^\]]*\]\(|<img\s", source))
            maths = maths or bool(re.search(r"\$[^\s$][^$\n]*\$", source))
        for output in cell.get("outputs", []):
            pictures += any(kind.startswith("image/") for kind in output.get("data", {}))
    return headings, pictures, maths


def test_notebook_headings_are_read():
    """The heading reader finds the book's numbered sections, so the browser check is not empty."""
    found = {path.stem: notebook_contents(path)[0] for path in NOTEBOOKS}
    assert len(found) == 6 and all(found.values()), found
    assert any(BOOK_HEADING.match(h) for headings in found.values() for h in headings), found
    assert markdown_headings("## 7.4.4 `z` *and* [more](x.md)\n```\n# a comment\n```") == ["7.4.4 z and more"]


# -- the built files ------------------------------------------------------------------------------


class Links(html.parser.HTMLParser):
    """The ids, link targets (``a href``) and loaded resources (``img``/``script`` src, ``link``
    href) of one HTML page."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.loads = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag in ("img", "script") and attrs.get("src"):
            self.loads.append(attrs["src"])
        elif tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or ""):
            self.loads.append(attrs["href"])


def parse(page):
    links = Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def test_every_local_link_and_image_resolves_and_nothing_loads_from_outside(site):
    pages = {page: parse(page) for page in sorted(site.rglob("*.html"))}
    assert {f"notebooks/{path.stem}.html" for path in NOTEBOOKS} <= {
        page.relative_to(site).as_posix() for page in pages
    }
    broken, outside = [], []
    for page, links in pages.items():
        for url in links.links + links.loads:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme or parts.netloc:
                if url in links.loads:
                    outside.append(f"{page.relative_to(site)}: {url}")
                continue
            target = (page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {url} (no file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(site)}: {url} (no such anchor)")
    assert broken == [], "\n".join(broken)
    assert outside == [], "pages that load from outside:\n" + "\n".join(outside)


# -- in a browser ----------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(folder):
    """Python's http.server on a free loopback port serving ``folder``; yields its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


HEADINGS_JS = """() => [...document.querySelectorAll('article :is(h1, h2, h3, h4, h5, h6)')]
  .map(h => { const c = h.cloneNode(true); c.querySelectorAll('.headerlink').forEach(a => a.remove());
              return c.textContent.replace(/\\s+/g, ' ').trim(); })"""

IMAGES_LOADED_JS = """() => [...document.querySelectorAll('article img')]
  .every(i => i.complete && i.naturalWidth > 0)"""

IMAGES_JS = """() => [...document.querySelectorAll('article img')]
  .map(i => ({src: i.getAttribute('src'), width: i.naturalWidth}))"""


def in_order(wanted, seen):
    """The items of ``wanted`` missing from ``seen``, read as a subsequence (so in order)."""
    rest = iter(seen)
    return [w for w in wanted if not any(s == w for s in rest)]


def check_notebook_page(page, path):
    """Assert that the open page shows ``path``'s pictures (all loaded), headings and maths."""
    headings, pictures, maths = notebook_contents(path)
    try:
        page.wait_for_function(IMAGES_LOADED_JS, timeout=30_000)
    finally:
        images = page.evaluate(IMAGES_JS)
    broken = [i["src"] for i in images if not i["width"]]
    assert broken == [], f"{path.stem}: images that did not load: {broken}"
    assert len(images) == pictures, f"{path.stem}: {len(images)} images, the notebook has {pictures}"
    shown = page.evaluate(HEADINGS_JS)
    missing = in_order(headings, shown)
    assert missing == [], f"{path.stem}: headings missing or out of order: {missing}\non the page: {shown}"
    if maths:
        page.locator("article mjx-container").first.wait_for(timeout=30_000)
    book = [h for h in headings if BOOK_HEADING.match(h)]
    print(f"{path.stem}: {len(images)} images loaded, {len(headings)} headings ({len(book)} of the book's)")


@pytest.mark.slow  # a real browser: about half a minute
def test_site_in_a_browser(site, chromium):  # noqa: F811
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    start = time.monotonic()
    with serve(site) as base, sync_playwright() as pw:
        outside, failed = [], []

        def route(request_route):
            if request_route.request.url.startswith(base):
                request_route.continue_()
            else:
                outside.append(request_route.request.url)
                request_route.abort()

        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", route)
        page.on("response", lambda r: failed.extend([f"{r.status} {r.url}"] * (r.status >= 400)))
        try:
            page.goto(f"{base}/")
            readme_title = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
            assert readme_title in page.locator("article h1").first.inner_text()
            page.screenshot(path=ARTIFACTS / "site_landing.png")
            for path in NOTEBOOKS:
                link = page.locator(f".sidebar-tree a[href$='{path.stem}.html']")  # relative hrefs
                assert link.count() == 1, f"no sidebar link to {path.stem} on {page.url}"
                link.click()
                page.wait_for_url(f"**/notebooks/{path.stem}.html")
                check_notebook_page(page, path)
                if path.stem == SHOT:
                    page.locator("article img").first.scroll_into_view_if_needed()
                    page.screenshot(path=ARTIFACTS / f"site_{SHOT}.png")
        except Exception:
            page.screenshot(path=ARTIFACTS / "site_failure.png", full_page=True)
            raise
        finally:
            browser.close()
    assert failed == [], "requests that failed:\n" + "\n".join(failed)
    assert outside == [], "requests that left the loopback:\n" + "\n".join(outside)
    print(f"browser walk: {time.monotonic() - start:.1f} s")
