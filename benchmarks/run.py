"""Run every benchmark, print the tables with their targets, write JSON and markdown.

    python -m benchmarks.run [--quick] [--skip-torch] [--skip-notebooks] [--json PATH]
                             [--readme README.md] [--classload N [N ...]]

Timings are only as good as the machine is quiet: the report records the load average
at the start and the end. See benchmarks/README.md.
"""

import argparse
import json
import os
import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")  # the labs are measured without a kernel or a screen

from . import epoch, labs, neuron_grid, notebooks, report, train  # noqa: E402
from .machine import OtherProcesses, blas_threads, load_average, machine_info  # noqa: E402

RESULTS = pathlib.Path(__file__).resolve().parent / "results"

# Set by machines of this kind for old OpenBLAS builds: they slow a current numpy (a
# float32 matmul at 34 instead of 64 GFLOP/s on 2026-11-30 here) and not torch, so the
# benchmark runs without them (its own process only; tests and CI keep the machine's).
SLOW_BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
UNSET_NOTE = "LECTURE_MLP_BENCH_UNSET"  # what the re-run left out, for the report


def without_slow_blas_variables():
    """If the environment sets SLOW_BLAS_VARIABLES, run this process's command line again
    without them (OpenBLAS reads them once, when numpy loads it, so only a new process
    can drop them); otherwise return."""
    found = {name: os.environ[name] for name in SLOW_BLAS_VARIABLES if name in os.environ}
    if not found:
        return
    env = {k: v for k, v in os.environ.items() if k not in SLOW_BLAS_VARIABLES}
    env[UNSET_NOTE] = ", ".join(f"{k}={v}" for k, v in found.items())
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)


def unset_note():
    """The report's note on the variables the re-run left out, or None."""
    unset = os.environ.get(UNSET_NOTE)
    if not unset:
        return None
    return (f"Run without {unset}, which this machine sets for old OpenBLAS builds: they "
            "slow a current numpy and not torch (the kernel named above is the one used).")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="12,000 samples, one repeat, fewer slider steps (a smoke run; "
                             "writes results/quick.json unless --json is given)")
    parser.add_argument("--skip-torch", action="store_true", help="leave out the torch columns")
    parser.add_argument("--skip-notebooks", action="store_true",
                        help="leave out notebook execution (the slowest part)")
    parser.add_argument("--skip-labs", action="store_true", help="leave out slider latency")
    parser.add_argument("--skip-epoch", action="store_true",
                        help="leave out the MLP epochs (and MLP.train against epoch)")
    parser.add_argument("--threads", type=int, default=2,
                        help="BLAS and torch threads (default 2, as the targets assume)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timings per epoch configuration (default 5, quick 1)")
    parser.add_argument("--json", type=pathlib.Path, default=None,
                        help="where to write the JSON (default benchmarks/results/latest.json)"
                             "; the markdown goes beside it with the suffix .md")
    parser.add_argument("--classload", type=int, nargs="+", default=None, metavar="N",
                        help="also run the class load test (a test JupyterHub, N students "
                             "each; benchmarks/classload.py) for each N")
    parser.add_argument("--readme", type=pathlib.Path, default=None,
                        help="also paste the tables into this README, between its "
                             "'benchmark results' markers (not with --quick)")
    args = parser.parse_args(argv)
    partial = [flag for flag in ("quick", "skip_torch", "skip_notebooks", "skip_labs",
                                 "skip_epoch") if getattr(args, flag)]
    if args.readme and partial:
        parser.error("--readme takes a full run's tables, not one with "
                     + ", ".join("--" + flag.replace("_", "-") for flag in partial))
    return args


def settings_from(args):
    quick = args.quick
    return {
        "quick": quick,
        "threads": args.threads,
        "epoch": None if args.skip_epoch else {
            "n_samples": 12_000 if quick else epoch.N_SAMPLES,
            "repeats": args.repeats or (1 if quick else 5),
        },
        "train": None if args.skip_epoch else {
            "n_samples": 12_000 if quick else epoch.N_SAMPLES,
            "repeats": args.repeats or (1 if quick else 3),
        },
        "labs": None if args.skip_labs else {"controls": 3, "steps": 4 if quick else 8},
        "neuron_grid": {"repeats": 3 if quick else 7},
        "notebooks": not args.skip_notebooks,
        "torch": not args.skip_torch,
        "classload": args.classload,
    }


def import_torch(wanted, notes):
    """torch, or None with a note saying why its columns are missing."""
    if not wanted:
        notes.append("PyTorch columns skipped (--skip-torch).")
        return None
    try:
        import torch
    except ImportError:
        notes.append("PyTorch is not installed, so its columns are skipped: it is an optional "
                     "extra, `pip install -e \".[bench]\"` (or `make bench`) adds it.")
        return None
    return torch


def run_all(settings, *, log=print, epoch_options=None, lab_options=None, grid_options=None,
            notebook_paths=None, train_options=None):
    """Run the benchmarks ``settings`` asks for; return the report (a JSON-able dict).

    The *_options dicts override sizes (the tests use tiny ones)."""
    notes = []
    unset = unset_note()
    if unset:
        notes.append(unset)
    torch = import_torch(settings["torch"], notes)
    if torch is not None:
        torch.set_num_threads(settings["threads"])
    threads = blas_threads(settings["threads"])
    if threads is None:
        notes.append("numpy's BLAS thread count could not be read or set; set "
                     "OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS, MKL_NUM_THREADS) before Python "
                     "starts.")
    result = {"schema": 1, "settings": settings, "notes": notes,
              "load_average": {"start": load_average()}, "machine": machine_info(torch),
              "others_cpu": {}}
    started = time.perf_counter()
    meter = OtherProcesses()

    def section(name, title, func):
        log(title)
        meter.start()
        result[name] = func()
        result["others_cpu"][name] = meter.share()

    if settings["epoch"] is not None:
        section("epoch", "MLP epochs", lambda: epoch.run(
            **{**settings["epoch"], **(epoch_options or {})}, torch_module=torch, log=log))
    if settings.get("train") is not None:
        section("train", "MLP.train against epoch", lambda: train.run(
            **{**settings["train"], **(train_options or {})}, log=log))
    section("neuron_grid", "single-neuron grid", lambda: neuron_grid.run(
        **{**settings["neuron_grid"], **(grid_options or {})}, log=log))
    if settings["labs"] is not None:
        section("labs", "lab slider latency", lambda: labs.run(
            **{**settings["labs"], **(lab_options or {})}, log=log))
    if settings["notebooks"]:
        section("notebooks", "notebooks", lambda: notebooks.run(notebook_paths, log=log))
    else:
        notes.append("Notebook execution skipped (--skip-notebooks).")
    if settings.get("classload"):
        from . import classload

        section("classload", "class load (JupyterHub)", lambda: [
            classload.run(n, log=log) for n in settings["classload"]])
    result["load_average"]["end"] = load_average()
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["targets"] = report.targets(result)
    return result


def write(result, json_path):
    """Write the JSON and, beside it, the markdown; return the markdown text."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    text = report.markdown(result)
    json_path.with_suffix(".md").write_text(text)
    return text


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    without_slow_blas_variables()
    settings = settings_from(args)
    json_path = args.json or RESULTS / ("quick.json" if args.quick else "latest.json")
    result = run_all(settings)
    text = write(result, json_path)
    print()
    print(text)
    print(f"wrote {json_path} and {json_path.with_suffix('.md')}")
    if args.readme:
        report.paste_into_readme(args.readme, text)
        print(f"pasted the tables into {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
