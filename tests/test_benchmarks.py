"""The benchmark code runs on tiny sizes and writes well-formed JSON and markdown.

Nothing here is timed against a target: timings belong to ``python -m benchmarks.run``.
"""

import json
import os
import pathlib
import subprocess
import sys

import ipywidgets as widgets
import nbformat
import numpy as np
import pytest

from benchmarks import epoch, labs, neuron_grid, notebooks, report, run
from lecture_mlp import MLP
from lecture_mlp.labs.slowdown import ThetaLab

ROOT = pathlib.Path(__file__).resolve().parents[1]

TINY = {"sizes": (6, 4, 3), "n_samples": 48, "batch_sizes": (8, 48), "repeats": 2, "pause": 0,
        "peak_size": 64}


TINY_TRAIN = {"sizes": (6, 4, 3), "n_samples": 48, "batch_sizes": (8, 16), "repeats": 2,
              "pause": 0, "n_val": 10, "extra_epochs": 1}


def silent(*args):
    pass


def check_summary(summary, repeats):
    assert len(summary["times_s"]) == repeats
    assert 0 < summary["best_s"] <= summary["median_s"]


def test_epoch_rows_numpy_only():
    section = epoch.run(**TINY, torch_module=None, log=silent)
    assert section["engines"] == ["numpy"]
    assert len(section["rows"]) == 2 * 2 * 2  # dtypes × losses × batch sizes
    for row in section["rows"]:
        check_summary(row["numpy"], 2)
        assert row["ratios"] == {}
        assert row["floor_ratio"] > 0
    assert section["flops"] == 2 * 48 * (2 * (6 * 4 + 4 * 3) + 4 * 3)
    assert set(section["blas"]) == {"float32", "float64"}


def test_epoch_rows_with_torch():
    torch = pytest.importorskip("torch")
    section = epoch.run(**{**TINY, "batch_sizes": (16,), "repeats": 1}, torch_module=torch,
                        log=silent)
    assert section["engines"] == ["numpy", "torch_autograd", "torch_by_hand"]
    assert max(section["twin_gradient_error"].values()) < 1e-10
    for row in section["rows"]:
        assert set(row["ratios"]) == {"numpy/torch_autograd", "numpy/torch_by_hand"}
        check_summary(row["torch_by_hand"], 1)


@pytest.mark.parametrize("loss", ["quadratic", "cross_entropy"])
@pytest.mark.parametrize("twin_name", ["torch_autograd", "torch_by_hand"])
def test_a_torch_step_is_the_package_step(loss, twin_name):
    """One full-batch epoch of each twin moves the weights as ``MLP.epoch`` does."""
    torch = pytest.importorskip("torch")
    from benchmarks.torch_twins import TWINS

    X, t = epoch.dataset(np.float64, n=20, sizes=(5, 4, 3), seed=1)
    net = MLP([5, 4, 3], loss, seed=1)
    twin = TWINS[twin_name](net.copy(), loss, eta=0.5)
    net.epoch(X, t, eta=0.5)
    twin.epoch(torch.from_numpy(X), torch.from_numpy(t), 20, torch.Generator().manual_seed(0))
    twin_W = ([W.detach().numpy() for W in twin.weights] if twin_name == "torch_by_hand" else
              [m.weight.detach().numpy().T for m in twin.model if hasattr(m, "weight")])
    for W, W_twin in zip(net.weights, twin_W):
        np.testing.assert_allclose(W, W_twin, rtol=1e-12, atol=1e-14)


def test_train_overhead_rows():
    from benchmarks import train

    section = train.run(**TINY_TRAIN, log=silent)
    assert [row["batch_size"] for row in section["rows"]] == [8, 16]
    for row in section["rows"]:
        assert len(row["times_s"]["epoch"]) == 2 and row["epoch_s"] > 0
        for name in ("default", "after", "held_out"):
            assert row[name]["ratio"] == round(row[name]["per_epoch_s"] / row["epoch_s"], 3)
    verdicts = [t for t in report.targets({"train": section})]
    assert [t["name"] for t in verdicts] == ["train per epoch ÷ epoch (batch 8)",
                                             "train per epoch ÷ epoch (batch 16)"]
    assert "÷ epoch (≤ 1.25)" in report.train_table(section)


def test_discover_finds_the_labs():
    found = labs.discover()
    assert found["slowdown.ThetaLab"] is ThetaLab
    assert all(key.count(".") == 1 and not key.startswith("_") for key in found)


def test_sweep_covers_the_range_without_the_current_value():
    linear = widgets.FloatSlider(value=0.0, min=-1, max=1)
    assert labs.sweep(linear, 5) == [-1.0, -0.5, 0.5, 1.0]
    log = widgets.FloatLogSlider(value=0.1, base=10, min=-2, max=0)
    np.testing.assert_allclose(labs.sweep(log, 5), [0.01, 10**-1.5, 10**-0.5, 1.0])
    integer = widgets.IntSlider(value=3, min=0, max=10)
    values = labs.sweep(integer, 4)
    assert values == [0, 7, 10] and all(isinstance(v, int) for v in values)


def test_measure_one_lab():
    result = labs.measure(ThetaLab, controls=1, steps=3)
    assert result["controls"] == ["theta"]
    assert result["updates"] == 3  # −10, 0, 10 (the default 4.0 is not among them)
    assert result["retrains"] is False and result["target_ms"] == labs.LIGHT_TARGET_MS
    assert 0 < result["median_ms"] <= result["p95_ms"]
    # ThetaLab's axes are fixed: it blits (in the compute part), no full render.
    assert result["render_median_ms"] == 0 and result["png_median_ms"] > 0


def test_measure_counts_the_full_render_a_lab_asks_for():
    from lecture_mlp.labs.slowdown import SingleNeuronLab

    result = labs.measure(SingleNeuronLab, controls=1, steps=3)  # w₀ rescales the axes
    assert result["controls"] == ["w0"]
    assert result["render_median_ms"] > 0 and result["png_median_ms"] > 0


def test_neuron_grid_tiny():
    section = neuron_grid.run(n=4, epochs=5, repeats=2, log=silent)
    assert set(section) >= {"quadratic", "cross_entropy", "both"}
    assert section["both"]["best_ms"] >= section["quadratic"]["best_ms"] > 0


def test_notebook_timing_leaves_the_notebook_alone(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1 + 1)")])
    nbformat.write(nb, path)
    before = path.read_bytes()
    section = notebooks.run([path], log=silent)
    assert section["errors"] == {}
    assert 0 < section["notebooks"]["tiny.ipynb"] == section["total_s"]
    assert path.read_bytes() == before


def test_report_is_well_formed_json_and_markdown(tmp_path):
    args = run.parse_args(["--quick", "--skip-torch", "--skip-notebooks", "--skip-labs",
                           "--json", str(tmp_path / "r.json")])
    settings = run.settings_from(args)
    result = run.run_all(settings, log=silent, epoch_options=TINY,
                         grid_options={"n": 4, "epochs": 5}, train_options=TINY_TRAIN)
    text = run.write(result, args.json)
    loaded = json.loads(args.json.read_text())
    assert loaded == json.loads(json.dumps(result))
    assert set(loaded) >= {"schema", "settings", "machine", "load_average", "epoch",
                           "neuron_grid", "targets", "notes"}
    assert loaded["machine"]["cores"] >= 1 and loaded["machine"]["numpy"] == np.__version__
    speed = loaded["machine"]["python_loop_s"]  # how fast this machine is today
    assert speed > 0 and f"a 10-million-step Python loop took {speed:.1f} s" in text
    for target in loaded["targets"]:
        assert set(target) == {"name", "value", "limit", "pass"}
        assert isinstance(target["pass"], bool)
    assert any(t["name"].startswith("float64 ÷ float32") for t in loaded["targets"])
    assert (tmp_path / "r.md").read_text() == text
    assert "### MLP epoch" in text and "| dtype | loss | batch |" in text
    assert "### MLP.train against epoch()" in text
    assert any(t["name"].startswith("train per epoch ÷ epoch") for t in loaded["targets"])
    assert "PyTorch columns skipped" in text


def test_targets_flag_failures():
    fake = {"neuron_grid": {"both": {"median_ms": 80.0}, "target_ms": 50.0},
            "labs": {"m.SlowLab": {"updates": 3, "median_ms": 120.0, "retrains": True,
                                   "target_ms": 500.0},
                     "m.BrokenLab": {"error": "ValueError: x"}}}
    verdicts = {t["name"]: t["pass"] for t in report.targets(fake)}
    assert verdicts == {"lab m.SlowLab median ms (retraining)": True,
                        "lab m.BrokenLab runs": False,
                        "neuron grid, both losses, median ms": False}


def test_a_failed_class_run_is_summarised_by_what_went_wrong():
    """Students whose runs failed the same way are counted on one line, whatever their
    ports; missed steps are added; a run that failed says how, with no 'limit None'."""
    spawn = ("RuntimeError: spawn failed: Server at http://127.0.0.1:{}/user/{}/api didn't "
             "respond in 300 seconds")
    run_ = {"students": 40, "servers_started": 38,
            "errors": {"student4": spawn.format(52073, "student4"),
                                       "student7": spawn.format(42569, "student7"),
                                       "student13": "TimeoutError: "},
            "pixels": {"missed": 2, "p50_ms": 90.0, "p95_ms": 250.0},
            "login_to_notebook_p50_s": 2.0}
    line = report.class_errors(run_)
    assert line == ("2 of 40 students (student4, student7): " + spawn.format("PORT", "STUDENT")
                    + "; 1 of 40 students "
                    "(student13): TimeoutError: ; 2 steps without new pixels")
    failed = [t for t in report.targets({"classload": [run_]}) if not t["pass"]]
    assert [t["name"] for t in failed] == ["class of 40: new pixels", "class of 40 runs"]
    assert failed[0]["value"] == "not measured, 38 of 40 servers started"
    text = report._failure(failed[1])
    assert text.startswith("class of 40 runs: 2 of 40 students") and "limit" not in text
    many = {f"student{i}": spawn.format(40000 + i, f"student{i}") for i in range(1, 40)}
    line = report.class_errors({**run_, "errors": many, "pixels": {"missed": 0}})
    assert line == "39 of 40 students: " + spawn.format("PORT", "STUDENT")  # counted, not listed


def test_a_class_that_started_is_judged_by_its_pixels():
    run_ = {"students": 40, "servers_started": 40, "errors": {},
            "pixels": {"missed": 0, "p50_ms": 90.0, "p95_ms": 350.0},
            "login_to_notebook_p50_s": 2.0}
    verdicts = {t["name"]: t["pass"] for t in report.targets({"classload": [run_]})}
    assert verdicts == {"class of 40: new pixels p50 ms": True,
                        "class of 40: new pixels p95 ms": False}


def test_tables_are_pasted_between_the_readme_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Project\n\n## Benchmarks\n\n{report.README_START}\nold table\n"
                      f"{report.README_END}\n\n## After\n")
    report.paste_into_readme(readme, "Measured today.\n\n### MLP epoch\n\n| a |\n|---|\n")
    text = readme.read_text()
    assert "old table" not in text
    assert f"{report.README_START}\n\nMeasured today.\n\n#### MLP epoch\n\n| a |" in text
    assert text.endswith(f"{report.README_END}\n\n## After\n")
    report.paste_into_readme(readme, "Measured again.\n")  # and again: still one copy
    assert readme.read_text().count("Measured") == 1


def test_pasting_needs_both_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Project without markers\n")
    with pytest.raises(ValueError, match="must contain the lines"):
        report.paste_into_readme(readme, "x")


@pytest.mark.parametrize("flag", ["--quick", "--skip-torch", "--skip-notebooks",
                                  "--skip-labs", "--skip-epoch"])
def test_partial_runs_are_not_pasted_into_the_readme(flag):
    with pytest.raises(SystemExit):
        run.parse_args([flag, "--readme", "README.md"])
    assert run.parse_args(["--readme", "README.md"]).readme.name == "README.md"


def test_the_benchmark_drops_the_machines_slow_blas_variables():
    """OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which these machines set for old builds,
    are left out of the benchmark's own process (by running it again without them) and
    named in its report; nothing else changes."""
    code = ("import os\n"
            "from benchmarks import run\n"
            "run.without_slow_blas_variables()\n"
            "print(os.environ.get('OPENBLAS_CORETYPE'), os.environ.get('OPENBLAS_L2_SIZE'),"
            " os.environ.get('KEEP_ME'))\n"
            "print(run.unset_note())\n")
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "512",
           "KEEP_ME": "kept"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, timeout=120, cwd=ROOT).stdout.splitlines()
    assert out[0] == "None None kept"
    assert out[1].startswith("Run without OPENBLAS_CORETYPE=Haswell, OPENBLAS_L2_SIZE=512,")
    env = {k: v for k, v in env.items() if k not in run.SLOW_BLAS_VARIABLES}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, timeout=120, cwd=ROOT).stdout.splitlines()
    assert out == ["None None kept", "None"]
