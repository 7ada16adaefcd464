"""Slider latency of every lab: from a value change to the PNG the front end shows.

Every ``Lab`` subclass in the modules of ``lecture_mlp.labs`` is found at run time and
built with its default values (Agg backend, no kernel). Its first few numeric sliders
are swept through their range one at a time, like a drag. One update is what ipympl
does for a slider move in a live notebook:

1. ``control.value = v``: the lab recomputes with the package and updates its artists.
   Then either it asks for a redraw (``draw_idle``: under ipympl only a request to
   the front end, so here it is recorded, not run, as Agg's would draw at once and be
   counted twice), or, for a lab with fixed axes, it blits: it draws its moving
   artists over the saved rest of the figure, and that time is counted in this step;
2. ``fig.canvas.draw()``, one full Agg render, if a redraw was asked for;
3. the PNG ipympl sends: the changed pixels (a diff against the last frame), encoded.

Targets: a lab that declares ``retrains = True`` (it trains a network on each update)
should update in 500 ms at the median, any other in 50 ms.
"""

import importlib
import inspect
import io
import pkgutil
import time
import warnings

import numpy as np
from PIL import Image

LIGHT_TARGET_MS = 50.0
RETRAIN_TARGET_MS = 500.0


def discover():
    """{"module.ClassName": class} for every Lab subclass in lecture_mlp.labs.*."""
    from lecture_mlp import labs
    from lecture_mlp.labs._base import Lab

    found = {}
    for module_info in pkgutil.iter_modules(labs.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{labs.__name__}.{module_info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Lab) and cls is not Lab and cls.__module__ == module.__name__:
                found[f"{module_info.name}.{name}"] = cls
    return dict(sorted(found.items()))


def numeric_sliders(lab, limit):
    """The first ``limit`` controls with a numeric value and a min and max."""
    sliders = {}
    for name, control in lab.controls.items():
        value = getattr(control, "value", None)
        if (isinstance(value, (int, float)) and not isinstance(value, bool)
                and hasattr(control, "min") and hasattr(control, "max")):
            sliders[name] = control
        if len(sliders) == limit:
            break
    return sliders


def sweep(control, steps):
    """``steps`` values from min to max (in the exponent for a log slider), the current
    value left out (setting it again would not fire an update)."""
    if hasattr(control, "base"):  # FloatLogSlider: min and max are exponents
        values = control.base ** np.linspace(control.min, control.max, steps)
    else:
        values = np.linspace(control.min, control.max, steps)
    if isinstance(control.value, int):
        values = np.unique(np.round(values).astype(int))
    return [v.item() for v in values if not np.isclose(v, control.value)]


class _Frames:
    """The PNG ipympl would send after a draw: the pixels that changed since the last
    frame (a full frame the first time), as ipympl's get_diff_image encodes them."""

    def __init__(self):
        self.last = None

    def png(self, canvas):
        pixels = np.asarray(canvas.buffer_rgba())
        frame = pixels.view(np.uint32).squeeze(2)
        if (self.last is None or frame.shape != self.last.shape
                or (pixels[:, :, 3] != 255).any()):
            output = frame
        else:
            output = np.where(frame != self.last, frame, 0)
        self.last = frame.copy()
        with io.BytesIO() as png:
            Image.fromarray(output.view(np.uint8).reshape(*output.shape, 4)).save(png, "png")
            return len(png.getvalue())


def measure(cls, *, controls=3, steps=8):
    """Latency of one lab class: build it, sweep its sliders, time each update (ms)."""
    result = {"retrains": None, "target_ms": None, "warnings": 0}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        lab = cls()
        result["build_ms"] = round((time.perf_counter() - start) * 1e3, 1)
        try:
            retrains = bool(getattr(lab, "retrains", False))
            result["retrains"] = retrains
            result["target_ms"] = RETRAIN_TARGET_MS if retrains else LIGHT_TARGET_MS
            canvas = lab.fig.canvas
            redraws = []  # draw_idle calls: redraws the front end would ask for
            canvas.draw_idle = lambda *args, **kwargs: redraws.append(True)
            frames = _Frames()
            canvas.draw()
            frames.png(canvas)
            parts = {"total": [], "compute": [], "render": [], "png": []}
            sliders = numeric_sliders(lab, controls)
            for name, control in sliders.items():
                default = control.value
                for value in sweep(control, steps):
                    t0 = time.perf_counter()
                    control.value = value
                    t1 = time.perf_counter()
                    if redraws:
                        canvas.draw()
                        redraws.clear()
                    t2 = time.perf_counter()
                    frames.png(canvas)
                    t3 = time.perf_counter()
                    for part, seconds in (("total", t3 - t0), ("compute", t1 - t0),
                                          ("render", t2 - t1), ("png", t3 - t2)):
                        parts[part].append(seconds * 1e3)
                lab.set(**{name: default})
        finally:
            lab.close()
    result["controls"] = list(sliders)
    result["updates"] = len(parts["total"])
    if parts["total"]:
        result["median_ms"] = round(float(np.median(parts["total"])), 1)
        result["p95_ms"] = round(float(np.percentile(parts["total"], 95)), 1)
        for part in ("compute", "render", "png"):
            result[f"{part}_median_ms"] = round(float(np.median(parts[part])), 1)
    result["warnings"] = len(caught)
    return result


def run(*, controls=3, steps=8, log=print):
    """Every lab's latency: the report's "labs" section, keyed "module.ClassName"."""
    import matplotlib

    matplotlib.use("Agg")
    section = {}
    for key, cls in discover().items():
        try:
            section[key] = measure(cls, controls=controls, steps=steps)
        except Exception as exc:  # a lab under construction elsewhere must not stop the run
            section[key] = {"error": f"{type(exc).__name__}: {exc}"}
        log(_progress(key, section[key]))
    return section


def _progress(key, result):
    if "error" in result:
        return f"  lab {key}: ERROR {result['error']}"
    if not result["updates"]:
        return f"  lab {key}: no numeric slider"
    return (f"  lab {key}: median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms "
            f"over {result['updates']} updates (target {result['target_ms']:.0f} ms)")
