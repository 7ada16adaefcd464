"""End to end: every notebook in a real JupyterLab in a real (headless) Chromium.

nbval runs the cells in a bare kernel; this suite checks what a reader sees: the
notebook runs top to bottom in JupyterLab, no cell shows an error, every lab's
widgets and figure render, and moving a slider the way a person does (arrow keys on
the handle, typing into the readout) redraws the figure and shows the readouts the
package computes. Screenshots of each lab go to browser-screenshots/ (or
$BROWSER_SCREENSHOTS); see tests/browser/README.md.

Without Chromium or playwright the module is skipped, except in CI (CI=true), where
that is a failure.
"""

import base64
import json
import math
import os
import pathlib
import re
import statistics
import time

import nbformat
import pytest
from browser.chromium import CHROMIUM_ARGS, ENABLE, IN_CI, chromium, missing

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = pathlib.Path(os.environ.get("BROWSER_NOTEBOOKS", ROOT / "notebooks"))
SHOTS = pathlib.Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "browser-screenshots"))
RUN_ALL_TIMEOUT = 480_000  # ms; a hang, not a speed (06 took 160 s on a busy 2-core machine)
REDRAW_TIMEOUT = 15_000  # ms for new pixels after a slider move (labs take ≤ 0.5 s)
LATENCY_PRESSES = 10
# After a mouse drag across a slider (30 moves in about a second) the figure must fall
# quiet: drawn at least once, then the kernel idle and no new frame for QUIET_MS, within
# SETTLE_TIMEOUT_MS of the release. How soon it settles is printed, not asserted (a
# speed, not a property; on a 2-core machine it measured 37-313 ms for light labs and
# 228-374 ms for retraining labs when the machine was quiet, 3× that when it was not).
QUIET_MS = 1500
SETTLE_TIMEOUT_MS = 30_000


MISSING = missing()
if MISSING and not IN_CI:
    pytest.skip(f"browser tests skipped: {MISSING}; {ENABLE}", allow_module_level=True)

from browser import lab_page  # noqa: E402 (after the skip)
from browser.jupyter import JupyterServer  # noqa: E402
from browser.oracle import Oracle  # noqa: E402


# --- fixtures
@pytest.fixture(scope="module")
def server():
    if MISSING:
        pytest.fail(f"browser tests cannot run in CI: {MISSING}; {ENABLE}", pytrace=False)
    with JupyterServer(NOTEBOOKS) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    if MISSING:
        pytest.fail(f"browser tests cannot run in CI: {MISSING}; {ENABLE}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SHOTS.glob("*__before.png"), *SHOTS.glob("*__after.png"),
                *SHOTS.glob("FAILED__*.png")]:
        old.unlink()  # what CI keeps must be this run's
    return SHOTS


@pytest.fixture(scope="module")
def app(browser, server):
    app = lab_page.App(browser, server, viewport={"width": 1600, "height": 1600})
    yield app
    app.close()


@pytest.fixture
def page(app, request, shots):
    """The session's JupyterLab page; the test opens one notebook in it."""
    failed = request.session.testsfailed
    page = app.page()
    yield page
    ok = request.session.testsfailed == failed  # the call's report is already counted
    if not ok:
        try:  # what the page looked like when the test failed, for CI to keep
            page.screenshot(path=shots / f"FAILED__{request.node.name}.png")
        except Exception:  # a broken page must not hide the failure
            pass
    app.done(ok)


@pytest.fixture
def oracle():
    o = Oracle()
    yield o
    o.close()


# --- what the saved notebook says
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def saved_labs(nb, classes):
    """Each lab the executed notebook shows, in order: (class name, title, controls
    as the kernel built them). A lab's text/plain form is ``<ClassName: title>``;
    the controls come from the widget state the executing kernel saved in the
    notebook's metadata (None when it saved none): {control: {value, index}}."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})

    def controls(model_id):
        found, todo = {}, [model_id]
        while todo:
            model = state.get(todo.pop(0), {}).get("state", {})
            name = next((c[8:] for c in model.get("_dom_classes", [])
                         if c.startswith("control-")), None)
            if name:
                found[name] = {"value": model.get("value"), "index": model.get("index")}
            todo += [c.removeprefix("IPY_MODEL_") for c in model.get("children", [])]
        return found

    labs = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            match = re.fullmatch(r"<(\w+): (.*)>", data.get("text/plain", ""), flags=re.S)
            if match and match.group(1) in classes:
                view = data.get(WIDGET_VIEW, {}).get("model_id")
                built = controls(view) if view in state else None
                labs.append((*match.groups(), built))
    return labs


def untouched(built, models):
    """Controls whose value the page changed before anyone touched them:
    {control: (as built, on the page)}. A float that moved by rounding alone (0.7 on
    a grid of 0.001 steps from 0.001 is 0.7000000000000001) does not count."""
    def same(a, b):
        if isinstance(a, float) or isinstance(b, float):
            return b is not None and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
        return a == b

    changed = {}
    for name, saved in (built or {}).items():
        page = models.get(name, {})
        for key in ("value", "index"):
            if saved[key] is not None and not same(saved[key], page.get(key)):
                changed[name] = (saved[key], page.get(key))
    return changed


def expects_error(cell):
    return "raises-exception" in cell.get("metadata", {}).get("tags", [])


# --- one lab, driven like a reader
SLIDERS = ("FloatSlider", "IntSlider", "FloatLogSlider", "SelectionSlider")
TYPED = ("FloatSlider", "IntSlider", "FloatLogSlider")


def sliders(controls, kinds):
    return [name for name, c in controls.items() if type(c).__name__ in kinds]


def typed_text(control, fraction):
    """A value on the slider's grid at ``fraction`` of its range, as a reader types it."""
    kind = type(control).__name__
    if kind == "IntSlider":
        steps = (control.max - control.min) // control.step
        return str(control.min + round(fraction * steps) * control.step)
    steps = round((control.max - control.min) / control.step)
    at = control.min + round(fraction * steps) * control.step
    if kind == "FloatLogSlider":  # the readout shows base**exponent
        return f"{control.base ** at:.6g}"
    return f"{at:.10g}"


def same_text(a, b):
    return " ".join((a or "").split()) == " ".join((b or "").split())


class Shown:
    """One lab on the page (its box, its place among the page's labs) and its class."""

    def __init__(self, page, box, index, cls, oracle):
        self.page, self.box, self.index, self.cls, self.oracle = page, box, index, cls, oracle
        self.name = cls.__name__
        self.controls = oracle.lab(cls).controls  # the in-process twin's: types, ranges

    def models(self):
        """control -> its front-end widget model's state (what the kernel was sent)."""
        return lab_page.lab_models(self.page)[self.index]["controls"]

    def values(self):
        return self.oracle.values(self.cls, self.models())


def check_readouts(lab, timeout=15.0):
    """The page's readouts equal the package's for the control values the page
    holds. Returns those values."""
    values = lab.values()
    expected = lab.oracle.readouts(lab.cls, values)
    assert expected, f"{lab.name} has no readout cells (td.lab-value)"
    deadline = time.monotonic() + timeout
    while True:  # the readout and the image arrive as separate messages
        shown = lab_page.readouts(lab.box)
        if shown.keys() == expected.keys() and all(same_text(shown[k], expected[k])
                                                   for k in expected):
            return values
        if time.monotonic() > deadline:
            break
        lab.page.wait_for_timeout(100)
    diff = {k: (shown.get(k), expected.get(k)) for k in expected.keys() | shown.keys()
            if not same_text(shown.get(k), expected.get(k))}
    raise AssertionError(f"{lab.name} at {values}: readouts differ from the package's "
                         f"(label: (page, package)): {diff}")


def move_and_check(lab, redraw_timeout=REDRAW_TIMEOUT):
    """Arrow key on the first slider's handle, then typing into the last slider's
    readout; after each the figure must show new pixels and the package's readouts.
    Returns [(slider, value after the move)]."""
    movable = sliders(lab.controls, SLIDERS)
    assert movable, f"{lab.name} has no slider to move"
    moved = []

    slider = movable[0]
    handle = lab_page.handle(lab.box, slider)
    was = handle.get_attribute("aria-valuetext")
    at_max = float(handle.get_attribute("aria-valuenow")) >= float(
        handle.get_attribute("aria-valuemax"))
    before = lab_page.image(lab.box)
    lab_page.press(lab.box, slider, "ArrowLeft" if at_max else "ArrowRight")
    assert handle.get_attribute("aria-valuetext") != was, (
        f"{lab.name}: the arrow key did not move {slider!r} from {was}")
    assert lab_page.wait_new_image(lab.box, before, redraw_timeout), (
        f"{lab.name}: no new pixels in the figure {redraw_timeout} ms after moving "
        f"{slider!r} with an arrow key")
    models = lab.models()
    sent = models[slider]["value"] if models[slider]["index"] is None else models[slider]["index"]
    at = lab_page.handle_values(lab.box, models)[slider]
    assert sent == at, f"{lab.name}: {slider!r}'s handle is at {at}, its model holds {sent}"
    moved.append((slider, check_readouts(lab)[slider]))

    typable = sliders(lab.controls, TYPED)
    if typable:
        slider = typable[-1]
        control = lab.controls[slider]
        text = typed_text(control, 0.25)
        if math.isclose(float(text), lab.values()[slider]):
            text = typed_text(control, 0.75)
        value = int(text) if type(control).__name__ == "IntSlider" else float(text)
        before = lab_page.image(lab.box)
        lab_page.type_value(lab.box, slider, text)
        assert lab_page.wait_new_image(lab.box, before, redraw_timeout), (
            f"{lab.name}: no new pixels in the figure {redraw_timeout} ms after typing "
            f"{text} into {slider!r}")
        values = check_readouts(lab)
        assert values[slider] == value, (
            f"{lab.name}: typed {text} into {slider!r}, its model holds {values[slider]}")
        moved.append((slider, values[slider]))
    return moved


def drag_and_check(lab, redraw_timeout=REDRAW_TIMEOUT, keep=None):
    """Drag the first slider's handle across its whole track with the mouse; the
    figure must fall quiet after the release (the kernel does not keep drawing queued
    values) and then show the final value: the readouts are the package's for the
    value the model holds, and a step away and back redraws the same pixels. How long
    it took to settle is printed. ``keep``: a path prefix under which both pictures are
    saved when they differ."""
    slider = sliders(lab.controls, SLIDERS)[0]
    was = lab.values()[slider]
    lab_page.drag(lab.box, slider)
    released, before, drawn, quiet = lab_page.frames(lab.box, quiet_ms=QUIET_MS,
                                                     timeout_ms=SETTLE_TIMEOUT_MS)
    changes, last = [], before
    for at, pixels in drawn:
        if pixels != last:
            changes.append(round(at - released))
            last = pixels
    assert changes, (f"{lab.name}: dragging {slider!r} across its track changed nothing "
                     f"({slider} {was} → {lab.values()[slider]}, {len(drawn)} draws, "
                     f"{'quiet' if quiet else 'not quiet'})")
    assert quiet, (
        f"{lab.name}: the figure was still changing {SETTLE_TIMEOUT_MS} ms after "
        f"releasing {slider!r}; changes at (ms from release): {changes}")
    print(f"{lab.name}: drag of {slider!r}: {len(drawn)} draws, {len(changes)} changes, "
          f"last change {changes[-1]} ms after release")
    models = lab.models()
    sent = models[slider]["value"] if models[slider]["index"] is None else models[slider]["index"]
    at = lab_page.handle_values(lab.box, models)[slider]
    assert sent == at, f"{lab.name}: after the drag {slider!r}'s handle is at {at}, " \
                       f"its model holds {sent}"
    # The figure at rest is the one the kernel draws for the final value: a move
    # away and back must give the same pixels. The drag ends at an end of the track,
    # where one step can leave the picture as it was (θ = 1000 or 999.5 in
    # StabilityLab): the move away goes to the other end (Home/End) and back. Each
    # picture is taken once the kernel has shown the readouts of the value the model
    # holds and the figure has then been quiet, so a draw still on its way is never
    # taken for the picture of a value.
    rest = settled_image(lab, slider)
    handle = lab_page.handle(lab.box, slider)
    now, low, high = (float(handle.get_attribute(f"aria-value{end}"))
                      for end in ("now", "min", "max"))
    away, back = {high: ("Home", "End"), low: ("End", "Home")}.get(
        now, ("ArrowLeft", "ArrowRight"))
    lab_page.press(lab.box, slider, away)
    assert lab_page.wait_new_image(lab.box, rest, redraw_timeout), (
        f"{lab.name}: no new pixels after moving {slider!r} away from the dragged "
        f"value ({away})")
    moved = settled_image(lab, slider)
    lab_page.press(lab.box, slider, back)
    assert lab_page.wait_new_image(lab.box, moved, redraw_timeout), (
        f"{lab.name}: no new pixels after moving {slider!r} back to the dragged value "
        f"({back})")
    final = settled_image(lab, slider)
    if final != rest and keep is not None:  # both pictures, for whoever reads the failure
        for name, url in (("rest_after_drag", rest), ("moved_away_and_back", final)):
            pathlib.Path(f"{keep}__{name}.png").write_bytes(
                base64.b64decode(url.split(",", 1)[1]))
    assert final == rest, (
        f"{lab.name}: the figure at rest after the drag is not the one drawn for "
        f"{slider!r} = {sent}" + (f" (both saved as {keep}__*.png)" if keep else ""))


def settled_image(lab, slider):
    """The figure's pixels once the page shows the package's readouts for the values
    the models hold and no draw has followed for QUIET_MS."""
    check_readouts(lab)
    assert lab_page.settle(lab.box, QUIET_MS, SETTLE_TIMEOUT_MS), (
        f"{lab.name}: the figure was still changing {SETTLE_TIMEOUT_MS} ms after "
        f"moving {slider!r}")
    return lab_page.image(lab.box)


class Clock:
    """Prints how long each phase took (shown with -s, -rP, or on failure)."""

    def __init__(self, what):
        self.what, self.last = what, time.perf_counter()

    def __call__(self, phase):
        now = time.perf_counter()
        print(f"{self.what}: {phase} {now - self.last:.1f} s")
        self.last = now


def open_and_run(page, relpath):
    """Open a notebook, wait for its kernel, Run All; the labs (name, locator)."""
    start = time.perf_counter()
    lab_page.open_notebook(page, relpath)
    opened = time.perf_counter()
    lab_page.run_all(page, RUN_ALL_TIMEOUT)
    print(f"{relpath}: open and kernel {opened - start:.1f} s, "
          f"Run All {time.perf_counter() - opened:.1f} s")
    return lab_page.labs(page)


# --- the tests
NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.stem for p in NOTEBOOK_PATHS])
def test_notebook(path, page, oracle, shots):
    """Run All: every cell runs, none shows an error, every lab renders and redraws."""
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    expected = saved_labs(nb, oracle.classes)
    classes = [oracle.resolve(name, title) for name, title, _ in expected]

    clock = Clock(path.stem)
    found = open_and_run(page, path.name)
    clock("open + run all")

    shown = [cell for cell in lab_page.cells(page) if cell["code"]]
    assert len(shown) == len(code), f"{len(shown)} code cells on the page, {len(code)} in file"
    problems = [(i, out["text"][:800]) for i, cell in enumerate(shown)
                if not expects_error(code[i]) for out in cell["outputs"]
                if out["mime"] == "application/vnd.jupyter.stderr"
                or "Error displaying widget" in out["text"]]
    assert not problems, f"cells show errors or stderr (index, text): {problems}"
    not_run = {i: cell["prompt"] for i, cell in enumerate(shown)
               if not re.fullmatch(r"\[\d+\]:", cell["prompt"])}
    assert not not_run, f"code cells did not run (index: prompt): {not_run}"

    assert [name for name, _ in found] == [name for name, *_ in expected], (
        f"labs on the page {[n for n, _ in found]}, in the saved outputs "
        f"{[n for n, *_ in expected]} (is the notebook saved executed?)")
    assert [m["name"] for m in lab_page.lab_models(page)] == [name for name, _ in found]
    failures, seen = [], {}
    for index, ((name, box), cls, (*_, built)) in enumerate(
            zip(found, classes, expected, strict=True)):
        seen[name] = seen.get(name, 0) + 1
        stem = f"{path.stem}__{name}" + (f"_{seen[name]}" if seen[name] > 1 else "")
        try:  # every lab gets checked and photographed, whatever an earlier one did
            check_lab(Shown(page, box, index, cls, oracle), built, shots / stem)
        except AssertionError as err:
            failures.append(str(err).split("\nassert ")[0])
        clock(name)
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def check_lab(lab, built, stem):
    """One lab after Run All: rendered, as the kernel built it, readouts right; then
    moved like a reader moves it. Screenshots ``<stem>__before.png``/``__after.png``."""
    box, name = lab.box, lab.name
    box.scroll_into_view_if_needed()
    lab_page.wait_drawn(box, REDRAW_TIMEOUT)
    assert lab_page.wait_not_blank(box, REDRAW_TIMEOUT), f"{name}: the figure is blank"
    box.screenshot(path=f"{stem}__before.png")  # as the reader first sees it
    on_page, models = lab_page.control_names(box), lab.models()
    assert sorted(on_page) == sorted(models) == sorted(lab.controls), (
        f"{name}: controls shown {sorted(on_page)}, in the page's widget models "
        f"{sorted(models)}, in the lab {sorted(lab.controls)}")
    changed = untouched(built, models)  # reported last: the checks below still mean something
    check_readouts(lab)  # the state Run All left, before any move
    try:
        move_and_check(lab)
        drag_and_check(lab, keep=stem)
    finally:
        box.screenshot(path=f"{stem}__after.png")
    assert not changed, (
        f"{name}: the browser changed controls nobody touched, on rendering "
        f"(control: (kernel's value, page's value)): {changed}; a slider snaps a "
        f"value that is off its step grid, so the reader gets other numbers")


def scratch_notebook(server, name, *sources):
    """Write a notebook of code cells into the served copy (never into notebooks/)."""
    path = server.root / "_checks" / name
    path.parent.mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nbformat.write(nb, path)
    return f"_checks/{name}"


def test_redraw_latency(server, page, oracle, shots, capsys):
    """Key press on the single-neuron lab's w₀ handle to new pixels, on the browser's
    clock; printed and written to latency.json for the benchmark (not time-limited)."""
    if "SingleNeuronLab" not in oracle.classes:
        pytest.skip("lecture_mlp.labs.slowdown.SingleNeuronLab does not exist yet")
    cls = oracle.resolve("SingleNeuronLab")
    relpath = scratch_notebook(server, "latency.ipynb",
                               f"%matplotlib widget\nfrom {cls.__module__} import {cls.__name__}",
                               f"lab = {cls.__name__}()\nlab")
    [(_, box)] = open_and_run(page, relpath)
    lab_page.wait_drawn(box, REDRAW_TIMEOUT)
    slider = sliders(oracle.lab(cls).controls, SLIDERS)[0]
    samples = []
    for i in range(LATENCY_PRESSES + 1):  # the first press warms up, it is not counted
        before = lab_page.image(box)
        lab_page.press(box, slider, "ArrowRight" if i % 2 == 0 else "ArrowLeft")
        assert lab_page.wait_new_image(box, before, REDRAW_TIMEOUT), f"press {i}: no new pixels"
        if i:
            samples.append(lab_page.last_latency(box))
    ordered = sorted(samples)
    result = {"lab": f"{cls.__module__}.{cls.__name__}", "control": slider,
              "samples_ms": [round(s, 1) for s in samples],
              "median_ms": round(statistics.median(samples), 1),
              "p95_ms": round(ordered[math.ceil(0.95 * len(ordered)) - 1], 1)}  # nearest rank
    (shots / "latency.json").write_text(json.dumps(result, indent=2) + "\n")
    with capsys.disabled():
        print(f"\n{cls.__name__}: key press to new pixels, median {result['median_ms']:.0f} ms,"
              f" p95 {result['p95_ms']:.0f} ms over {len(samples)} presses")


def test_broken_redraw_is_caught(server, page, oracle):
    """The pixel check fails for a lab whose figure does not follow its sliders (the
    kernel of a scratch notebook patches the class; the package is not touched).

    Removing only ``draw_idle`` would not break a lab: under ``%matplotlib widget``
    pyplot redraws a stale figure by itself. What breaks one is a slider change that
    does not reach the artists, so that is what the patch does.
    """
    cls = oracle.resolve("ThetaLab")
    relpath = scratch_notebook(
        server, "broken_redraw.ipynb",
        f"%matplotlib widget\nfrom {cls.__module__} import {cls.__name__}",
        f"{cls.__name__}._on_change = lambda self, change: None",
        f"lab = {cls.__name__}()\nlab")
    [(_, box)] = open_and_run(page, relpath)
    lab_page.wait_drawn(box, REDRAW_TIMEOUT)
    # A first draw that is still arriving would pass for a redraw: start from a figure
    # that is drawn and quiet.
    assert lab_page.wait_not_blank(box, REDRAW_TIMEOUT), f"{cls.__name__}: the figure is blank"
    assert lab_page.settle(box, QUIET_MS, SETTLE_TIMEOUT_MS), "the figure never fell quiet"
    with pytest.raises(AssertionError, match="no new pixels"):
        move_and_check(Shown(page, box, 0, cls, oracle), redraw_timeout=3000)
