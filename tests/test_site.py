"""The static course site (tools/site_build.py, `make site`), built into a temporary
folder and read in headless Chromium from a loopback HTTP server.

Every page loads with no console error and no request leaving 127.0.0.1 (MathJax
comes from the site's own copy); MathJax leaves no raw `$...$` in the rendered text;
every image loads; every internal link resolves (the page or file exists, and so
does the #fragment). Without the browser only the build checks run: every
notebook gets a page with every figure, and nothing is re-executed.
"""

import functools
import http.server
import os
import pathlib
import re
import threading
import time
import urllib.parse

import nbformat
import pytest
from browser.chromium import CHROMIUM_ARGS, IN_CI, chromium
from browser.chromium import missing as browser_missing

from tools import site_build
from tools.site_catalogue import catalogue

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = pathlib.Path(os.environ.get("BROWSER_NOTEBOOKS", ROOT / "notebooks"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "_site"
    start = time.perf_counter()
    pages = site_build.build(out, NOTEBOOKS)
    print(f"site built in {time.perf_counter() - start:.1f} s")
    return out, pages


@pytest.fixture(scope="module")
def served(site):
    out, _ = site

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    missing = browser_missing()
    if missing:
        if IN_CI:
            pytest.fail(f"site browser tests cannot run in CI: {missing}", pytrace=False)
        pytest.skip(f"site browser tests skipped: {missing}; install Chromium and "
                    "the test extras (pip install -e '.[test]')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


# --- the build, without a browser
def test_every_notebook_has_a_page_with_every_figure(site):
    out, pages = site
    entries = catalogue(NOTEBOOKS)
    assert [p.name for p in pages] == ["index.html"] + [f"{e.stem}.html" for e in entries]
    index = (out / "index.html").read_text()
    for e in entries:
        assert f'href="{e.stem}.html"' in index, f"the index does not link {e.stem}"
        nb = nbformat.read(e.path, as_version=4)
        figures = sum("image/png" in o.get("data", {}) for c in nb.cells
                      for o in c.get("outputs", []))
        page = (out / f"{e.stem}.html").read_text()
        shown = re.findall(r'<img[^>]*\ssrc="([^"]+\.png)"', page)
        assert len(shown) == figures, f"{e.stem}: {len(shown)} images, {figures} in the notebook"
        assert all((out / urllib.parse.unquote(src)).stat().st_size > 0 for src in shown)


def test_pages_show_saved_outputs_without_running_anything(tmp_path):
    """A notebook whose saved output differs from what its code would print: the page
    shows the saved output (nothing is executed), its code and its prose."""
    src = tmp_path / "notebooks"
    src.mkdir()
    cell = nbformat.v4.new_code_cell('print("executed " + "now")', execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="saved output 41\n")]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 01 · A fixture\n\nIts first paragraph, $x^2$."),
        cell])
    nbformat.write(nb, src / "01_fixture.ipynb")
    out = tmp_path / "site"
    site_build.build(out, src, readme=tmp_path / "no-readme.md")
    page = (out / "01_fixture.html").read_text()
    assert "saved output 41" in page
    assert "executed now" not in page
    assert "executed" in page  # the code itself is shown
    assert "Its first paragraph" in (out / "index.html").read_text()  # no README row


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        site_build.build(tmp_path, NOTEBOOKS)
    assert (tmp_path / "keep.txt").read_text() == "mine"


# --- in the browser
RAW_MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[")
CHECK_PAGE = """() => {
  const skip = el => el.closest('pre, code, .jp-InputArea, script, style, .MathJax_Preview');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!skip(n.parentElement) && n.textContent.trim()) texts.push(n.textContent);
  }
  return {
    text: texts.join(' '),
    images: [...document.images].map(img => ({src: img.src, width: img.naturalWidth,
                                             complete: img.complete})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(el => el.id),
    mathErrors: document.querySelectorAll('.MathJax_Error, merror, .noError').length,
  };
}"""


def test_site_in_the_browser(site, served, browser):
    """Every page reached from the index by its links: loads with no console error and
    no request off 127.0.0.1, all math typeset, every image loaded, every internal
    link resolves."""
    out, pages = site
    outside, errors = [], []
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(120_000)  # a page with its MathJax, on a busy machine

    def route(r):
        url = r.request.url
        if url.startswith("data:") or urllib.parse.urlsplit(url).hostname == "127.0.0.1":
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append((page.url, m.text)))
    page.on("pageerror", lambda e: errors.append((page.url, str(e))))
    page.on("requestfailed", lambda r: errors.append((page.url, f"failed: {r.url}")))

    todo, seen, ids, links, problems = [served + "index.html"], set(), {}, [], []
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")  # typeset
        found = page.evaluate(CHECK_PAGE)
        ids[url] = set(found["ids"])
        name = url.removeprefix(served)
        raw = RAW_MATH.findall(found["text"])
        if raw:
            problems.append(f"{name}: math left raw: {raw[:5]}")
        if found["mathErrors"]:
            problems.append(f"{name}: {found['mathErrors']} MathJax errors")
        broken = [i["src"] for i in found["images"] if not (i["complete"] and i["width"] > 0)]
        if broken:
            problems.append(f"{name}: images that did not load: {broken}")
        for link in found["links"]:
            if urllib.parse.urlsplit(link).hostname != "127.0.0.1":
                continue  # an outside link is not followed (and nothing fetched it)
            links.append((name, link))
            target = link.split("#")[0]
            if target.endswith(".html") and target not in seen:
                todo.append(target)
    context.close()

    assert {u.removeprefix(served) for u in seen} == {p.name for p in pages}, (
        "pages the links do not reach, or pages outside the build")
    for name, link in links:
        target, _, fragment = link.partition("#")
        path = out / urllib.parse.unquote(urllib.parse.urlsplit(target).path.lstrip("/"))
        if not path.is_file():
            problems.append(f"{name}: link to a missing file {link}")
        elif fragment and fragment not in ids.get(target, set()):
            problems.append(f"{name}: link to a missing anchor {link}")
    assert not outside, f"requests that leave 127.0.0.1: {sorted(set(outside))}"
    assert not errors, f"browser errors (page, message): {errors}"
    assert not problems, "\n".join(problems)
