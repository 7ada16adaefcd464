"""Kernel CPU per slider step of every light lab, as a kernel under ``%matplotlib
widget`` spends it, and how many renders and blits each step costs.

Run: ``python -m benchmarks.lab_steps`` (prints a table; ``--steps N`` per control).

No kernel and no browser: the lab is built with ipympl's canvas in this process and
interactive mode on, as ``%matplotlib widget`` leaves a kernel. One step is what a
slider move costs the kernel:

0. (``widget_kernel``) a real IPython shell runs ``%matplotlib widget``;
1. the value is set, as ipywidgets does for a message from the front end: the lab
   recomputes, then blits (ipympl encodes and sends the changed pixels) or asks the
   front end for a draw;
2. the ``post_execute`` event the comm layer fires after every message (its callbacks
   as matplotlib and ipympl registered them: pyplot's ``_draw_all_if_interactive``
   asks every stale figure to draw, ipympl's ``flush_figures``);
3. while a draw was asked for: the front end's draw request (one, however often it was
   asked), i.e. ``canvas.handle_draw``: a full render, encoded and sent; it is a
   message too, so ``post_execute`` runs again after it.

CPU time is ``time.process_time()`` around all three. Numbers depend on the machine
and its load; compare runs made on the same machine.
"""

import argparse
import statistics
import time


def step_values(control, steps):
    import numpy as np

    if hasattr(control, "_options_values"):
        return [v for v in control._options_values] * steps
    if isinstance(control.value, bool):
        return [not control.value, control.value] * steps
    lo, hi = control.min, control.max
    values = np.linspace(lo, hi, steps + 2)[1:-1]
    if hasattr(control, "base"):
        values = control.base ** values
    if isinstance(control.value, int):
        values = np.round(values).astype(int)
    return [v.item() for v in values]


class Kernel:
    """Counts what one lab's canvas does and plays the front end's part."""

    def __init__(self, lab):
        from matplotlib import pyplot

        self.lab, self.pyplot = lab, pyplot
        canvas = lab.fig.canvas
        self.renders = self.blits = self.asked = 0
        self.pending = False
        canvas.mpl_connect("draw_event", self._rendered)
        send_event, blit = canvas.send_event, canvas.blit

        def send(event_type, **kwargs):
            if event_type == "draw":
                self.pending, self.asked = True, self.asked + 1
            return send_event(event_type, **kwargs)

        def counted_blit(*args, **kwargs):
            self.blits += 1
            return blit(*args, **kwargs)

        canvas.send_event, canvas.blit = send, counted_blit

    def _rendered(self, event):
        if not event.canvas.is_saving():
            self.renders += 1

    def post_execute(self):
        """What the comm layer does after handling a message from the front end."""
        from IPython import get_ipython

        get_ipython().events.trigger("post_execute")

    def settle(self):
        self.post_execute()
        for _ in range(10):
            if not self.pending:
                return
            self.pending = False
            self.lab.fig.canvas.handle_draw({"type": "draw"})
            self.post_execute()
        raise RuntimeError("the figure keeps asking for draws")


def measure(cls, steps):
    """{control: [(value, CPU seconds, renders, blits) for each step]} for a new ``cls``
    lab, ``steps`` values per control (``step_values``)."""
    import matplotlib.pyplot as plt

    lab = cls()
    kernel = Kernel(lab)
    # The first display: the front end says it is there (from then on ipympl sends
    # only diffs, not also a full PNG for the notebook file) and asks for a draw.
    lab.fig.canvas._handle_message(lab.fig.canvas, {"type": "initialized"}, [])
    lab.fig.canvas.handle_draw({"type": "draw"})
    kernel.settle()
    per_control = {}
    try:
        for name, control in lab.controls.items():
            per_control[name] = []
            for value in step_values(control, steps):
                if value == control.value:
                    continue
                kernel.renders = kernel.blits = 0
                start = time.process_time()
                control.value = value
                kernel.settle()
                per_control[name].append((value, time.process_time() - start,
                                          kernel.renders, kernel.blits))
    finally:
        lab.close()
        plt.close("all")
    return per_control


def widget_kernel():
    """An IPython shell in this process with ``%matplotlib widget``, as a notebook's
    first cell leaves its kernel: ipympl's backend, interactive mode, and the
    ``post_execute`` callbacks matplotlib and ipympl register with IPython."""
    from IPython.core.interactiveshell import InteractiveShell

    class KernelShell(InteractiveShell):
        def enable_gui(self, gui=None):
            pass  # as ipykernel's shell for the widget backend: no event loop to start

    shell = KernelShell.instance()
    shell.run_line_magic("matplotlib", "widget")
    return shell


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8, help="values per control")
    parser.add_argument("--all", action="store_true", help="retraining labs too")
    args = parser.parse_args(argv)
    widget_kernel()
    from benchmarks.labs import discover

    print(f"{'lab':28} {'steps':>5} {'renders':>7} {'blits':>5} "
          f"{'CPU ms/step median':>18} {'mean':>6} {'max':>6}")
    for key, cls in discover().items():
        if cls.retrains and not args.all:
            continue
        steps = [step for per in measure(cls, args.steps).values() for step in per]
        cpu = [c for _, c, _, _ in steps]
        print(f"{key:28} {len(steps):5d} {sum(r for *_, r, _ in steps):7d} "
              f"{sum(b for *_, b in steps):5d} {1000 * statistics.median(cpu):18.1f} "
              f"{1000 * statistics.mean(cpu):6.1f} {1000 * max(cpu):6.1f}")


if __name__ == "__main__":
    main()
