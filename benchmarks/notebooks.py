"""Execution time of each notebook, and of the whole set, on a fresh kernel each.

The notebooks' folder is copied into a temporary directory and each notebook executed
there by the project's own runner (tools/run_notebooks.py, which saves outputs in
place): the committed notebooks are never touched. The
time includes the kernel's start, as ``make notebooks`` and nbval pay it.
"""

import importlib.util
import pathlib
import shutil
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET_S = 20.0  # the project's rule: each notebook runs top to bottom in under 20 s


def _runner():
    spec = importlib.util.spec_from_file_location("run_notebooks",
                                                  ROOT / "tools" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run


def run(paths=None, *, log=print):
    """{"notebooks": {name: seconds}, "total_s": ...}: the report's "notebooks" section."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) if paths is None else list(paths)
    section = {"target_s": TARGET_S, "notebooks": {}, "errors": {}}
    if not paths:
        section["skipped"] = "no notebooks"
        return section
    execute = _runner()
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            # The whole folder, so that a notebook finds any file beside it.
            folder = pathlib.Path(tmp) / path.parent.name
            if not folder.exists():
                shutil.copytree(path.parent, folder,
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            copy = folder / path.name
            try:
                seconds = execute(copy)
            except Exception as exc:  # report a broken notebook and go on with the rest
                section["errors"][path.name] = f"{type(exc).__name__}: {str(exc)[:200]}"
                log(f"  notebook {path.name}: ERROR {type(exc).__name__}")
                continue
            section["notebooks"][path.name] = round(seconds, 2)
            log(f"  notebook {path.name}: {seconds:.1f} s")
    section["total_s"] = round(sum(section["notebooks"].values()), 2)
    return section
