"""Labs and figures for the two-class cross entropy (notebook 03).

- ``LikelihoodLab``: the likelihood o^y (1 − o)^(1−y) and its negative log against o.
- ``CompareLab``: quadratic vs cross entropy for the single neuron (x = 1, y = 0)
  from the same start and the same η, with Nielsen's η ÷ 6 as a switch.
- ``LandscapeLab``: both losses over (w, b) with the gradient-descent path.
- ``simulate_output_gradient``: a counter-example, WRONG ON PURPOSE (see its docstring).
"""

import functools

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from ..activations import sigmoid, sigmoid_prime
from ..losses import CrossEntropyLoss, get_loss
from ..neuron import NeuronRun, simulate
from ._base import LOSS_COLORS, Lab, readout_table

LOSS_NAMES = ("quadratic", "cross_entropy")
LOSS_LABELS = {"quadratic": "quadratic", "cross_entropy": "cross entropy"}
COLORS = LOSS_COLORS


# --- likelihood ---------------------------------------------------------------------

def log_likelihood(o, y):
    """y log o + (1 − y) log(1 − o), elementwise, for o in (0, 1) and y in [0, 1]."""
    o = np.asarray(o, dtype=np.float64)
    return y * np.log(o) + (1 - y) * np.log1p(-o)


def likelihood(o, y):
    """o^y (1 − o)^(1−y): the probability the unit gives the label y when it outputs o."""
    return np.exp(log_likelihood(o, y))


class LikelihoodLab(Lab):
    """Sliders for o and y: the likelihood and C = −log-likelihood against o."""

    title = "likelihood o^y (1 − o)^(1−y) and its negative log"
    figsize = (9.0, 3.2)
    @functools.cached_property  # built with the lab: importing computes nothing
    def grid(self):  # o in (0, 1): log o and log(1 − o) finite
        return np.linspace(0.001, 0.999, 999)
    c_max = 7.2  # −log(0.001) = 6.9: the whole curve fits

    def controls_(self):
        return {
            "o": widgets.FloatSlider(value=0.7, min=0.001, max=0.999, step=0.001,
                                     readout_format=".3f", description="output o"),
            "y": widgets.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05,
                                     description="label y"),
        }

    def build(self, fig):
        ax_l, ax_c = fig.subplots(1, 2)
        self.curve_l = ax_l.plot([], [], color="tab:green")[0]
        self.curve_c = ax_c.plot([], [], color="tab:blue")[0]
        # Not clipped: at o = 0.001 or 0.999 the marker sits on the frame.
        self.mark_l = ax_l.plot([], [], "o", color="tab:green", clip_on=False, zorder=5)[0]
        self.mark_c = ax_c.plot([], [], "o", color="tab:blue", clip_on=False, zorder=5)[0]
        for marker in (self.mark_l, self.mark_c):
            marker.set_in_layout(False)  # an unclipped empty line would upset tight_layout
        # The likelihood peaks where o = y; the loss is smallest there.
        self.best = [ax.axvline(1.0, color="0.6", ls=":", lw=1) for ax in (ax_l, ax_c)]
        ax_l.set(xlabel="o", xlim=(0, 1), ylim=(0, 1.05), title="likelihood $o^y(1-o)^{1-y}$")
        ax_c.set(xlabel="o", xlim=(0, 1), ylim=(0, self.c_max),
                 title="$C = -[y\\log o + (1-y)\\log(1-o)]$")
        fig.tight_layout()
        self.moving = [self.curve_l, self.curve_c, self.mark_l, self.mark_c, *self.best]

    def draw(self, o, y):
        L = likelihood(self.grid, y)
        self.curve_l.set_data(self.grid, L)
        self.curve_c.set_data(self.grid, -log_likelihood(self.grid, y))
        ll = float(log_likelihood(o, y))
        self.mark_l.set_data([o], [np.exp(ll)])
        self.mark_c.set_data([o], [-ll])
        for line in self.best:
            line.set_xdata([y, y])
        self.readout.value = readout_table([
            ("likelihood o^y (1 − o)^(1−y)", f"{np.exp(ll):.4f}"),
            ("log-likelihood y log o + (1 − y) log(1 − o)", f"{ll:+.4f}"),
            ("C = −log-likelihood", f"{-ll:.4f}"),
        ])


# --- quadratic vs cross entropy on the single neuron ----------------------------------

def compare_runs(w0, b0, eta, divide_by_6=False, *, epochs=300, x=1.0, y=0.0):
    """Both losses from the same (w0, b0): dict loss name -> (η used, NeuronRun).

    The quadratic loss always uses η; the cross entropy uses η / 6 when
    ``divide_by_6`` (Nielsen's heuristic: σ' averages 1/6 over outputs in [0, 1]).
    """
    etas = {"quadratic": eta, "cross_entropy": eta / 6 if divide_by_6 else eta}
    return {name: (etas[name], simulate(w0, b0, x=x, y=y, eta=etas[name], epochs=epochs,
                                        loss=name))
            for name in LOSS_NAMES}


def step_size(run, eta):
    """|Δw| = η |∂C/∂w| at each epoch's state, shape (epochs + 1,)."""
    return eta * np.abs(run.grad_w)


def _learned_text(run):
    e = int(run.epochs_to_learn())
    return f"{e}" if e < run.output.shape[0] else f"not in {run.output.shape[0] - 1}"


ETA_SLIDER = {"base": 10, "min": -3, "max": 2, "step": 0.01}  # η from 0.001 to 100


def eta_values():
    """Every η the labs' η slider can take, ascending: 10^(−3 + 0.01 k)."""
    count = round((ETA_SLIDER["max"] - ETA_SLIDER["min"]) / ETA_SLIDER["step"]) + 1
    exponents = ETA_SLIDER["min"] + ETA_SLIDER["step"] * np.arange(count)
    return ETA_SLIDER["base"] ** exponents


def smallest_eta(condition, etas=None):
    """The smallest η of ``etas`` (ascending; default: every slider value) for which
    ``condition(eta)`` holds, or None if it holds for none: a lab question's answer.

    Found by bisection (about 9 calls of ``condition`` for the slider's 501 values),
    which assumes the condition flips once, from false to true, as η grows; the
    answer is checked to hold and its lower neighbour not to."""
    etas = eta_values() if etas is None else np.asarray(etas, dtype=np.float64)
    if not condition(etas[-1]):
        return None
    lo, hi = -1, len(etas) - 1  # condition(etas[hi]) holds; lo = -1: nothing known to fail
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if condition(etas[mid]):
            hi = mid
        else:
            lo = mid
    return float(etas[hi])


def start_controls():
    """The single neuron's start (w₀, b₀) = (2, 2) and η = 0.15, as sliders.

    η reaches 100: from (5, 5) the quadratic loss needs η ≈ 38 to bring o below 0.5
    in 300 epochs (and ≈ 19 to leave the saturated region in 600), and the notebook
    asks for those values."""
    return {
        "w0": widgets.FloatSlider(value=2.0, min=-5, max=5, step=0.1, description="w₀"),
        "b0": widgets.FloatSlider(value=2.0, min=-5, max=5, step=0.1, description="b₀"),
        "eta": widgets.FloatLogSlider(value=0.15, **ETA_SLIDER, readout_format=".3g",
                                      description="η"),
    }


class CompareLab(Lab):
    """Quadratic vs cross entropy for the neuron x = 1, y = 0: same start, same η."""

    title = "single neuron (x = 1, y = 0): quadratic vs cross entropy"
    figsize = (9.0, 3.6)
    epochs = 300
    step_limits = (1e-12, 1e2)  # fixed log axis: every slider position fits

    def controls_(self):
        return {
            **start_controls(),
            "divide_by_6": widgets.Checkbox(value=False, description="cross-entropy η ÷ 6"),
        }

    def build(self, fig):
        ax_o, ax_s = fig.subplots(1, 2)
        epochs = np.arange(self.epochs + 1)
        self.lines_o, self.lines_s = {}, {}
        for name in LOSS_NAMES:
            self.lines_o[name] = ax_o.plot(epochs, np.zeros_like(epochs, dtype=float),
                                           color=COLORS[name], label=LOSS_LABELS[name])[0]
            self.lines_s[name] = ax_s.plot(epochs, np.ones_like(epochs, dtype=float),
                                           color=COLORS[name], label=LOSS_LABELS[name])[0]
        ax_o.axhline(0.5, color="0.6", ls=":", lw=1)
        ax_o.set(xlabel="epoch", ylabel="output o", xlim=(0, self.epochs), ylim=(-0.03, 1.03),
                 title="output (target y = 0)")
        ax_s.set(xlabel="epoch", xlim=(0, self.epochs), yscale="log", ylim=self.step_limits,
                 title="step size $\\eta\\,|\\partial C/\\partial w|$")
        # Four labelled decades, no minor ticks: 14 decades stay readable.
        ax_s.yaxis.set_major_locator(FixedLocator([1e-12, 1e-8, 1e-4, 1.0]))
        ax_s.yaxis.set_minor_locator(NullLocator())
        # Below the axes: inside, it would hide curves that sit at O = 1 or O = 0.
        fig.legend(handles=list(self.lines_o.values()), loc="lower center", ncol=2,
                   fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        self.moving = [*self.lines_o.values(), *self.lines_s.values()]  # fixed axes: blit

    def draw(self, w0, b0, eta, divide_by_6):
        runs = compare_runs(w0, b0, eta, divide_by_6, epochs=self.epochs)
        rows = []
        for name, (eta_used, run) in runs.items():
            self.lines_o[name].set_ydata(run.output)
            # Clipped to the axis floor so that a log axis never sees an exact 0.
            self.lines_s[name].set_ydata(np.maximum(step_size(run, eta_used),
                                                    self.step_limits[0]))
            label = LOSS_LABELS[name]
            rows += [(f"{label}: η", f"{eta_used:.4g}"),
                     (f"{label}: o after {self.epochs} epochs", f"{run.output[-1]:.4f}"),
                     (f"{label}: first epoch with o < 0.5", _learned_text(run))]
        self.readout.value = readout_table(rows)


# --- loss landscapes ----------------------------------------------------------------

def loss_surface(w, b, loss, *, x=1.0, y=0.0):
    """The loss C(w, b) of the neuron θ = w x + b with target y, on arrays w, b (any
    broadcastable shapes), computed by the package's loss from θ."""
    loss = get_loss(loss)
    theta = np.asarray(w * x + b, dtype=np.float64)
    C = loss.per_sample(theta.reshape(-1, 1), np.full((theta.size, 1), y))
    return C.reshape(theta.shape)


def loss_gradient(w, b, loss, *, x=1.0, y=0.0):
    """(∂C/∂w, ∂C/∂b) of the neuron θ = w x + b, C the MEAN of the package's loss over
    the samples ``x``, ``y`` (scalars, or 1-D arrays of one length N), at arrays w, b
    (broadcast together to a shape S): two arrays of shape S, from the package's
    per-sample δ = ∂C/∂θ (∂C/∂w = mean of δ x, ∂C/∂b = mean of δ)."""
    loss = get_loss(loss)
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    y = np.broadcast_to(np.asarray(y, dtype=np.float64), x.shape)
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    theta = w[..., None] * x + b[..., None]  # S × N
    t = np.broadcast_to(y, theta.shape)
    delta = loss.delta(theta.reshape(-1, 1), t.reshape(-1, 1)).reshape(theta.shape)
    return np.mean(delta * x, axis=-1), np.mean(delta, axis=-1)


def loss_hessian(w, b, loss, *, x=1.0, y=0.0, h=1e-5):
    """The Hessian of C(w, b) (see ``loss_gradient``) by centred differences of the
    package's gradient, float64: shape S × 2 × 2, rows and columns in the order (w, b),
    symmetrised. No second derivative is typed in: an oracle for convexity."""
    H = []
    for dw, db in ((h, 0.0), (0.0, h)):
        plus = loss_gradient(np.add(w, dw), np.add(b, db), loss, x=x, y=y)
        minus = loss_gradient(np.subtract(w, dw), np.subtract(b, db), loss, x=x, y=y)
        H.append(np.stack([(p - m) / (2 * h) for p, m in zip(plus, minus)], axis=-1))
    H = np.stack(H, axis=-1)  # H[..., i, j] = ∂(gradient_i)/∂(parameter_j)
    return (H + np.swapaxes(H, -1, -2)) / 2


NOISE = 1e-8  # far above the centred differences' rounding error, far below the curvatures


def hessian_eigenvalues(w, b, loss, *, x=1.0, y=0.0):
    """The two eigenvalues of ``loss_hessian`` at each (w, b), ascending: shape S × 2.
    C is convex where both are ≥ 0; a negative one means a direction along which C
    curves downwards."""
    return np.linalg.eigvalsh(loss_hessian(w, b, loss, x=x, y=y))


def plateau_mask(w, b, *, x=1.0, y=0.0, sigma_prime_max=0.01):
    """True where the unit is saturated (σ'(θ) < ``sigma_prime_max``) AND wrong
    (|O − y| > 0.5): the quadratic loss's plateau."""
    theta = np.asarray(w * x + b, dtype=np.float64)
    return (sigmoid_prime(theta) < sigma_prime_max) & (np.abs(sigmoid(theta) - y) > 0.5)


class LandscapeLab(Lab):
    """C(w, b) for both losses (x = 1, y = 0) and the gradient-descent path on each.

    The landscapes are computed once in ``build``; a slider moves only the paths.
    """

    title = "loss landscapes over (w, b) with the gradient-descent path"
    figsize = (9.4, 4.4)
    extent = 6.0
    resolution = 121
    dot_every = 10  # a dot every 10 epochs: dense dots = slow progress

    def controls_(self):
        return {
            **start_controls(),
            "epochs": widgets.IntSlider(value=300, min=0, max=600, step=10,
                                        description="epochs"),
        }

    def build(self, fig):
        axes = fig.subplots(1, 2)
        g = np.linspace(-self.extent, self.extent, self.resolution)
        self.w_grid, self.b_grid = np.meshgrid(g, g)  # rows: b, columns: w
        plateau = plateau_mask(self.w_grid, self.b_grid).astype(float)
        box = (-self.extent, self.extent, -self.extent, self.extent)
        ticks = np.linspace(-self.extent, self.extent, 5)
        self.surfaces, self.images, self.paths, self.dots = {}, {}, {}, {}
        self.starts, self.ends, self.colorbars = {}, {}, {}
        for ax, name in zip(axes, LOSS_NAMES):
            C = self.surfaces[name] = loss_surface(self.w_grid, self.b_grid, name)
            # Each panel coloured to its own range (the quadratic loss stays below ½, the
            # cross entropy reaches 12): the colour bar beside it gives the scale.
            norm = Normalize(C.min(), C.max())
            # Colour-mapped once here (RGBA bytes): a redraw then skips the colormap.
            rgba = colormaps["viridis"](norm(C), bytes=True)
            self.images[name] = ax.imshow(rgba, origin="lower", extent=box,
                                          interpolation="nearest", aspect="equal")
            self.colorbars[name] = fig.colorbar(ScalarMappable(norm, "viridis"), ax=ax,
                                                shrink=0.8, label=f"{LOSS_LABELS[name]} C")
            # Evenly spaced levels: where the lines crowd, the slope is steep.
            ax.contour(g, g, C, levels=np.linspace(C.min(), C.max(), 12)[1:-1],
                       colors="white", linewidths=0.5, alpha=0.6)
            ax.contourf(g, g, plateau, levels=[0.5, 1.5], colors="none", hatches=["//"])
            ax.contour(g, g, plateau, levels=[0.5], colors="red", linewidths=1)
            self.paths[name] = ax.plot([], [], color="white", lw=1)[0]
            self.dots[name] = ax.plot([], [], "o", color="white", mec="black", mew=0.5,
                                      ms=3.5)[0]
            self.starts[name] = ax.plot([], [], "o", color="white", mec="black", ms=6)[0]
            self.ends[name] = ax.plot([], [], "*", color="red", mec="black", ms=11)[0]
            ax.set(xlabel="w", xlim=box[:2], ylim=box[2:], xticks=ticks, yticks=ticks,
                   title=f"{LOSS_LABELS[name]} C(w, b)")
        # Where the quadratic loss is not convex: its Hessian has a negative eigenvalue
        # (finite differences of the package's gradient, not a formula). With x = 1 the
        # other eigenvalue is exactly 0, so "negative" means below the differences'
        # rounding noise (about 1e-11), not below 0.
        self.smallest_eigenvalue = hessian_eigenvalues(self.w_grid, self.b_grid,
                                                       "quadratic")[..., 0]
        self.not_convex = self.smallest_eigenvalue < -NOISE
        axes[0].contour(g, g, self.not_convex.astype(float), levels=[0.5],
                        colors="tab:orange", linewidths=1.5, linestyles="--")
        axes[0].set_ylabel("b")
        fig.text(0.5, 0.01, "colour: C (bar beside each panel).  white lines: levels of C.  "
                 "hatched, red outline: σ'(θ) < 0.01 and o > 0.5 (saturated and wrong).\n"
                 "orange dashes: above them the quadratic C is not convex.  path: white, "
                 "a dot every 10 epochs, ○ start, red ★ end",
                 ha="center", fontsize=7.5)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        # Fixed axes and a landscape computed once: only the paths move (blitted).
        self.moving = [artist for group in (self.paths, self.dots, self.starts, self.ends)
                       for artist in group.values()]

    def draw(self, w0, b0, eta, epochs):
        rows = []
        for name in LOSS_NAMES:
            run = simulate(w0, b0, eta=eta, epochs=epochs, loss=name)
            self.paths[name].set_data(run.w, run.b)
            self.dots[name].set_data(run.w[::self.dot_every], run.b[::self.dot_every])
            self.starts[name].set_data([w0], [b0])
            self.ends[name].set_data([run.w[-1]], [run.b[-1]])
            label = LOSS_LABELS[name]
            outside = max(abs(run.w[-1]), abs(run.b[-1])) > self.extent
            rows += [(f"{label}: (w, b) after {epochs} epochs",
                      f"({run.w[-1]:+.3f}, {run.b[-1]:+.3f})"
                      + (" outside the plotted square" if outside else "")),
                     (f"{label}: o", f"{run.output[-1]:.4f}"),
                     (f"{label}: C", f"{run.cost[-1]:.4f}")]
        self.readout.value = readout_table(rows)


# --- gradient with respect to what? -------------------------------------------------

def simulate_output_gradient(w0, b0, *, x=1.0, y=0.0, eta=0.005, epochs=300):
    """WRONG ON PURPOSE: the update of Nielsen's published cross-entropy animation.

    It moves w and b by ∂C/∂O = (O − y)/(O(1 − O)) (for y = 0: 1/(1 − O)) instead of
    by the gradient ∂C/∂w = (O − y)x, ∂C/∂b = O − y. Since ∂C/∂O = (∂C/∂θ)/σ'(θ), this
    divides the right step by σ'(θ) ≤ 1/4: the tiny η = 0.005 it was shown with is
    really an η / σ'(θ) of 0.02 or (saturated) far more. A counter-example for the
    notebook; never train with it.

    Scalars w0, b0; returns a NeuronRun (index 0 = start) whose ``cost``, ``grad_w``
    and ``grad_b`` are the TRUE cross-entropy values at the states visited.
    """
    w, b = np.empty(epochs + 1), np.empty(epochs + 1)
    w[0], b[0] = float(w0), float(b0)
    for e in range(epochs):
        O = sigmoid(w[e] * x + b[e])
        dC_dO = (O - y) / sigmoid_prime(w[e] * x + b[e])  # not multiplied by σ'(θ) or x
        w[e + 1] = w[e] - eta * dC_dO
        b[e + 1] = b[e] - eta * dC_dO
    return NeuronRun(w, b, sigmoid(w * x + b), x, y, CrossEntropyLoss())


def output_gradient_runs(w0=2.0, b0=2.0, *, epochs=300):
    """The runs the notebook compares, from (w0, b0) with x = 1, y = 0:
    label -> (η, NeuronRun)."""
    return {
        "quadratic, η = 0.15": (0.15, simulate(w0, b0, eta=0.15, epochs=epochs,
                                               loss="quadratic")),
        "cross entropy, η = 0.15": (0.15, simulate(w0, b0, eta=0.15, epochs=epochs,
                                                   loss="cross_entropy")),
        "cross entropy, η = 0.15 ÷ 6": (0.025, simulate(w0, b0, eta=0.025, epochs=epochs,
                                                        loss="cross_entropy")),
        "cross entropy, η = 0.005": (0.005, simulate(w0, b0, eta=0.005, epochs=epochs,
                                                     loss="cross_entropy")),
        "WRONG: ∂C/∂o as the step, η = 0.005": (
            0.005, simulate_output_gradient(w0, b0, eta=0.005, epochs=epochs)),
    }


def output_gradient_figure(runs):
    """Output against epoch for the runs of ``output_gradient_runs`` (a static Figure)."""
    fig = Figure(figsize=(9.0, 3.6))
    ax = fig.subplots()
    styles = ["-", "-", "--", ":", "-"]
    colors = [COLORS["quadratic"], COLORS["cross_entropy"], COLORS["cross_entropy"],
              COLORS["cross_entropy"], "tab:purple"]
    for (label, (_, run)), ls, color in zip(runs.items(), styles, colors):
        ax.plot(run.output, ls=ls, color=color, lw=1.8, label=label)
    ax.axhline(0.5, color="0.6", ls=":", lw=1)
    ax.set(xlabel="epoch", ylabel="output o", xlim=(0, len(run.output) - 1), ylim=(0, 1),
           title=f"from (w, b) = ({run.w[0]:g}, {run.b[0]:g}), x = {run.x:g}, y = {run.y:g}")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    fig.tight_layout()
    return fig
