"""Build the static course site from the committed, executed notebooks.

    python -m tools.site_build [OUT]        (make site; OUT defaults to _site/)

Nothing is executed: each page shows a notebook as its last run saved it (prose,
code, printed outputs, figures; a lab as the picture of its default state that its
saved output carries beside the widget). Pages: index.html (the reading order and
what each notebook teaches, from tools/site_catalogue.py), one <stem>.html per
notebook with links to the list and to the previous and next notebook, its figures
in <stem>_files/, and the notebook itself under notebooks/ to download.

nbconvert with a small template of ours (tools/site_template/) does it: it is the
exporter Jupyter itself uses, it is installed with JupyterLab anyway, and it renders
five notebooks in seconds. MathJax 2 comes from the jupyter-server-mathjax package
and is copied into assets/mathjax/: no page asks another host for anything.
"""

import html
import importlib.util
import os
import pathlib
import shutil
import sys
import time

import nbformat
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import ExtractOutputPreprocessor

from tools.site_catalogue import NOTEBOOKS, README, catalogue

ROOT = pathlib.Path(__file__).resolve().parents[1]
TEMPLATES = pathlib.Path(__file__).resolve().parent / "site_template"
DEFAULT_OUT = ROOT / "_site"
COURSE = "Lecture 24: Cross Entropy Loss"
MARKER = ".lecture-site"  # in every site built here: only such a folder is ever replaced
# Found, not imported: importing it starts a Jupyter server's imports (seconds).
MATHJAX = pathlib.Path(
    importlib.util.find_spec("jupyter_server_mathjax").submodule_search_locations[0]) / "static"
# MathJax 2 as jupyter-server-mathjax ships it: this combined configuration and the
# STIX-Web fonts for its HTML-CSS output (it has no CommonHTML output, no TeX fonts).
MATHJAX_URL = "assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"

INDEX_INTRO = f"""# {COURSE}

Interactive notebooks for one lecture of NPTEL's Deep Learning course (Prof. P. K.
Biswas, IIT Kharagpur): backpropagation with the squared error, why a saturated
sigmoid unit learns slowly under it, and how the cross entropy, derived from the
likelihood, removes that slowdown for two classes and for many.

These pages show each notebook as its last run left it: the prose, the code, what it
printed and every figure. The labs appear as pictures of their default state; to move
their sliders, open the notebooks in JupyterLab (`make lab`, see the README) or on
Binder. Read them in this order:
"""


def prepare(out):
    """An empty ``out``; an existing folder is replaced only if it is a site built here."""
    out = pathlib.Path(out)
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise FileExistsError(f"{out} exists and is not a site built by this tool; "
                                  "remove it or build elsewhere")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("built by tools/site_build.py; replaced by every build\n")
    return out


def copy_tree(src, dst):
    """Copy a folder, hard-linking the files where the file system allows (MathJax is
    600 files that never change)."""
    def link_or_copy(a, b):
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link_or_copy)


def exporter():
    exp = HTMLExporter(template_name="lecture_site",
                       extra_template_basedirs=[str(TEMPLATES)],
                       mathjax_url=MATHJAX_URL)
    exp.register_preprocessor(ExtractOutputPreprocessor(), enabled=True)
    return exp


def render(exp, nb, out, stem, site):
    """Write ``<stem>.html`` and its extracted figures; return the page's path."""
    # Without the widget state the exporter shows each lab's saved PNG, not a widget
    # that would need a kernel (and a widget manager from a CDN).
    nb.metadata.pop("widgets", None)
    resources = {"metadata": {"name": stem}, "output_files_dir": f"{stem}_files",
                 "unique_key": "figure", "site": site}
    body, resources = exp.from_notebook_node(nb, resources=resources)
    for name, data in resources.get("outputs", {}).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    page = out / f"{stem}.html"
    page.write_text(body, encoding="utf-8")
    return page


def index_notebook(entries):
    """The list page, written as a one-cell notebook so it looks like the others."""
    items = [f"{i}. **[{e.label}]({e.stem}.html)**  \n{e.summary}"
             for i, e in enumerate(entries, 1)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        INDEX_INTRO + "\n" + "\n".join(items))])
    nb.metadata["title"] = COURSE
    return nb


def build(out=DEFAULT_OUT, notebooks=NOTEBOOKS, readme=README):
    """Build the site into ``out``; returns the pages written (index first)."""
    out = prepare(out)
    entries = catalogue(notebooks, readme)
    copy_tree(MATHJAX, out / "assets" / "mathjax")
    (out / "notebooks").mkdir()
    exp = exporter()

    def link(e):
        return {"href": f"{e.stem}.html", "label": e.label}

    pages = [render(exp, index_notebook(entries), out, "index",
                    {"index": "index.html", "course": COURSE, "prev": None,
                     "next": link(entries[0]) if entries else None, "download": None})]
    for i, e in enumerate(entries):
        shutil.copy2(e.path, out / "notebooks" / e.path.name)
        nb = nbformat.read(e.path, as_version=4)
        nb.metadata["title"] = f"{e.label} · {COURSE}"
        site = {"index": "index.html", "course": COURSE,
                "prev": link(entries[i - 1]) if i > 0 else None,
                "next": link(entries[i + 1]) if i + 1 < len(entries) else None,
                "download": f"notebooks/{html.escape(e.path.name)}"}
        pages.append(render(exp, nb, out, e.stem, site))
    return pages


def main(argv):
    out = pathlib.Path(argv[0]) if argv else DEFAULT_OUT
    start = time.perf_counter()
    pages = build(out)
    seconds = time.perf_counter() - start
    print(f"{len(pages)} pages in {out} ({seconds:.1f} s); open {out / 'index.html'}")


if __name__ == "__main__":
    main(sys.argv[1:])
