"""Labs and figures for "cross entropy with many outputs" (notebook 04).

The slides' multiclass loss puts an independent sigmoid on each output unit j and
sums the two-class cross entropies:

    C = −1/N Σ_X Σ_j [y_j log o_j^K + (1 − y_j) log(1 − o_j^K)],
    ∂C/∂W_ij^K = 1/N Σ_X o_i^{K−1}(o_j^K − y_j).

This module holds that formula as code (to check it against backprop and finite
differences), the slides' misprinted loss (to show by a gradient check that it is a
misprint), a lab comparing sigmoid and softmax outputs at the same logits θ, and the
three losses trained on the same three-class problem.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from .. import gradcheck
from ..data import decision_grid, three_class_problem
from ..losses import CrossEntropyLoss, SoftmaxCrossEntropyLoss
from ..mlp import MLP
from ._base import LOSS_COLORS, Lab, readout_table

LOSS_LABELS = {
    "quadratic": "quadratic",
    "cross_entropy": "sigmoid cross entropy",
    "softmax_cross_entropy": "softmax cross entropy",
}
CLASS_COLOURS = np.array([to_rgb(c) for c in ("#1f77b4", "#ff7f0e", "#2ca02c")])  # 3 × RGB


# ------------------------------------------------------------- the slides' formula
def slide_weight_gradient(O_prev, O, y):
    """The slides' ∂C/∂W_ij^K = 1/N Σ_X o_i^{K−1}(o_j^K − y_j), for all i, j at once.

    O_prev: O^{K−1}, N × n_{K−1}; O: O^K, N × M; y: targets, N × M.
    Returns n_{K−1} × M, indexed [i, j] like W^K: the sum over the N samples (rows)
    is the matrix product O^{K−1}ᵀ (O^K − y).
    """
    return O_prev.T @ (O - y) / O.shape[0]


def misprinted_cross_entropy(theta, t, i):
    """THE SLIDES' MISPRINT, not a loss to use: the multiclass cross entropy printed
    with (1 − y_i) where (1 − y_j) belongs,

        C_i = −1/N Σ_X Σ_j [y_j log σ(θ_j) + (1 − y_i) log(1 − σ(θ_j))].

    On the slide i indexes the units of layer K−1, so read literally C would change
    with the weight W_ij being differentiated. It can only be evaluated with i
    fixed: here ``i`` is a (0-based) column of t. theta, t: N × M. Returns the mean
    over the N samples, computed from θ like the package's CrossEntropyLoss.
    """
    theta, t = np.asarray(theta, dtype=np.float64), np.asarray(t, dtype=np.float64)
    y_i = t[:, [i]]  # N × 1: the same target for every output j, which is the misprint
    per_sample = t * np.logaddexp(0, -theta) + (1 - y_i) * np.logaddexp(0, theta)
    return float(np.mean(per_sample.sum(axis=1)))


def misprinted_delta(theta, t, i):
    """∂(per-sample C_i)/∂θ_j of the misprinted loss, N × M:

        −y_j(1 − o_j) + (1 − y_i) o_j = (o_j − y_j) + o_j (y_j − y_i),   o_j = σ(θ_j).

    The extra term vanishes only where every y_j equals y_i, never for a one-hot
    target with two or more classes.
    """
    theta, t = np.asarray(theta, dtype=np.float64), np.asarray(t, dtype=np.float64)
    O = CrossEntropyLoss().output(theta)
    return (O - t) + O * (t - t[:, [i]])


def formula_gradient_error(net, X, t, loss_value):
    """Norm-wise relative error between the slides' formula 1/N Σ o_i^{K−1}(o_j^K − y_j)
    and the finite-difference gradient of ``loss_value(θ^K, t)`` with respect to W^K.

    net: a float64 MLP (its forward pass gives O^{K−1} and O^K); X: N × n_0;
    t: N × M; loss_value(theta, t) -> float, a mean over the N samples.
    Below 1e-7: the formula is the loss's gradient. Of order 1: it is not.
    """
    O = net.forward(X)
    formula = slide_weight_gradient(O[-2], O[-1], t)
    numeric = gradcheck.numerical_gradient(lambda: loss_value(net.theta(X), t), net.weights[-1])
    return gradcheck.rel_error(formula, numeric)


# ------------------------------------------------------ sigmoids against softmax
TARGETS = {
    "class 1": (0,), "class 2": (1,), "class 3": (2,),
    "classes 1 and 2": (0, 1), "classes 1 and 3": (0, 2), "classes 2 and 3": (1, 2),
    "all three": (0, 1, 2),
}


def logit_targets(classes, M=3):
    """Targets (each 1 × M) for a set of true classes (0-based indices).

    Sigmoids: y_j = 1 for every true class (multi-hot; a multi-label model can say
    yes to several). Softmax: the same divided by its sum, because categorical
    targets must be a probability vector (Σ_j y_j = 1).
    """
    y = np.zeros((1, M))
    y[0, list(classes)] = 1.0
    return y, y / y.sum()


def compare_outputs(theta, classes):
    """Both output layers at one logit vector θ (length M) and the true ``classes``.

    Returns {"sigmoid": ..., "softmax": ...}, each a dict of o (outputs, length M),
    y (targets), C (the loss) and grad (∂C/∂θ = δ^K = o − y, length M), all from
    the package's CrossEntropyLoss and SoftmaxCrossEntropyLoss.
    """
    theta = np.asarray(theta, dtype=np.float64).reshape(1, -1)  # one sample: 1 × M
    y_sigmoid, y_softmax = logit_targets(classes, theta.shape[1])
    result = {}
    for name, loss, y in (("sigmoid", CrossEntropyLoss(), y_sigmoid),
                          ("softmax", SoftmaxCrossEntropyLoss(), y_softmax)):
        result[name] = {"o": loss.output(theta)[0], "y": y[0], "C": loss.value(theta, y),
                        "grad": loss.delta(theta, y)[0]}  # N = 1: δ^K is the gradient
    return result


def _vector(values, fmt="{:.3f}"):
    return "(" + ", ".join(fmt.format(v) for v in values) + ")"


class LogitLab(Lab):
    """Sliders for θ₁, θ₂, θ₃ and the true class(es): independent sigmoids and a
    softmax at the same logits, their sums, losses and gradients o − y."""

    title = "the same logits θ through sigmoids and through a softmax"
    figsize = (10.0, 3.3)
    M = 3

    def controls_(self):
        controls = {
            f"theta{j}": widgets.FloatSlider(value=v, min=-8, max=8, step=0.1,
                                             description=f"θ{'₁₂₃'[j - 1]}")
            for j, v in ((1, 2.0), (2, 1.0), (3, -1.0))
        }
        controls["target"] = widgets.Dropdown(options=list(TARGETS), value="class 1",
                                              description="true class")
        return controls

    def build(self, fig):
        ax_sig, ax_soft, ax_grad = fig.subplots(1, 3)
        x = np.arange(self.M)
        labels = [f"j = {j + 1}" for j in x]
        self.bars, self.target_marks, self.notes = {}, {}, {}
        for name, ax, colour, title in (
                ("sigmoid", ax_sig, "C0", r"sigmoids $o_j = \sigma(\theta_j)$"),
                ("softmax", ax_soft, "C1",
                 r"softmax $o_j = e^{\theta_j} / \Sigma_k e^{\theta_k}$")):
            self.bars[name] = ax.bar(x, np.zeros(self.M), color=colour, width=0.6)
            self.target_marks[name] = ax.plot(x, np.zeros(self.M), "_", color="k", ms=30,
                                              mew=2.5, label="target")[0]
            self.notes[name] = ax.text(0.03, 0.97, "", transform=ax.transAxes, va="top",
                                       fontsize=9)
            # Few tick labels: text is most of the cost of each redraw.
            ax.set(ylim=(-0.03, 1.35), title=title, xticks=x, xticklabels=labels,
                   yticks=[0, 0.5, 1])
        ax_sig.legend(loc="upper right", fontsize=8, markerscale=0.5)
        self.grad_bars = {
            "sigmoid": ax_grad.bar(x - 0.18, np.zeros(self.M), width=0.36, color="C0",
                                   label="sigmoids"),
            "softmax": ax_grad.bar(x + 0.18, np.zeros(self.M), width=0.36, color="C1",
                                   label="softmax"),
        }
        ax_grad.axhline(0, color="0.6", lw=0.8)
        ax_grad.set(ylim=(-1.1, 1.5), title=r"gradient $\partial C/\partial\theta_j = o_j - y_j$",
                    xticks=x, xticklabels=labels, yticks=[-1, 0, 1])
        ax_grad.legend(loc="upper center", ncol=2, fontsize=8)
        fig.tight_layout()
        # Fixed axes: a slider moves only the bars, the target marks and the notes.
        self.moving = [*(bar for group in (*self.bars.values(), *self.grad_bars.values())
                         for bar in group),
                       *self.target_marks.values(), *self.notes.values()]

    def draw(self, theta1, theta2, theta3, target):
        both = compare_outputs([theta1, theta2, theta3], TARGETS[target])
        for name, r in both.items():
            for bar, o in zip(self.bars[name], r["o"]):
                bar.set_height(o)
            for bar, g in zip(self.grad_bars[name], r["grad"]):
                bar.set_height(g)  # a negative height draws downwards from 0
            self.target_marks[name].set_ydata(r["y"])
            self.notes[name].set_text(f"sum of outputs {r['o'].sum():.3f}\nloss C {r['C']:.3f}")
        sig, soft = both["sigmoid"], both["softmax"]
        self.readout.value = readout_table([
            ("sigmoid outputs σ(θ_j)", _vector(sig["o"])),
            ("Σ_j σ(θ_j) (need not be 1)", f"{sig['o'].sum():.4f}"),
            ("softmax outputs", _vector(soft["o"])),
            ("Σ_j softmax_j", f"{soft['o'].sum():.4f}"),
            ("sigmoid targets y", _vector(sig["y"], "{:.2f}")),
            ("softmax targets y", _vector(soft["y"], "{:.2f}")),
            ("sigmoid cross entropy C", f"{sig['C']:.4f}"),
            ("softmax cross entropy C", f"{soft['C']:.4f}"),
            ("sigmoid ∂C/∂θ = o − y", _vector(sig["grad"], "{:+.3f}")),
            ("softmax ∂C/∂θ = o − y", _vector(soft["grad"], "{:+.3f}")),
        ])


# ------------------------------------------- three losses on a three-class problem
def train_three_class(loss, X, t, *, hidden=20, eta=2.0, epochs=300, seed=0):
    """A 2-hidden-3 sigmoid MLP trained full-batch on (X, t): (net, History).

    Same ``seed`` (initial weights), ``eta`` and ``epochs`` for every loss, so the
    loss is the only difference between runs.
    """
    net = MLP([2, hidden, 3], loss, seed=seed)
    return net, net.train(X, t, eta=eta, epochs=epochs)


def compare_losses(X, t, *, hidden=20, eta=2.0, epochs=300, seed=0):
    """{loss name: (net, History)} for quadratic, sigmoid and softmax cross entropy."""
    return {name: train_three_class(name, X, t, hidden=hidden, eta=eta, epochs=epochs,
                                    seed=seed)
            for name in LOSS_LABELS}


def misclassified_outputs(net, X, y):
    """The outputs of ``net`` at the points it gets wrong (arg-max output ≠ class).

    X: N × 2; y: one-hot targets, N × M. Returns a dict of arrays, one entry per
    misclassified point: 'true' = the output of the true class's unit (the one that
    should rise), 'winner' = the largest output (a wrong class's unit), and
    'index' = the 0-based row of the point in X.
    """
    O = net.predict(X)
    wrong = np.flatnonzero(O.argmax(axis=1) != y.argmax(axis=1))
    return {"true": O[wrong, y[wrong].argmax(axis=1)], "winner": O[wrong].max(axis=1),
            "index": wrong}


def region_image(O):
    """RGB image (res × res × 3) of a grid of outputs O (res × res × 3): each pixel
    takes the colour of the arg-max class, paler as max_j o_j falls, so a sigmoid
    net that says "no class" (every o_j small) shows white."""
    k, strength = O.argmax(axis=-1), O.max(axis=-1)[..., None]
    return 1 - 0.6 * strength * (1 - CLASS_COLOURS[k])


REGION_NOTE = "colour: the arg-max class; paler: smaller max output; white: no output fires"


def _draw_data(ax, X, t):
    """The points in their classes' colours, the axes x₁, x₂, and a class legend
    (which also names the regions' colours)."""
    ax.scatter(X[:, 0], X[:, 1], c=CLASS_COLOURS[t.argmax(axis=1)], s=9,
               edgecolors="k", linewidths=0.3)
    for j, colour in enumerate(CLASS_COLOURS):  # legend entries only: no data
        ax.scatter([], [], color=colour, s=16, edgecolors="k", linewidths=0.3,
                   label=f"class {j + 1}")
    ax.set(aspect="equal")
    ax.set_xlabel("$x_1$", labelpad=1)
    ax.set_ylabel("$x_2$", labelpad=0)
    # The corners of the square around the spiral hold no points.
    ax.legend(loc="upper left", fontsize=7, handletextpad=0.1, borderpad=0.3,
              labelspacing=0.2, framealpha=0.85)


def _extent(xx, yy):
    return (xx.min(), xx.max(), yy.min(), yy.max())


def plot_loss_comparison(results, X, t, *, resolution=120):
    """Learning curves (each net's own loss, and its accuracy) and the decision
    regions of each trained net; ``results`` from :func:`compare_losses`."""
    fig = Figure(figsize=(10.0, 7.2), layout="constrained")
    axes = fig.subplot_mosaic([["loss"] * 3 + ["acc"] * 3, ["q"] * 2 + ["ce"] * 2 + ["sm"] * 2])
    for (name, (net, history)), key in zip(results.items(), ("q", "ce", "sm")):
        label = LOSS_LABELS[name]
        axes["loss"].plot(history.loss, label=label, color=LOSS_COLORS[name])
        axes["acc"].plot(history.accuracy, label=label, color=LOSS_COLORS[name])
        xx, yy, O = decision_grid(net, X, resolution=resolution)
        axes[key].imshow(region_image(O), origin="lower", extent=_extent(xx, yy),
                         interpolation="nearest")
        _draw_data(axes[key], X, t)
        axes[key].set_title(f"{label}: accuracy {history.accuracy[-1]:.2f}", fontsize=10)
    epochs = len(history.loss) - 1
    axes["loss"].set(yscale="log", xlabel="epoch", title="training loss (each net its own C)")
    axes["acc"].set(ylim=(0, 1.02), xlabel="epoch", title="training accuracy")
    for key in ("loss", "acc"):
        axes[key].set_xlim(0, epochs)
        axes[key].legend(fontsize=8)
    fig.supxlabel(f"decision regions: {REGION_NOTE}", fontsize=9)
    return fig


class ThreeClassLab(Lab):
    """Retrain a 2-n₁-3 sigmoid MLP on the three-class problem for the chosen loss,
    η, hidden width n₁ and number of epochs; learning curves and decision regions."""

    retrains = True

    title = "retrain on three classes: quadratic vs sigmoid vs softmax cross entropy"
    figsize = (10.0, 3.3)
    resolution = 60  # decision-grid pixels per side: cheap to recompute on every change
    max_epochs = 500

    def __init__(self, **initial):
        self.X, self.t = three_class_problem(300, seed=0)
        super().__init__(**initial)

    def controls_(self):
        return {
            "loss": widgets.Dropdown(options=[(label, name) for name, label in LOSS_LABELS.items()],
                                     value="cross_entropy", description="loss"),
            "eta": widgets.FloatLogSlider(value=2.0, base=10, min=-2, max=2, step=0.1,
                                          description="η"),
            "hidden": widgets.IntSlider(value=20, min=2, max=30, description="hidden n₁"),
            "epochs": widgets.IntSlider(value=300, min=0, max=self.max_epochs, step=10,
                                        description="epochs"),
        }

    def build(self, fig):
        ax_loss, ax_acc, ax_map = fig.subplots(1, 3)
        # Both curves in the selected loss's colour (set in draw), as in every figure.
        self.loss_line, self.loss_end = ax_loss.plot([], [], "-", [], [], "o")
        self.acc_line, self.acc_end = ax_acc.plot([], [], "-", [], [], "o")
        ax_loss.set(xlabel="epoch", title="training loss C (the selected loss)")
        ax_acc.set(ylim=(0, 1.02), xlabel="epoch", title="training accuracy")
        self.image = ax_map.imshow(np.ones((self.resolution, self.resolution, 3)),
                                   origin="lower", interpolation="nearest")
        _draw_data(ax_map, self.X, self.t)
        ax_map.set_title("decision regions", fontsize=10)
        ax_map.text(0.5, -0.2, REGION_NOTE.replace("; white", ";\nwhite"),
                    transform=ax_map.transAxes, ha="center", va="top", fontsize=7.5)
        self.axes = ax_loss, ax_acc, ax_map
        # Fixed margins, not tight_layout: tick labels change with the data.
        fig.subplots_adjust(left=0.06, right=0.99, bottom=0.24, top=0.9, wspace=0.3)

    def draw(self, loss, eta, hidden, epochs):
        # Retrained from seed 0 on every change: the same start for every setting.
        net, history = train_three_class(loss, self.X, self.t, hidden=hidden, eta=eta,
                                         epochs=epochs)
        e = np.arange(epochs + 1)
        for line in (self.loss_line, self.loss_end, self.acc_line, self.acc_end):
            line.set_color(LOSS_COLORS[loss])
        self.loss_line.set_data(e, history.loss)
        self.acc_line.set_data(e, history.accuracy)
        self.loss_end.set_data([epochs], [history.loss[-1]])  # visible even at 0 epochs
        self.acc_end.set_data([epochs], [history.accuracy[-1]])
        self.axes[0].set_ylim(0, 1.05 * max(history.loss))  # manual: cheaper than autoscale
        for ax in self.axes[:2]:
            ax.set_xlim(0, max(epochs, 10))
        xx, yy, O = decision_grid(net, self.X, resolution=self.resolution)
        self.image.set_data(region_image(O))
        extent = _extent(xx, yy)  # the same every time (the grid covers X), and cheap
        self.image.set_extent(extent)
        self.axes[2].set(xlim=extent[:2], ylim=extent[2:])
        reached = np.flatnonzero(np.asarray(history.accuracy) >= 0.9)
        symbol = "E" if loss == "quadratic" else "C"  # the lecture's names for the two
        self.readout.value = readout_table([
            ("loss", LOSS_LABELS[loss]),
            ("η", f"{eta:.3g}"),
            (f"{symbol} before training", f"{history.loss[0]:.4f}"),
            (f"{symbol} after training", f"{history.loss[-1]:.4f}"),
            ("accuracy after training", f"{history.accuracy[-1]:.3f}"),
            ("first epoch with accuracy ≥ 0.9", str(reached[0]) if reached.size else "not reached"),
        ])
