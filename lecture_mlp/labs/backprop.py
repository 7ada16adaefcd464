"""Figures and the retraining lab for "backprop with the squared error" (notebook 01).

Everything here draws what the package computes: the network is ``lecture_mlp.MLP``,
trained by ``MLP.train``, and the decision
regions come from ``lecture_mlp.data.decision_grid``. What a reader sees numbers units
from 1, as the lecture does (O_1^k, W_12^k); the code's indices start at 0, so the
lecture's W_ij^k is ``net.weights[k - 1][i - 1, j - 1]``.
"""

import ipywidgets as widgets
import numpy as np

from ..data import decision_grid, xor_problem
from ..figures import new_figure
from ..mlp import MLP
from ._base import Lab, readout_table

# Decision-region colours: O^K = 0 (target t = 0) red, O^K = 1 (t = 1) blue, ½ white, so
# the boundary O^K = ½ shows as the white band between them.
REGION_CMAP = "RdBu"
CLASS_COLOURS = ("#b2182b", "#2166ac")  # the ends of RdBu: t = 0, t = 1
# The two classes of the XOR problem, by their target value (a label, not an index).
CLASS_NAMES = {0: "t = 0 (signs differ)", 1: "t = 1 (signs agree)"}

LOSS_NAMES = {"quadratic": "quadratic E = ½(O − t)²", "cross_entropy": "cross entropy C"}


def format_matrix(A, fmt="{:+.4f}"):
    """A 2-D array (or a 1-D one, shown as one row) as aligned text, one row per line.

    Rows are samples (for O^k, θ^k, δ^k) or units of layer k−1 (for W^k).
    """
    A = np.atleast_2d(np.asarray(A, dtype=np.float64))
    return "\n".join("  ".join(fmt.format(v) for v in row) for row in A)


# --------------------------------------------------------------------- network diagram
def plot_network(net, *, example=(1, 1, 2), figsize=(8.0, 4.2)):
    """The net's units O_i^k as circles joined by their weights, with each W^k and b^k
    written out under its layer as a matrix (row i: from unit i of layer k−1, column j:
    to unit j of layer k). Units are numbered from 1, as in the lecture. One edge,
    ``example`` = (k, i, j) with i, j counted from 1, is labelled W_ij^k.

    Edge colour is the weight's sign (blue +, red −), its width grows with |W_ij^k|.
    Meant for small nets: every weight is written out. Returns a Figure.
    """
    fig, ax = new_figure(figsize=figsize)
    sizes, dx = net.sizes, 3.0  # layers dx apart, units 1 apart
    top = (max(sizes) - 1) / 2

    def position(k, i):  # layer k at x = k dx, units centred vertically, index 0 on top
        return k * dx, (sizes[k] - 1) / 2 - i

    for k, W in enumerate(net.weights, start=1):
        for i in range(sizes[k - 1]):
            for j in range(sizes[k]):
                (x0, y0), (x1, y1) = position(k - 1, i), position(k, j)
                colour = CLASS_COLOURS[1] if W[i, j] >= 0 else CLASS_COLOURS[0]
                ax.plot([x0, x1], [y0, y1], color=colour, lw=0.8 + 2.5 * min(abs(W[i, j]), 1),
                        alpha=0.6, zorder=1)
                if (k, i + 1, j + 1) == tuple(example):  # the reader counts from 1
                    ax.annotate(f"$W^{{{k}}}_{{{i + 1}{j + 1}}}$ = {W[i, j]:+.2f}",
                                xy=(x0 + 0.6 * (x1 - x0), y0 + 0.6 * (y1 - y0)),
                                xytext=(x0 + 0.45 * dx, top + 0.5), fontsize=9,
                                ha="center", va="bottom",
                                arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 0.8})
        # The layer's parameters as the matrices the code holds: row i is unit i + 1.
        rows = [f"W{_superscript(k)} = " if i == 0 else " " * 5 for i in range(W.shape[0])]
        text = "\n".join(r + "[" + " ".join(f"{v:+.2f}" for v in row) + "]"
                         for r, row in zip(rows, W))
        text += "\n" + f"b{_superscript(k)} = [" + " ".join(f"{v:+.2f}" for v in
                                                         net.biases[k - 1]) + "]"
        ax.text((k - 0.5) * dx, -top - 0.55, text, family="monospace", fontsize=8.5,
                ha="center", va="top")
    for k, n in enumerate(sizes):
        for i in range(n):
            x, y = position(k, i)
            ax.add_patch(_circle((x, y)))
            ax.text(x, y, f"$O^{{{k}}}_{{{i + 1}}}$", ha="center", va="center", fontsize=11,
                    zorder=4)
        label = ("input $O^0 = x$" if k == 0 else
                 f"output $O^{{{k}}} = O^K$" if k == len(sizes) - 1 else f"hidden $O^{{{k}}}$")
        ax.text(k * dx, position(k, 0)[1] + 0.35, label, ha="center", va="bottom",
                fontsize=10)
    ax.text((len(sizes) - 1) * dx / 2, -top - 1.95,
            "$W^k_{ij}$ in row i, column j: from unit i of layer k−1 to unit j of layer k "
            "(counted from 1)", ha="center", va="top", fontsize=9, color="0.3")
    ax.set(xlim=(-0.6, (len(sizes) - 1) * dx + 0.6), ylim=(-top - 2.3, top + 1.0))
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def _superscript(k):
    return str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _circle(xy):
    from matplotlib.patches import Circle

    return Circle(xy, 0.25, facecolor="#f4f4f4", edgecolor="0.2", lw=1.0, zorder=2)


# --------------------------------------------------------------------- training on XOR
def xor_data(n=200, *, noise=0.35, seed=0):
    """The 2-D problem of this notebook: ``lecture_mlp.data.xor_problem`` (X: N×2, t: N×1)."""
    return xor_problem(n, noise=noise, seed=seed)


def best_line_accuracy(X, t):
    """The largest fraction of the samples (X: N×2, t: N×1 of 0/1) that one straight line
    classifies right, either side of it being class t = 1: what a single sigmoid unit
    could reach at best, whatever its training.

    Exhaustive: a best line can be turned and shifted until it passes through two
    samples without changing which side any other sample is on, and those two can
    then be put on either side; so it is enough to try every line through two samples
    and count both of them as right. O(N³) arithmetic, N = 200 in a fraction of a second.
    """
    X = np.asarray(X, dtype=np.float64)
    positive = np.asarray(t, dtype=np.float64).reshape(len(X)) > 0.5
    n, best = len(X), 0
    for a in range(n - 1):
        direction = X[a + 1:] - X[a]  # lines through sample a and each later sample b
        normal = np.column_stack([-direction[:, 1], direction[:, 0]])
        side = (X - X[a]) @ normal.T  # (n, lines): which side of each line each sample is
        side[a, :] = 0  # the two samples on the line are counted separately
        side[np.arange(a + 1, n), np.arange(n - a - 1)] = 0
        above, below = side > 0, side < 0
        right = (above & positive[:, None]).sum(0) + (below & ~positive[:, None]).sum(0)
        flipped = (below & positive[:, None]).sum(0) + (above & ~positive[:, None]).sum(0)
        best = max(best, int(right.max()), int(flipped.max()))
    return (best + 2) / n


def train_network(X, t, *, loss="quadratic", eta=2.0, width=8, epochs=1000, seed=0):
    """A 2-``width``-1 sigmoid MLP, seeded, trained full batch by ``MLP.train``.

    Returns (net, history); history.loss[e] is the mean loss after e epochs.
    """
    net = MLP([X.shape[1], width, 1], loss, seed=seed)
    history = net.train(X, t, eta=eta, epochs=epochs)
    return net, history


def _regions_axes(ax, X, t, resolution):
    """Draw the samples and an (empty) decision-region image on ``ax``; return the image.

    The image's pixels are centred on the grid ``decision_grid`` builds for X (its
    default margin 0.5), so later updates only need ``image.set_data(O)``.
    """
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5  # decision_grid's default margin
    half = (hi - lo) / (resolution - 1) / 2  # imshow's extent is pixel edges, not centres
    image = ax.imshow(np.full((resolution, resolution), 0.5), origin="lower",
                      extent=(lo[0] - half[0], hi[0] + half[0], lo[1] - half[1], hi[1] + half[1]),
                      cmap=REGION_CMAP, vmin=0, vmax=1,
                      aspect="auto", interpolation="nearest", alpha=0.8)  # points stand out
    for label in (0, 1):
        rows = t[:, 0] == label
        ax.scatter(X[rows, 0], X[rows, 1], s=12, color=CLASS_COLOURS[label],
                   edgecolors="black", linewidths=0.4, label=CLASS_NAMES[label])
    ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    return image


def plot_training(net, X, t, history, *, resolution=150):
    """Loss curve (left) and decision regions O^K over the plane (right) of a trained net.

    The white band where O^K = ½ (drawn as a black contour) is the decision boundary.
    """
    fig, (ax_loss, ax_reg) = new_figure(2, figsize=(10.0, 3.8))
    epochs = np.arange(len(history.loss))
    ax_loss.plot(epochs, history.loss, color="C0")
    _log_loss_axis(ax_loss)
    ax_loss.set(xlabel="epoch", xlim=(0, max(epochs[-1], 1)), ylim=_decade_limits(history.loss),
                ylabel=f"{LOSS_NAMES.get(net.loss_fn.name, net.loss_fn.name)}, mean over N",
                title=f"final loss {history.loss[-1]:.4f}, "
                      f"accuracy {history.accuracy[-1]:.1%}")
    image = _regions_axes(ax_reg, X, t, resolution)
    xx, yy, O = decision_grid(net, X, resolution=resolution)
    image.set_data(O[:, :, 0])
    ax_reg.contour(xx, yy, O[:, :, 0], levels=[0.5], colors="black", linewidths=1.0)
    ax_reg.set_title(f"decision regions: $O^K$ of the {'-'.join(map(str, net.sizes))} net")
    ax_reg.legend(loc="upper right", fontsize=8, framealpha=0.9)
    fig.colorbar(image, ax=ax_reg, label="$O^K$")
    fig.tight_layout()
    return fig


def _log_loss_axis(ax):
    """A log y axis labelled 0.01, 0.1, 1 (plain numbers, no minor labels), with a grid."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, which="major", color="0.9")  # a minor grid would double the render time


def _decade_limits(values):
    """Log-axis limits: the powers of ten just below the smallest and above the largest."""
    lo = max(float(np.min(values)), 1e-300)  # a loss that underflowed to 0 has no log
    hi = max(float(np.max(values)), lo)
    return 10.0 ** np.floor(np.log10(lo)), 10.0 ** np.ceil(np.log10(hi) + 1e-12)


class TrainingLab(Lab):
    """Retrain a 2-n₁-1 sigmoid net on the XOR problem (N = 200, full batch) for the
    chosen η, hidden width n₁, epochs and loss; show its loss curve and decision regions.

    Every draw trains a fresh net from the same seed, so the figure and the readout
    are a deterministic function of the controls.
    """

    retrains = True

    title = "retrain a 2-n₁-1 network on XOR"
    figsize = (9.0, 3.4)
    resolution = 100  # of the decision-region grid: enough to see the boundary, cheap
    seed = 0

    def controls_(self):
        return {
            "eta": widgets.FloatLogSlider(value=2.0, base=10, min=-2, max=1.5, step=0.05,
                                          description="η", readout_format=".3g",
                                          continuous_update=False),
            "width": widgets.IntSlider(value=4, min=1, max=16, step=1, description="hidden n₁",
                                       continuous_update=False),
            "epochs": widgets.IntSlider(value=500, min=10, max=1000, step=10,
                                        description="epochs", continuous_update=False),
            "loss": widgets.ToggleButtons(options=[("quadratic", "quadratic"),
                                                   ("cross entropy", "cross_entropy")],
                                          value="quadratic", description="loss"),
        }

    def build(self, fig):
        self.X, self.t = xor_data(seed=self.seed)
        self.ax_loss, self.ax_reg = fig.subplots(1, 2)
        (self.loss_line,) = self.ax_loss.plot([], [], color="C0")
        _log_loss_axis(self.ax_loss)
        self.ax_loss.set(xlabel="epoch", ylabel="loss, mean over N = 200")
        self.image = _regions_axes(self.ax_reg, self.X, self.t, self.resolution)
        self.ax_reg.set_title("decision regions: $O^K$ over the plane")
        # The classes (dots) and the shading (O^K, on the fixed scale 0 to 1) explained.
        self.ax_reg.legend(loc="upper right", fontsize=7, framealpha=0.9)
        colorbar = fig.colorbar(self.image, ax=self.ax_reg, fraction=0.06, pad=0.03,
                                ticks=[0, 0.5, 1])
        colorbar.set_label("$O^K$ (white: ½, the boundary)", fontsize=8)
        # Fixed margins, not tight_layout: the loss axis's tick labels change width
        # (0.1 ... 0.001) and must never push its label out of the figure.
        fig.subplots_adjust(left=0.095, right=0.94, bottom=0.15, top=0.9, wspace=0.27)

    def train(self, eta, width, epochs, loss):
        """The trained net and its History (index e: after e epochs) for these values:
        the same as ``train_network`` with this lab's data and seed."""
        net = MLP([2, width, 1], loss, seed=self.seed)
        return net, net.train(self.X, self.t, eta=eta, epochs=epochs)

    def draw(self, eta, width, epochs, loss):
        net, history = self.train(eta, width, epochs, loss)
        losses = history.loss
        self.loss_line.set_data(np.arange(epochs + 1), losses)
        self.ax_loss.set_xlim(0, epochs)
        self.ax_loss.set_ylim(*_decade_limits(losses))
        self.ax_loss.set_title(LOSS_NAMES[loss])  # a title: changing it moves no axes
        _, _, O = decision_grid(net, self.X, resolution=self.resolution)
        self.image.set_data(O[:, :, 0])
        self.readout.value = readout_table([
            ("loss before training", f"{losses[0]:.4f}"),
            ("final loss", f"{losses[-1]:.4f}"),
            ("final accuracy", f"{net.accuracy(self.X, self.t):.1%}"),
            ("first epoch above 90 % accuracy", first_epoch_above(history.accuracy, 0.9)),
        ])


def first_epoch_above(accuracy, level):
    """The first epoch e with accuracy[e] > ``level``, as text ("never" if none)."""
    above = np.flatnonzero(np.asarray(accuracy) > level)
    return f"{above[0]}" if above.size else "never"
