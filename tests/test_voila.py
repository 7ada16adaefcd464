"""Presenter mode: every notebook in Voilà (tools/present.py, the `presenter`
template) in headless Chromium at a projector's 1280 × 720.

For each notebook: the page renders with no error output and no code cell, nothing
is fetched from another host, the page and every lab fit the width (no horizontal
scrolling), every lab draws (its ipympl canvas is not blank), and an arrow key on
each lab's first slider changes its figure. Plus: a cell tagged `presenter-skip`
is left out (its output is not on the page, while Voilà's own lab template does show
it), and the first page lists the notebooks in reading order.

One Voilà server for the module, serving a temporary copy of the notebooks. Without
Chromium or playwright the module is skipped, except in CI (CI=true).
"""

import html
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import nbformat
import pytest
from browser.chromium import CHROMIUM_ARGS, ENABLE, IN_CI, chromium, missing

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = pathlib.Path(os.environ.get("BROWSER_NOTEBOOKS", ROOT / "notebooks"))
SHOTS = pathlib.Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "browser-screenshots"))
PROJECTOR = {"width": 1280, "height": 720}
RENDER_TIMEOUT = 480_000  # ms: Voilà runs the whole notebook before it shows the page
REDRAW_TIMEOUT = 15_000  # ms for new pixels after a key press (labs take ≤ 0.5 s)
SKIP_TAG = "presenter-skip"


MISSING = missing()
if MISSING and not IN_CI:
    pytest.skip(f"Voilà tests skipped: {MISSING}; {ENABLE}", allow_module_level=True)

from browser import lab_page  # noqa: E402 (after the skip)


# --- the server
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Presenter:
    """``python -m tools.present`` on a temporary copy of the notebooks, in its own
    process group (killed, kernels included, however the tests end)."""

    def __init__(self, notebooks):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="lecture-mlp-voila-"))
        self.root = self.tmp / "notebooks"
        shutil.copytree(notebooks, self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"), JUPYTER_PLATFORM_DIRS="1")
        self.log = open(self.tmp / "voila.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tools.present", "--no-browser", f"--port={self.port}",
             f"--notebooks={self.root}"], cwd=ROOT, env=env, stdout=self.log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout=180.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Voilà exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                self.get("")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError(f"Voilà not ready after {timeout} s:\n{self.log_text()}")

    def get(self, path, timeout=10.0):
        with urllib.request.urlopen(self.url + path, timeout=timeout) as resp:
            return resp.read().decode("utf-8", errors="replace")

    def log_text(self):
        self.log.flush()
        return (self.tmp / "voila.log").read_text(errors="replace")[-4000:]

    def stop(self):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(10)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # a kernel left behind is still in the group
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def write_notebook(path, cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def tagged(cell):
    cell.metadata["tags"] = [SKIP_TAG]
    return cell


SHOWN, HIDDEN = "shown output 7f3a", "left-out output 9c1b"
RULE_NOTEBOOK = "_checks/presenter_skip.ipynb"


@pytest.fixture(scope="module")
def voila():
    if MISSING:
        pytest.fail(f"Voilà tests cannot run in CI: {MISSING}; {ENABLE}", pytrace=False)
    server = Presenter(NOTEBOOKS)
    try:
        md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
        write_notebook(server.root / RULE_NOTEBOOK, [
            md("# The tag rule\n\nProse that stays."),
            code(f"print({SHOWN!r})"),
            tagged(md("**Exercise.** A statement that is left out.")),
            tagged(code(f"print({HIDDEN!r})")),
        ])
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    if MISSING:
        pytest.fail(f"Voilà tests cannot run in CI: {MISSING}; {ENABLE}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """A fresh page at the projector's size that records console errors, page
    errors and every request that would leave 127.0.0.1 (those are refused)."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport=PROJECTOR)
        self.context.add_init_script(lab_page.DRAW_CLOCK)
        self.context.set_default_timeout(30_000)
        self.outside, self.errors = [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        url = route.request.url
        host = urllib.parse.urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def close(self):
        self.context.close()


def render(page, url):
    """Open a notebook in Voilà and wait until it has run and shows its cells."""
    page.goto(url, timeout=RENDER_TIMEOUT)
    page.locator("#rendered_cells").wait_for(state="visible", timeout=RENDER_TIMEOUT)


def saved_labs(nb):
    """Class names of the labs the executed notebook shows outside `presenter-skip`
    cells, in order (a lab's text/plain is ``<ClassName: title>``)."""
    names = []
    for cell in nb.cells:
        if SKIP_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            match = re.fullmatch(r"<(\w+): .*>", data.get("text/plain", ""), flags=re.S)
            if match and "application/vnd.jupyter.widget-view+json" in data:
                names.append(match.group(1))
    return names


ERROR_OUTPUTS = """() => [...document.querySelectorAll('#rendered_cells .jp-OutputArea-output')]
    .filter(o => o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr'
                 || /Error displaying widget|Traceback|There was an error when executing/
                    .test(o.textContent))
    .map(o => o.textContent.slice(0, 500))"""
WIDTHS = """() => ({page: document.scrollingElement.scrollWidth,
                  view: document.scrollingElement.clientWidth,
                  labs: [...document.querySelectorAll('.lecture-mlp-lab')].map(
                      el => Math.ceil(el.getBoundingClientRect().right))})"""


NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.stem for p in NOTEBOOK_PATHS])
def test_presented(path, voila, browser):
    """The notebook in presenter mode: no error, no code, no request off this
    machine, fits 1280 px, every lab draws and follows its first slider."""
    expected = saved_labs(nbformat.read(path, as_version=4))
    visit = Visit(browser)
    page = visit.page
    try:
        start = time.perf_counter()
        render(page, voila.url + "voila/render/" + urllib.parse.quote(path.name))
        print(f"{path.stem}: rendered in {time.perf_counter() - start:.1f} s")

        # The widgets appear once the page has connected to the kernel, after the cells.
        try:
            page.wait_for_function(
                "n => document.querySelectorAll('.lecture-mlp-lab').length >= n",
                arg=len(expected), timeout=RENDER_TIMEOUT, polling=200)
        except lab_page.playwright_error("TimeoutError"):
            pass  # the labs that did appear are compared below
        labs = lab_page.labs(page)
        assert [name for name, _ in labs] == expected, (
            f"labs on the page {[n for n, _ in labs]}, in the saved outputs {expected}")
        assert page.locator("#rendered_cells .jp-InputArea-editor").count() == 0, (
            "code cells are shown")
        failures = []
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name, box in labs:
            try:
                check_lab(page, name, box, SHOTS / f"voila__{path.stem}__{name}.png")
            except AssertionError as err:
                failures.append(str(err).split("\nassert ")[0])
        errors = page.evaluate(ERROR_OUTPUTS)
        assert not errors, f"error output on the page: {errors}"
        widths = page.evaluate(WIDTHS)
        assert widths["page"] <= widths["view"], (
            f"the page scrolls sideways at 1280 px: {widths['page']} > {widths['view']}")
        too_wide = [(n, r) for (n, _), r in zip(labs, widths["labs"]) if r > widths["view"]]
        assert not too_wide, f"labs reach past the {widths['view']} px window: {too_wide}"
        assert not failures, "\n".join(failures)
        assert not visit.outside, f"requests that leave 127.0.0.1: {visit.outside}"
        assert not visit.errors, f"errors in the browser console: {visit.errors}"
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=SHOTS / f"voila__{path.stem}.png")
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=SHOTS / f"FAILED__voila__{path.stem}.png", full_page=True)
        except Exception:  # a broken page must not hide the failure
            pass
        raise
    finally:
        visit.close()


def check_lab(page, name, box, shot):
    """The lab's figure is drawn, and an arrow key on its first slider changes it.
    ``shot``: the projector's view of the lab as it was first drawn."""
    box.scroll_into_view_if_needed()
    lab_page.wait_drawn(box, 60_000)
    assert lab_page.wait_not_blank(box, 60_000), f"{name}: the figure is blank"
    page.screenshot(path=shot)
    handle = box.locator(".widget-slider .noUi-handle[role=slider]").first
    assert handle.count(), f"{name}: no slider"
    was = handle.get_attribute("aria-valuetext")
    at_max = float(handle.get_attribute("aria-valuenow")) >= float(
        handle.get_attribute("aria-valuemax"))
    before = lab_page.image(box)
    handle.focus()
    handle.press("ArrowLeft" if at_max else "ArrowRight")
    assert handle.get_attribute("aria-valuetext") != was, (
        f"{name}: the arrow key did not move the first slider from {was}")
    assert lab_page.wait_new_image(box, before, REDRAW_TIMEOUT), (
        f"{name}: no new pixels in the figure {REDRAW_TIMEOUT} ms after an arrow key "
        f"on its first slider")


def test_presenter_skip_cells_are_left_out(voila):
    """A cell tagged presenter-skip is neither shown nor run; the untagged ones are.
    Voilà's plain lab template, asked for the same notebook, shows the tagged cell's
    output: the rule is the presenter template's, and this check can fail."""
    url = "voila/render/" + RULE_NOTEBOOK
    presented = voila.get(url, timeout=RENDER_TIMEOUT / 1000)
    assert SHOWN in presented and "Prose that stays" in presented
    assert HIDDEN not in presented
    assert "left out" not in presented  # the tagged markdown cell
    plain = voila.get(url + "?template=lab", timeout=RENDER_TIMEOUT / 1000)
    assert SHOWN in plain and HIDDEN in plain


def test_first_page_lists_the_notebooks_in_order(voila):
    """The presenter's first page: every notebook, in reading order, with its title
    and what it teaches, each linked to its presented page."""
    from tools.site_catalogue import catalogue

    page = voila.get("")
    links = re.findall(r'href="/voila/render/([^"]+)"', page)
    assert links == [p.name for p in NOTEBOOK_PATHS]
    text = html.unescape(page)
    for entry in catalogue(voila.root):
        assert entry.title in text and entry.summary in text, entry.path.name
