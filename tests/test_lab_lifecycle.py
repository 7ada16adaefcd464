"""A lab's lifecycle: a re-run cell frees the old lab, ``close()`` frees everything,
a value the lab cannot use is refused by name, and a failed change leaves figure,
readout and sliders in agreement. Agg backend, no kernel."""

import gc
import math
import os
import pathlib
import subprocess
import sys
import warnings

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from benchmarks.labs import discover
from lecture_mlp.labs._base import needs_widget_backend

LABS = list(discover().values())
ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILDS = 25


def live_widgets():
    """How many widgets the widget registry holds (ipywidgets ≥ 8.1 keeps it in the
    module; before, as the class attribute ``Widget.widgets``)."""
    from ipywidgets.widgets import widget

    registry = getattr(widget, "_instances", None)
    if registry is None:
        registry = widgets.Widget.widgets
    return len(registry)


def rss_mb():
    """Resident memory of this process in MB (Linux), or None."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def live_artists():
    """How many matplotlib artists (figures, axes, lines, texts, images, ...) are alive."""
    return sum(isinstance(obj, Artist) for obj in gc.get_objects())


def pixels(lab):
    return np.asarray(lab.fig.canvas.buffer_rgba()).copy()


def cheapest(cls):
    """The fewest epochs each lab's slider allows: a lab's lifecycle (its figure,
    widgets, observers) does not depend on how long it trains, and 25 builds of the
    retraining labs at their defaults take minutes."""
    lab = cls()
    try:
        return {name: control.min for name, control in lab.controls.items()
                if name == "epochs"}
    finally:
        lab.close()


def test_every_lab_class_is_tested():
    assert len(LABS) >= 11, [cls.__name__ for cls in LABS]


@pytest.mark.parametrize("cls", LABS, ids=lambda cls: cls.__name__)
def test_rebuilding_a_lab_25_times_frees_the_old_ones(cls):
    # A student re-running ``lab = CompareLab(); lab``: every old lab stays referenced
    # (IPython's output history keeps what a cell displayed), and still each build
    # must free the one before: no "More than 20 figures" warning (an error here),
    # at most 3 figures open, widgets and memory flat.
    settings = cheapest(cls)
    plt.close("all")
    gc.collect()
    figures, widgets_before = len(plt.get_fignums()), live_widgets()
    artists_before = live_artists()
    kept = []  # as Out[n] would
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept.append(cls(**settings))
        kept[-1].fig.canvas.draw()  # as the browser would show it
        per_lab = live_widgets() - widgets_before
        gc.collect()
        artists_per_lab = live_artists() - artists_before
        for build in range(1, BUILDS):
            if build == 5:  # caches (fonts, text layouts) are warm by now
                gc.collect()
                rss_before = rss_mb()
            kept.append(cls(**settings))  # under Agg, building renders the figure once
        gc.collect()
        rss = rss_mb()
    try:
        assert len(plt.get_fignums()) - figures <= 3
        assert live_widgets() - widgets_before <= per_lab, (
            f"{live_widgets() - widgets_before} widgets alive after {BUILDS} builds, "
            f"one lab has {per_lab}")
        # What a lab's memory is made of: its artists (lines, images, texts, with their
        # data and paths) and the figure's pixel buffers. After 25 builds only the live
        # lab's artists may remain; one leaked lab would add as many again.
        # A closed lab keeps its empty figure (a Figure and its background patch).
        kept_per_closed = (live_artists() - artists_before - artists_per_lab) / (BUILDS - 1)
        assert kept_per_closed <= 2, (
            f"each closed lab keeps {kept_per_closed:.1f} matplotlib artists alive; a "
            f"live lab has {artists_per_lab}, a closed one may keep only its empty figure")
        if rss_before is not None:
            assert rss - rss_before < 25.0, (
                f"resident memory grew {rss - rss_before:.1f} MB over {BUILDS - 5} builds")
        assert all(lab._closed for lab in kept[:-1]) and not kept[-1]._closed
    finally:
        kept[-1].close()


def test_a_new_lab_closes_only_the_previous_one_of_its_class():
    a, other = LABS[0](), LABS[1]()
    b = LABS[0]()
    try:
        assert a._closed and not b._closed and not other._closed
        assert not plt.fignum_exists(a.fig.number)
        assert plt.fignum_exists(b.fig.number) and plt.fignum_exists(other.fig.number)
    finally:
        b.close()
        other.close()


@pytest.mark.parametrize("cls", LABS, ids=lambda cls: cls.__name__)
def test_close_frees_figure_observers_widgets_and_callbacks(cls):
    lab = cls()
    canvas, fig = lab.fig.canvas, lab.fig
    canvas.draw()
    tree = [lab.widget, *lab.controls.values(), lab.readout]
    assert all(w.comm is not None for w in tree)
    lab.close()
    assert not plt.fignum_exists(fig.number)
    for name, control in lab.controls.items():
        assert lab._on_change not in [h for hs in control._trait_notifiers.get(
            "value", {}).values() for h in hs], f"{name} still observed"
    assert all(w.comm is None for w in tree)  # closed: gone from the registry
    for w in [*tree, *lab.widget.children]:
        assert w.comm is None and (not hasattr(w, "layout") or w.layout.comm is None)
    assert not canvas.callbacks.callbacks.get("draw_event")  # disconnected
    lab.close()  # idempotent
    assert lab._repr_mimebundle_() == {"text/plain": f"<{cls.__name__}: closed>"}
    with pytest.raises(RuntimeError, match="closed"):
        lab.set()


# --- values a lab cannot use
def bad_values(control):
    if hasattr(control, "_options_values"):
        return [None, "no such option", math.nan]
    if isinstance(control.value, bool):
        return [None, "yes", math.nan]
    return [math.nan, math.inf, None, "abc", "1.5", True]


@pytest.mark.parametrize("cls", LABS, ids=lambda cls: cls.__name__)
def test_a_value_the_lab_cannot_use_is_refused_by_name(cls):
    lab = cls()
    try:
        lab.fig.canvas.draw()
        values, readout, shown = lab.values(), lab.readout.value, pixels(lab)
        for name, control in lab.controls.items():
            for bad in bad_values(control):
                with pytest.raises(ValueError, match=f"control '{name}'"):
                    control.value = bad
                with pytest.raises(ValueError, match=f"control '{name}'"):
                    lab.set(**{name: bad})
        assert lab.values() == values and lab.readout.value == readout
        np.testing.assert_array_equal(pixels(lab), shown)
    finally:
        lab.close()


@pytest.mark.parametrize("cls", LABS, ids=lambda cls: cls.__name__)
def test_a_bad_initial_value_is_refused_and_leaves_nothing(cls):
    name = next(iter(cls().controls))
    figures, count = len(plt.get_fignums()), live_widgets()
    with pytest.raises(ValueError, match=f"control '{name}'"):
        cls(**{name: math.nan})
    assert len(plt.get_fignums()) < figures + 1 and live_widgets() <= count


def _other_value(control):
    if hasattr(control, "_options_values"):
        return next(v for v in control._options_values if v != control.value)
    if isinstance(control.value, bool):
        return not control.value
    lo, hi = control.min, control.max
    if hasattr(control, "base"):
        lo, hi = control.base ** lo, control.base ** hi
    return type(control.value)(hi if control.value != hi else lo)


@pytest.mark.parametrize("cls", LABS, ids=lambda cls: cls.__name__)
def test_a_set_that_fails_half_way_changes_nothing(cls):
    lab = cls()
    try:
        lab.fig.canvas.draw()
        (first, c1), (second, _) = list(lab.controls.items())[:2]
        values, readout, shown = lab.values(), lab.readout.value, pixels(lab)
        with pytest.raises(ValueError, match=f"control '{second}'"):
            lab.set(**{first: _other_value(c1), second: math.nan})
        assert lab.values() == values and lab.readout.value == readout
        np.testing.assert_array_equal(pixels(lab), shown)
    finally:
        lab.close()


@pytest.mark.parametrize("cls", LABS, ids=lambda cls: cls.__name__)
def test_a_redraw_that_fails_puts_the_controls_back(cls):
    # A value that passes every check but that the lab cannot show (a run that
    # diverges, say): set() and a slider change both go back to the last state.
    lab = cls()
    try:
        lab.fig.canvas.draw()
        name, control = next(iter(lab.controls.items()))
        bad = _other_value(control)
        original = lab.draw

        def draw(**values):
            if values[name] == bad:
                raise ValueError("cannot show this")
            original(**values)

        lab.draw = draw
        values, readout, shown = lab.values(), lab.readout.value, pixels(lab)
        with pytest.raises(ValueError, match="cannot show this"):
            lab.set(**{name: bad})
        with pytest.raises(ValueError, match="cannot show this"):
            control.value = bad
        assert lab.values() == values and lab.readout.value == readout
        np.testing.assert_array_equal(pixels(lab), shown)
    finally:
        lab.close()


# --- without %matplotlib widget
@pytest.mark.parametrize("backend, note", [
    ("module://matplotlib_inline.backend_inline", True),  # a kernel's default
    ("inline", True),
    ("qtagg", True),  # a window the lab never shows
    ("agg", False), ("Agg", False), ("pdf", False), ("svg", False),  # tests, scripts
])
def test_which_backends_get_the_widget_note(backend, note):
    assert needs_widget_backend(FigureCanvasAgg(Figure()), backend) is note


IPYMPL_CANVAS = """
from matplotlib.figure import Figure
from ipympl.backend_nbagg import Canvas
from lecture_mlp.labs._base import needs_widget_backend
print(needs_widget_backend(Canvas(Figure()), "module://ipympl.backend_nbagg"))
"""


def test_an_ipympl_canvas_needs_no_note():
    # In its own process: an ipympl canvas made here would leave pyplot making ipympl
    # toolbars for every later test's figures.
    out = subprocess.run([sys.executable, "-c", IPYMPL_CANVAS], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False", out.stdout


SHOW_NOTE = """
import matplotlib
from lecture_mlp.labs.slowdown import ThetaLab
lab = ThetaLab()
notes = [w.value for w in lab.widget.children if "lab-note" in w._dom_classes]
print(matplotlib.get_backend(), len(notes), "%matplotlib widget" in "".join(notes))
"""


@pytest.mark.parametrize("backend, shown", [
    ("module://matplotlib_inline.backend_inline", "1 True"), ("agg", "0 False")])
def test_a_lab_under_the_inline_backend_says_it_needs_the_widget_backend(backend, shown):
    # The real inline backend, as a kernel without %matplotlib widget has it.
    out = subprocess.run([sys.executable, "-c", SHOW_NOTE], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "MPLBACKEND": backend},
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split(maxsplit=1)[1].strip() == shown, out.stdout
