"""Labs and figures for "the problem with the quadratic loss" (notebook 02).

The lecture's output delta for squared error keeps the factor σ'(θ) = O(1 − O):

    quadratic      δ = ∂C/∂θ = (O − t) σ'(θ)       σ'(θ) ≤ 1/4, ≈ 0 when saturated
    cross entropy  δ = ∂C/∂θ = O − t               σ'(θ) cancelled

Everything numerical comes from the package (``sigmoid``, ``sigmoid_prime``,
``neuron.simulate``); this module only arranges it into figures and labs. The two
losses have one fixed colour each, in every figure and lab (``LOSS_COLORS``).
"""

import functools
import html

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps, patheffects
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..activations import sigmoid, sigmoid_prime
from ..neuron import simulate
from ._base import LOSS_COLORS, Lab, axes_text, fixed_labels, readout_table

LOSSES = ("quadratic", "cross_entropy")
LOSS_LABELS = {"quadratic": "quadratic", "cross_entropy": "cross entropy"}
# The canonical single-neuron example (x = 1, t = 0, η = 0.15, 300 epochs): two starts.
STARTS = {"(0.6, 0.9)": (0.6, 0.9), "(2, 2)": (2.0, 2.0)}
CANONICAL = {"x": 1.0, "t": 0.0, "eta": 0.15, "epochs": 300}


# --------------------------------------------------------------------------- maths
def theta_factors(theta, t):
    """The pieces of the output delta of one sigmoid unit at pre-activation θ.

    ``theta``: scalar or array; ``t``: target in [0, 1]. Returns a dict of arrays of
    θ's shape: ``O`` = σ(θ), ``sigma_prime`` = σ'(θ) = O(1 − O), ``quadratic`` =
    (O − t)σ'(θ) (the lecture's δ^K for squared error) and ``cross_entropy`` = O − t.
    """
    O = sigmoid(theta)
    s = sigmoid_prime(theta)
    return {"O": O, "sigma_prime": s, "quadratic": (O - t) * s, "cross_entropy": O - t}


def dC_dO(loss, O, t, sigma_prime=None):
    """∂L/∂O of one sample's loss L: O − t (quadratic, L = E = ½(O − t)²) or
    (O − t)/(O(1 − O)) (cross entropy, L = C = −t log O − (1 − t) log(1 − O)).
    Times σ'(θ) = O(1 − O) it gives δ = ∂L/∂θ; for cross entropy the O(1 − O) cancels.
    ``sigma_prime``: O(1 − O) computed from θ (accurate where 1 − O rounds), if known."""
    if loss == "quadratic":
        return O - t
    if loss == "cross_entropy":
        return (O - t) / (O * (1 - O) if sigma_prime is None else sigma_prime)
    raise ValueError(f"loss must be 'quadratic' or 'cross_entropy', got {loss!r}")


def gradient_split(run, epoch):
    """∂L/∂w of a single-neuron run at ``epoch`` (L = E or C), split by the chain rule.

    ∂L/∂w = ∂L/∂O · σ'(θ) · x with θ = w x + b and O = σ(θ), all taken at the state
    after ``epoch`` updates (``run`` is a scalar ``neuron.NeuronRun``). Returns floats:
    theta, O, dC_dO, sigma_prime, x, product (the three factors multiplied), grad_w
    (the run's own ∂L/∂w, equal to the product up to rounding) and error_x = (O − t)·x,
    which is ∂C/∂w for cross entropy and σ'(θ) times larger than ∂E/∂w for the quadratic.
    """
    theta = float(run.w[epoch] * run.x + run.b[epoch])
    O = float(run.output[epoch])
    s = float(sigmoid_prime(theta))
    d = float(dC_dO(run.loss.name, O, run.y, sigma_prime=s))
    return {"theta": theta, "O": O, "dC_dO": d, "sigma_prime": s, "x": run.x,
            "product": d * s * run.x, "grad_w": float(run.grad_w[epoch]),
            "error_x": (O - run.y) * run.x}


def neuron_runs(w0, b0, *, x=1.0, t=0.0, eta=0.15, epochs=300):
    """Train the single neuron from (w₀, b₀) with each loss: dict loss name -> NeuronRun.
    ``w0``, ``b0`` broadcast together (a grid of starts costs about as much as one)."""
    return {loss: simulate(w0, b0, x=x, y=t, eta=eta, epochs=epochs, loss=loss)
            for loss in LOSSES}


def epochs_to_learn_grid(w0, b0, *, x=1.0, t=0.0, eta=0.15, epochs=300):
    """Epochs until the output is on the target's side of 0.5, from every start.

    ``w0``, ``b0``: arrays of starts (broadcast together, e.g. a meshgrid). Returns a
    dict loss name -> int array of the broadcast shape; ``epochs + 1`` where the
    neuron has not learned within ``epochs`` (``NeuronRun.epochs_to_learn``).
    """
    return {loss: run.epochs_to_learn()
            for loss, run in neuron_runs(w0, b0, x=x, t=t, eta=eta, epochs=epochs).items()}


# --------------------------------------------------------------------------- static figures
def sigmoid_figure(marks=(1.5, 4.0)):
    """σ(θ) and σ'(θ) = σ(θ)(1 − σ(θ)) on θ ∈ [−8, 8]; σ' peaks at 1/4 at θ = 0.
    ``marks``: values of θ at which σ'(θ) is marked and labelled."""
    theta = np.linspace(-8, 8, 401)
    fig, (ax_s, ax_p) = _figure(2, figsize=(9.0, 3.0))
    ax_s.plot(theta, sigmoid(theta), color="k")
    ax_s.set(xlabel="θ", ylabel="O = σ(θ)", title="sigmoid", ylim=(-0.03, 1.03))
    ax_p.plot(theta, sigmoid_prime(theta), color="k")
    ax_p.axhline(0.25, color="0.6", ls="--", lw=0.8)
    ax_p.annotate("max 1/4 at θ = 0", (0, 0.25), xytext=(2.2, 0.225), fontsize=9)
    for th in marks:
        s = float(sigmoid_prime(th))
        ax_p.plot([th], [s], "o", color="tab:purple")
        ax_p.annotate(f"σ'({th:g}) = {s:.4f}", (th, s), xytext=(th + 0.2, s + 0.035),
                      fontsize=9, color="tab:purple")
    ax_p.set(xlabel="θ", ylabel="σ'(θ)", title="its slope σ'(θ) = O(1 − O)", ylim=(0, 0.28))
    for ax in (ax_s, ax_p):
        ax.set_xlim(-8, 8)
        ax.grid(alpha=0.3)
    return fig


def training_figure(runs):
    """Output O and cost C against epoch for single-neuron runs.

    ``runs``: dict label -> scalar NeuronRun. Colour says the loss; line style tells
    runs of the same loss apart. A dot marks the first epoch with the output on the
    target's side of 0.5.
    """
    fig, (ax_o, ax_c) = _figure(2, figsize=(9.5, 3.2))
    styles = {loss: iter(["-", "--", ":", "-."]) for loss in LOSSES}
    for label, run in runs.items():
        color = LOSS_COLORS[run.loss.name]
        kw = {"color": color, "ls": next(styles[run.loss.name]), "lw": 1.6}
        epochs = np.arange(run.output.shape[0])
        ax_o.plot(epochs, run.output, label=label, **kw)
        ax_c.plot(epochs, run.cost, **kw)
        e = int(run.epochs_to_learn())
        if e < run.output.shape[0]:
            ax_o.plot([e], [run.output[e]], "o", color=color, ms=5)
    ax_o.axhline(0.5, color="0.6", lw=0.8, ls="--")
    ax_o.set(xlabel="epoch", ylabel="output O", ylim=(0, 1), title="output (dot: first below 0.5)")
    ax_c.set(xlabel="epoch", ylabel="loss: E (quadratic) or C", title="loss", ylim=(0, None))
    fig.legend(loc="outside lower center", ncol=len(runs), fontsize=9, frameon=False)
    for ax in (ax_o, ax_c):
        ax.set_xlim(0, max(run.output.shape[0] - 1 for run in runs.values()))
        ax.grid(alpha=0.3)
    return fig


def _figure(ncols, figsize):
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(1, ncols)


def loss_table(rows):
    """An HTML table with one column per loss; ``rows``: (label, quadratic, cross entropy)
    with pre-formatted strings. Each value cell is ``<td class='lab-value'
    data-name='LABEL (loss)'>``, as in ``readout_table``, so browser tests can read it."""
    head = "".join(f"<th style='color:{LOSS_COLORS[loss]};padding-right:1em'>"
                   f"{LOSS_LABELS[loss]}</th>" for loss in LOSSES)
    body = ""
    for label, *values in rows:
        cells = "".join(
            f"<td style='font-family:monospace;padding-right:1em' class='lab-value' "
            f"data-name='{html.escape(f'{label} ({LOSS_LABELS[loss]})')}'>"
            f"{html.escape(value)}</td>" for loss, value in zip(LOSSES, values))
        body += f"<tr><td style='padding-right:1em'>{html.escape(label)}</td>{cells}</tr>"
    return f"<table class='lab-readout'><tr><th></th>{head}</tr>{body}</table>"


def _corner_labels(ax, lines):
    """Each line's label in its colour, stacked in the axes' upper-left corner: a
    lighter stand-in for a legend (no frame or handles to lay out on every redraw)."""
    for row, line in enumerate(lines):
        axes_text(ax, 0.03, 0.93 - 0.1 * row, line.get_label(), color=line.get_color(),
                  fontsize=8, va="top")


def _nice_ceiling(value):
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten; steps
    of at most 4/3) that is ≥ ``value`` > 0: an axis top that stays put while a slider
    moves a little, so the lab can blit instead of redrawing every tick label."""
    power = 10.0 ** np.floor(np.log10(value))
    return power * next(m for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
                        if m * power >= value)


def _slowest(grid, epochs):
    """The largest epochs-to-learn among the starts that learned within ``epochs``."""
    learned = grid[grid <= epochs]
    return f"{learned.max():.0f} epochs" if learned.size else "none learned"


def _epochs_text(e, epochs):
    """An epoch count for a readout; ``epochs + 1`` (never learned) says so."""
    return f"{e:.0f}" if e <= epochs else f"not within {epochs}"


# --------------------------------------------------------------------------- labs
class ThetaLab(Lab):
    """A θ slider: O = σ(θ) and σ'(θ) on the left, the two output deltas on the right.

    quadratic δ = (O − t)σ'(θ), cross-entropy δ = O − t, for one unit with target t.
    The deltas are curves over θ ∈ [−10, 10] (they move with t); dots mark the slider's θ.
    """

    title = "output delta against θ: quadratic vs cross entropy"
    figsize = (9.0, 3.2)
    @functools.cached_property  # built with the lab: importing computes nothing
    def grid(self):
        return np.linspace(-10, 10, 401)

    def controls_(self):
        return {
            "theta": widgets.FloatSlider(value=4.0, min=-10, max=10, step=0.1,
                                         description="θ", continuous_update=True),
            "t": widgets.FloatSlider(value=0.0, min=0, max=1, step=0.05,
                                     description="target t (= y)"),
        }

    def build(self, fig):
        ax_o, ax_d = fig.subplots(1, 2)
        self.curves = {
            "O": ax_o.plot(self.grid, sigmoid(self.grid), color="k", label="O = σ(θ)")[0],
            "sigma_prime": ax_o.plot(self.grid, sigmoid_prime(self.grid), color="tab:purple",
                                     label="σ'(θ) = O(1 − O)")[0],
            "quadratic": ax_d.plot([], [], color=LOSS_COLORS["quadratic"],
                                   label="quadratic: (O − t)σ'(θ)")[0],
            "cross_entropy": ax_d.plot([], [], color=LOSS_COLORS["cross_entropy"],
                                       label="cross entropy: O − t")[0],
        }
        axes = {"O": ax_o, "sigma_prime": ax_o, "quadratic": ax_d, "cross_entropy": ax_d}
        self.markers = {name: axes[name].plot([], [], "o", color=line.get_color())[0]
                        for name, line in self.curves.items()}
        self.vlines = [ax.axvline(0, color="0.5", lw=0.8, ls=":") for ax in (ax_o, ax_d)]
        ax_o.axhline(0.25, color="tab:purple", lw=0.6, ls="--")
        ax_o.set(xlim=(-10, 10), ylim=(-0.05, 1.05), yticks=[0, 0.25, 0.5, 1])
        ax_d.set(xlim=(-10, 10), ylim=(-1.05, 1.05), yticks=[-1, -0.5, 0, 0.5, 1])
        for ax, title in ((ax_o, "output and its slope"), (ax_d, "output delta δ = ∂C/∂θ")):
            ax.axhline(0, color="0.8", lw=0.8)
            ax.set_xticks([-10, -5, 0, 5, 10])
            fixed_labels(ax, title=title, xlabel="θ")
        # Text is most of the cost of a redraw: few ticks, and coloured labels in a
        # corner the curves never reach instead of legends.
        _corner_labels(ax_o, [self.curves[name] for name in ("O", "sigma_prime")])
        _corner_labels(ax_d, [self.curves[name] for name in ("cross_entropy", "quadratic")])
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.17, top=0.9, wspace=0.18)
        # Fixed axes: a slider moves only these (blitted; O and σ' never change).
        self.moving = [self.curves["quadratic"], self.curves["cross_entropy"],
                       *self.markers.values(), *self.vlines]

    def draw(self, theta, t):
        curves = theta_factors(self.grid, t)
        for name in ("quadratic", "cross_entropy"):
            self.curves[name].set_data(self.grid, curves[name])
        here = theta_factors(np.float64(theta), t)
        for name, marker in self.markers.items():
            marker.set_data([theta], [here[name]])
        for line in self.vlines:
            line.set_xdata([theta, theta])
        self.readout.value = readout_table([
            ("O = σ(θ)", f"{here['O']:.4f}"),
            ("σ'(θ) = O(1 − O)", f"{here['sigma_prime']:.4g}"),
            ("quadratic δ = (O − t)σ'(θ)", f"{here['quadratic']:+.4g}"),
            ("cross-entropy δ = O − t", f"{here['cross_entropy']:+.4g}"),
        ])


class SingleNeuronLab(Lab):
    """The lecture's single sigmoid neuron, trained by gradient descent with each loss.

    One input x, output O = σ(θ), θ = w x + b, target t; both w and b are updated,
    η per epoch, from (w₀, b₀). Three panels against epoch (index 0 = the start, index
    e = after e updates): the output O, the loss (E or C) and its |∂/∂w|, quadratic and
    cross entropy on shared axes. The epoch slider marks one epoch; the readout splits
    ∂L/∂w = ∂L/∂O · σ'(θ) · x there for both losses (L = E or C). Buttons reset the canonical
    example (x = 1, t = 0, η = 0.15, 300 epochs) from either start.
    """

    title = "single neuron: quadratic vs cross entropy"
    figsize = (10.5, 3.3)

    # The epoch slider ends at the last epoch: the epochs slider sets its max (which
    # clamps its value) before anything is drawn, and that clamp redraws nothing.
    def __init__(self, **initial):
        self._bounding = False
        super().__init__(**initial)
        self._bound_epoch(self.controls["epochs"].value)

    def controls_(self):
        def slider(value, lo, hi, step, description):
            return widgets.FloatSlider(value=value, min=lo, max=hi, step=step,
                                       description=description)

        return {
            "w0": slider(2.0, -6, 6, 0.1, "w₀"),
            "b0": slider(2.0, -6, 6, 0.1, "b₀"),
            "x": slider(1.0, -2, 2, 0.1, "input x"),
            "t": slider(0.0, 0, 1, 0.05, "target t (= y)"),
            "eta": widgets.FloatLogSlider(value=0.15, base=10, min=-3, max=1, step=0.05,
                                          description="η"),
            "epochs": widgets.IntSlider(value=300, min=10, max=1000, step=10,
                                        description="epochs"),
            # max follows the epochs slider; 1000 until then, so that any initial
            # value within the largest budget is kept.
            "epoch": widgets.IntSlider(value=0, min=0, max=1000, description="epoch e"),
        }

    def build(self, fig):
        axes = fig.subplots(1, 3)
        self.axes = dict(zip(("output", "cost", "grad_w"), axes))
        self.lines = {(panel, loss): ax.plot([], [], color=LOSS_COLORS[loss], lw=1.6)[0]
                      for panel, ax in self.axes.items() for loss in LOSSES}
        self.dots = {(panel, loss): ax.plot([], [], "o", color=LOSS_COLORS[loss], ms=5)[0]
                     for panel, ax in self.axes.items() for loss in LOSSES}
        self.epoch_lines = [ax.axvline(0, color="0.4", lw=0.8, ls=":") for ax in axes]
        self.target_line = self.axes["output"].axhline(0, color="0.3", lw=0.8, ls="-.")
        self.axes["output"].axhline(0.5, color="0.7", lw=0.8, ls="--")
        titles = {"output": "output O", "cost": "loss E or C", "grad_w": "|∂E/∂w| or |∂C/∂w|"}
        # Text is most of the cost of a redraw (each glyph is laid out and rendered
        # again): few ticks, one short shared x label, a two-word key for a legend; and
        # no grid (the readout gives the exact numbers at the marked epoch).
        for panel, ax in self.axes.items():
            fixed_labels(ax, title=titles[panel])
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10], integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 5, 10]))
        self.axes["output"].set(ylim=(-0.02, 1.02), yticks=[0, 0.5, 1])
        fig.text(0.5, 0.02, "epoch", ha="center")
        for n, loss in enumerate(LOSSES):
            fig.text(0.06 + 0.1 * n, 0.965, LOSS_LABELS[loss], color=LOSS_COLORS[loss],
                     va="top", weight="bold")
        fig.subplots_adjust(left=0.05, right=0.975, bottom=0.16, top=0.82, wspace=0.25)
        self._key, self._runs = None, None
        # Blitted while the limits stay (the epoch slider); other sliders rescale the axes.
        self.moving = [*self.lines.values(), *self.dots.values(), *self.epoch_lines,
                       self.target_line]

    def runs(self, w0, b0, x, t, eta, epochs):
        """Both losses' runs for these controls; kept while only the epoch slider moves."""
        key = (w0, b0, x, t, eta, epochs)
        if key != self._key:
            self._key = key
            self._runs = neuron_runs(w0, b0, x=x, t=t, eta=eta, epochs=epochs)
        return self._runs

    def preset(self, start):
        """Reset to the canonical example from ``start``, a key of ``STARTS``."""
        w0, b0 = STARTS[start]
        self.set(w0=w0, b0=b0, epoch=0, **CANONICAL)

    def _bound_epoch(self, epochs):
        """Set the epoch slider's max to ``epochs`` without a redraw."""
        self._bounding = True
        try:
            self.controls["epoch"].max = epochs
        finally:
            self._bounding = False

    def _on_change(self, change):
        if self._bounding:
            return
        if change["owner"] is self.controls["epochs"]:
            self._bound_epoch(change["new"])
        super()._on_change(change)

    def _set_controls(self, values):
        if "epochs" in values:  # first, so that a new epoch within the new budget is kept
            self._bound_epoch(values["epochs"])
        super()._set_controls(values)

    def draw(self, w0, b0, x, t, eta, epochs, epoch):
        epoch = min(epoch, epochs)  # as the slider shows it once its max is bound
        runs = self.runs(w0, b0, x, t, eta, epochs)
        e_axis = np.arange(epochs + 1)
        data = {loss: {"output": run.output, "cost": run.cost, "grad_w": np.abs(run.grad_w)}
                for loss, run in runs.items()}
        for (panel, loss), line in self.lines.items():
            line.set_data(e_axis, data[loss][panel])
            self.dots[panel, loss].set_data([epoch], [data[loss][panel][epoch]])
        for line in self.epoch_lines:
            line.set_xdata([epoch, epoch])
        self.target_line.set_ydata([t, t])
        for panel, ax in self.axes.items():
            ax.set_xlim(0, epochs)
            if panel != "output":
                top = max(float(d[panel].max()) for d in data.values())
                ax.set_ylim(0, _nice_ceiling(1.05 * top) if top > 0 else 1.0)
        split = {loss: gradient_split(run, epoch) for loss, run in runs.items()}
        learned = {loss: _epochs_text(run.epochs_to_learn(), epochs) for loss, run in runs.items()}

        def row(label, key, fmt):
            return (label, *(format(split[loss][key], fmt) for loss in LOSSES))

        self.readout.value = (
            f"<b>at epoch e = {epoch}</b> (L is the loss: E for the quadratic, C for the "
            "cross entropy)"
            + loss_table([
                row("θ = w x + b", "theta", ".4f"),
                row("O = σ(θ)", "O", ".4f"),
                ("∂L/∂O", "O − t", "(O − t)/(O(1 − O))"),
                row("∂L/∂O value", "dC_dO", "+.4g"),
                row("σ'(θ) = O(1 − O)", "sigma_prime", ".4g"),
                row("x", "x", ".4g"),
                row("∂L/∂w = ∂L/∂O · σ'(θ) · x", "product", "+.4g"),
                ("∂L/∂w in closed form", "(O − t) σ'(θ) x", "(O − t) x"),
                row("(O − t) · x", "error_x", "+.4g"),
                ("epochs until O is on t's side of 0.5", learned["quadratic"],
                 learned["cross_entropy"]),
            ]))

    def _layout(self):
        box = super()._layout()
        buttons = []
        for start in STARTS:
            button = widgets.Button(description=f"start {start}",
                                    tooltip="x = 1, t = 0, η = 0.15, 300 epochs")
            button.on_click(lambda _, start=start: self.preset(start))
            buttons.append(button)
        box.children = (widgets.HBox(buttons), *box.children)
        return box


class GridLab(Lab):
    """Epochs to learn from a 50×50 grid of starts (w₀, b₀) ∈ [−4, 4]², both losses.

    Each cell: the first epoch at which the output is on the target's side of 0.5
    (target t = 0), with η, the input x and an epoch budget from the sliders. One colour
    scale and colourbar for both panels; starts that have not learned within the budget
    are grey. Crosses mark the canonical starts (0.6, 0.9) and (2, 2).
    """

    retrains = True

    title = "epochs to learn over starting points"
    figsize = (10.0, 4.0)
    n = 50
    limit = 4.0

    def __init__(self, **initial):
        # Cell centres of an n×n grid of [−limit, limit]²: rows are b₀, columns w₀.
        edges = np.linspace(-self.limit, self.limit, self.n + 1)
        centres = (edges[:-1] + edges[1:]) / 2
        self.w0, self.b0 = np.meshgrid(centres, centres)
        super().__init__(**initial)

    def controls_(self):
        return {
            "eta": widgets.FloatLogSlider(value=0.15, base=10, min=-2, max=1, step=0.05,
                                          description="η"),
            "x": widgets.FloatSlider(value=1.0, min=-2, max=2, step=0.1, description="input x"),
            "epochs": widgets.IntSlider(value=300, min=50, max=1000, step=50,
                                        description="epochs"),
        }

    def build(self, fig):
        axes = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.06, right=0.88, bottom=0.13, top=0.9, wspace=0.2)
        cax = fig.add_axes((0.9, 0.13, 0.015, 0.77))
        # Shared by both images: one colour scale. A square-root scale keeps the
        # cross-entropy panel's short times (a few dozen epochs) distinguishable.
        self.norm = PowerNorm(0.5, 0, 300)
        cmap = colormaps["viridis"].with_extremes(over="0.8")
        extent = (-self.limit, self.limit, -self.limit, self.limit)
        outline = [patheffects.withStroke(linewidth=3, foreground="k")]  # readable on grey
        self.images = {}
        for ax, loss in zip(axes, LOSSES):
            self.images[loss] = ax.imshow(np.zeros(self.w0.shape), origin="lower",
                                          extent=extent, norm=self.norm, cmap=cmap,
                                          interpolation="nearest", aspect="auto")
            for name, (w, b) in STARTS.items():
                ax.plot([w], [b], "x", color="w", ms=8, mew=2, path_effects=outline)
                ax.annotate(name, (w, b), xytext=(w + 0.2, b + 0.25), color="w", fontsize=9,
                            path_effects=outline)
            ax.set(xlabel="w₀", ylabel="b₀")
            ax.set_title(LOSS_LABELS[loss], color=LOSS_COLORS[loss])
        self.colorbar = fig.colorbar(self.images["quadratic"], cax=cax, extend="max")
        self.colorbar.set_label("epochs until O < 0.5 (grey: not within budget)")
        # Blitted while the epoch budget (the colour scale) stays; see Lab.
        self.moving = list(self.images.values())

    def draw(self, eta, x, epochs):
        grid = epochs_to_learn_grid(self.w0, self.b0, x=x, t=0.0, eta=eta, epochs=epochs)
        self.norm.vmax = epochs  # both images share this norm; epochs + 1 shows "over"
        self.colorbar.set_ticks([e for e in (0, 10, 25, 50, 100, 200, 300, 500, 750, 1000)
                                 if e <= epochs])
        for loss, image in self.images.items():
            image.set_array(grid[loss])
        starts = np.array(list(STARTS.values()))
        canonical = epochs_to_learn_grid(starts[:, 0], starts[:, 1], x=x, t=0.0, eta=eta,
                                         epochs=epochs)
        rows = [(f"from {name}", *(_epochs_text(canonical[loss][n], epochs) for loss in LOSSES))
                for n, name in enumerate(STARTS)]
        rows.append(("starts not learned within the budget",
                     *(f"{np.mean(grid[loss] > epochs):.0%}" for loss in LOSSES)))
        rows.append(("slowest start that learned",
                     *(_slowest(grid[loss], epochs) for loss in LOSSES)))
        wrong = grid["quadratic"] > 0  # starts with O > 0.5 at epoch 0: same for both losses
        rows.append(("median over starts wrong at epoch 0",
                     *(_epochs_text(np.median(grid[loss][wrong]), epochs) for loss in LOSSES)))
        self.readout.value = loss_table(rows)
