"""The course's notebooks in reading order, each with its title and what it teaches.

Shared by the static site (tools/site_build.py) and the presenter's list of
notebooks (tools/present.py). The reading order is the file names' order
(``01_...``, ``02_...``); the title is the first cell's ``# `` heading; what a
notebook teaches is its row in the README's notebook table or, for a notebook the
table does not list yet, the first paragraph of its first cell.
"""

import dataclasses
import pathlib
import re

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"

# A row of the README's table: | [stem](notebooks/stem.ipynb) | what you learn |
README_ROW = re.compile(r"^\|\s*\[[^\]]*\]\(notebooks/([^)\s]+)\.ipynb\)\s*\|(.*)\|\s*$")


@dataclasses.dataclass(frozen=True)
class Entry:
    path: pathlib.Path  # the .ipynb file
    number: str  # "01", or "" when the file name has no leading number
    title: str  # the first heading, without a leading "03 · "
    summary: str  # what the notebook teaches (markdown, one paragraph)

    @property
    def stem(self):
        return self.path.stem

    @property
    def label(self):
        """How a link names the notebook: "01 · Backpropagation with the squared error"."""
        return f"{self.number} · {self.title}" if self.number else self.title


def readme_summaries(readme=README):
    """{notebook stem: what-you-learn text} from the README's notebook table."""
    if not pathlib.Path(readme).exists():
        return {}
    rows = (README_ROW.match(line) for line in pathlib.Path(readme).read_text().splitlines())
    return {m.group(1): m.group(2).strip() for m in rows if m}


def first_cell_parts(nb):
    """(title, first paragraph after it) of the first markdown cell; ("", "") if none."""
    cell = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if cell is None:
        return "", ""
    lines = cell.source.strip().splitlines()
    title = ""
    if lines and lines[0].startswith("# "):
        title, lines = lines[0][2:].strip(), lines[1:]
    paragraphs = [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]
    # A bold lead-in such as "**What you will learn**" alone on its line is no summary.
    body = next((p for p in paragraphs if not re.fullmatch(r"\*\*[^*]+\*\*:?", p)), "")
    return title, " ".join(body.split())


def entry(path, summaries):
    path = pathlib.Path(path)
    title, first_paragraph = first_cell_parts(nbformat.read(path, as_version=4))
    number = re.match(r"(\d+)", path.stem)
    number = number.group(1) if number else ""
    if number:  # "03 · Cross entropy ..." and "03. Cross ..." name the number once
        title = re.sub(rf"^0*{int(number)}\s*[·.:\-–]\s*", "", title)
    title = title or path.stem.replace("_", " ").lstrip("0123456789 ").capitalize()
    return Entry(path, number, title, summaries.get(path.stem) or first_paragraph)


def catalogue(notebooks=NOTEBOOKS, readme=README):
    """Every ``*.ipynb`` in ``notebooks``, in reading order."""
    summaries = readme_summaries(readme)
    return [entry(p, summaries) for p in sorted(pathlib.Path(notebooks).glob("*.ipynb"))]
