"""Re-execute every notebook in notebooks/ in place, top to bottom on a fresh kernel.

    python tools/run_notebooks.py [NOTEBOOK ...]

Outputs are saved so that GitHub shows the figures and full nbval has something to
compare. Runs in this Python environment's kernel; prints each notebook's time.
"""

import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    # A kernelspec saved from one machine's environment must not leak into the file.
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nbformat.write(nb, path)
    return seconds


def main(argv):
    paths = [pathlib.Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    total = 0.0
    for path in paths:
        seconds = run(path)
        total += seconds
        print(f"{path.name:45s} {seconds:6.1f} s")
    print(f"{'all':45s} {total:6.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
