"""Labs and figures for "beyond the output layer: what cross entropy does not fix"
(notebook 05).

Two things the cross entropy leaves as they were:

1. Hidden layers. δ^K = O − t has no σ'(θ^K), but the hidden recursion in
   ``MLP._backward``, δ^k = (δ^{k+1} W^{k+1}ᵀ) ⊙ O^k(1 − O^k), keeps σ'(θ^k) whatever
   the loss: saturated hidden units still learn slowly (``GradientNormLab``).
2. Floating point. The loss computed from the rounded output O = σ(θ) is inf or NaN
   once σ rounds to 0 or 1; computed from θ it is exact (``StabilityLab``, comparing
   the teaching versions in ``lecture_mlp.numerics``).

Measurement used throughout (``mean_abs_gradients``): gradients at initialisation of
the mean loss over one seeded random batch, X ~ N(0, 1) of shape N × n_0 and targets
t ~ Bernoulli(½), reduced per layer to mean_ij |∂C/∂W_ij^k| and averaged over seeds.
"""

import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullLocator

from .. import numerics
from ..figures import new_figure
from ..mlp import MLP
from ._base import Lab, axes_text, fixed_labels, readout_table

LOSS_LABELS = {"quadratic": "quadratic", "cross_entropy": "cross entropy"}
BATCH_SEED_OFFSET = 1000  # batches use seed + 1000, so X never reuses the weights' draws


# ------------------------------------------------------------------ measurements
def random_batch(N=100, n_in=10, *, seed=0):
    """X ~ N(0, 1) of shape N × n_in and targets t ~ Bernoulli(½) of shape N × 1."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, n_in))
    t = (rng.random((N, 1)) < 0.5).astype(np.float64)
    return X, t


def seeded_net(sizes, loss, scale, *, seed=0, layers="all"):
    """An MLP whose weights are drawn with standard deviation ``scale``.

    ``layers='all'``: every W^k ~ N(0, scale²) (``MLP(init_scale=scale)``).
    ``layers='first'``: only W^1 ~ N(0, scale²); W^2..W^K keep the default
    N(0, 1/n_{k−1}). The same standard-normal draws are rescaled, so nets with the
    same seed and different scales differ only in scale.
    """
    if layers == "all":
        return MLP(sizes, loss, seed=seed, init_scale=scale)
    if layers != "first":
        raise ValueError(f"layers must be 'all' or 'first', got {layers!r}")
    net = MLP(sizes, loss, seed=seed)
    net.weights[0] *= scale * np.sqrt(sizes[0])  # default W^1 is z / √n_0; make it z·scale
    return net


def layer_deltas(net, X, t):
    """[δ^1, ..., δ^K], δ^k of shape N × n_k, from the package's own backprop.

    For a single sample (N = 1) ∂C/∂b^k = δ^k, so each row's δ^k is the bias gradient
    that ``MLP._backward`` returns for that row alone: no second implementation.
    """
    rows = [net._backward(*net._forward(X[i:i + 1]), t[i:i + 1])[1] for i in range(len(X))]
    return [np.vstack([r[k] for r in rows]) for k in range(net.depth)]


def initial_statistics(scale, losses, *, sizes=(10, 20, 1), layers="all", N=100,
                       seeds=range(5)):
    """What the gradients look like at initialisation, averaged over ``seeds``.

    For each seed r: the net ``seeded_net(sizes, loss, scale, seed=r, layers=layers)``
    and the batch ``random_batch(N, sizes[0], seed=r + 1000)``. Returns a dict with,
    for each loss name in ``losses``, mean_ij |∂C/∂W_ij^k| for k = 1..K (shape (K,)),
    the gradient of the mean loss over the batch; under 'sigma_prime' the mean of
    σ'(θ^k) = O^k(1 − O^k) over the N × n_k unit × sample values of each hidden layer
    k = 1..K−1 (shape (K−1,)); under 'sigma_prime_rms' their root-mean-square
    √mean(σ'²) over the values of all seeds (shape (K−1,)). The initial weights do not
    depend on the loss, so one forward pass serves all losses.
    """
    sizes = list(sizes)
    per_seed = {name: [] for name in [*losses, "sigma_prime", "sigma_prime_rms"]}
    for r in seeds:
        X, t = random_batch(N, sizes[0], seed=r + BATCH_SEED_OFFSET)
        forward = None
        for loss in losses:
            net = seeded_net(sizes, loss, scale, seed=r, layers=layers)
            if forward is None:
                forward = net._forward(X)  # ([O^0..O^{K−1}], θ^K): the same for every loss
            grad_W, _ = net._backward(*forward, t)
            per_seed[loss].append([np.mean(np.abs(g)) for g in grad_W])
        sigma_primes = [O * (1 - O) for O in forward[0][1:]]  # hidden layers, N × n_k each
        per_seed["sigma_prime"].append([np.mean(sp) for sp in sigma_primes])
        per_seed["sigma_prime_rms"].append([np.mean(sp ** 2) for sp in sigma_primes])
    stats = {name: np.mean(values, axis=0) for name, values in per_seed.items()}
    stats["sigma_prime_rms"] = np.sqrt(stats["sigma_prime_rms"])  # over every seed's values
    return stats


def mean_abs_gradients(scale, loss, **kwargs):
    """mean_ij |∂C/∂W_ij^k| for k = 1..K, shape (K,): ``initial_statistics`` for one loss."""
    return initial_statistics(scale, [loss], **kwargs)[loss]


def first_layer_scale_ratio(loss="cross_entropy", *, low=0.1, high=20.0, seeds=range(10),
                            **kwargs):
    """(g(low), g(high), g(low)/g(high)) with g(s) the mean |∂C/∂W^1| when only W^1 has
    standard deviation s (``mean_abs_gradients(..., layers='first')``, default 10-20-1)."""
    g_low = mean_abs_gradients(low, loss, layers="first", seeds=seeds, **kwargs)[0]
    g_high = mean_abs_gradients(high, loss, layers="first", seeds=seeds, **kwargs)[0]
    return float(g_low), float(g_high), float(g_low / g_high)


# ------------------------------------------------------------------ static figures
def plot_first_layer_scale(scales=None, *, sizes=(10, 20, 1), seeds=range(10)):
    """mean |∂C/∂W^1| and mean |∂C/∂W^2| against the first-layer scale s (W^1 ~ N(0, s²)),
    for both losses, in a 10-20-1 sigmoid net; left: the gradients, right: the mean
    σ'(θ^1) of the hidden layer. Returns a Figure."""
    scales = np.logspace(-1, np.log10(20), 25) if scales is None else np.asarray(scales)
    stats = [initial_statistics(s, ["quadratic", "cross_entropy"], sizes=sizes, layers="first",
                                seeds=seeds) for s in scales]
    fig, (ax_g, ax_s) = new_figure(2, figsize=(9.5, 3.4))
    for loss, style in (("quadratic", "--"), ("cross_entropy", "-")):
        g = np.array([st[loss] for st in stats])
        for k, colour in ((1, "C0"), (2, "C1")):
            ax_g.loglog(scales, g[:, k - 1], style, color=colour,
                        label=f"$|\\partial C/\\partial W^{k}|$, {LOSS_LABELS[loss]}")
    sp = [st["sigma_prime"][0] for st in stats]
    ax_s.loglog(scales, sp, "-", color="C2", label="mean $\\sigma'(\\theta^1)$")
    ax_s.axhline(0.25, color="0.6", lw=0.8, ls=":", label="$\\sigma'(0) = 1/4$")
    ax_g.set(xlabel="first-layer weight scale s  ($W^1 \\sim N(0, s^2)$)",
             ylabel="mean |gradient| at initialisation",
             title="the output layer learns, the hidden layer stalls")
    ax_s.set(xlabel="first-layer weight scale s", ylabel="mean $O^1(1 - O^1)$",
             title="hidden units saturate: $\\sigma'(\\theta^1)$ collapses")
    ax_g.set_ylim(top=ax_g.get_ylim()[1] * 20)  # headroom: the legend sits above the curves
    ax_g.legend(fontsize=7.5, loc="upper center", ncol=2)
    ax_s.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ gradient-norm lab
class GradientNormLab(Lab):
    """mean |∂C/∂W^k| per layer k at initialisation, against weight scale, depth, width
    and loss. Every W^k ~ N(0, s²); hidden layers of equal width; 10 inputs, 1 output."""

    title = "per-layer gradient size at initialisation"
    figsize = (9.5, 3.6)
    n_in, N, seeds = 10, 100, range(5)
    max_K = 10

    def controls_(self):
        return {
            "scale": widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.05,
                                            description="weight scale s", readout_format=".3g"),
            "K": widgets.IntSlider(value=4, min=2, max=self.max_K, description="layers K"),
            "width": widgets.IntSlider(value=20, min=2, max=64, description="width n_k"),
            "loss": widgets.ToggleButtons(options=[(v, k) for k, v in LOSS_LABELS.items()],
                                          value="cross_entropy", description="loss"),
        }

    def sizes(self, K, width):
        """[n_0, n_1, ..., n_K]: 10 inputs, K − 1 hidden layers of ``width``, 1 output."""
        return [self.n_in] + [width] * (K - 1) + [1]

    def compute(self, scale, K, width, loss):
        """(mean |∂C/∂W^k| for k = 1..K, the same for the other loss, mean σ'(θ^k) for
        k = 1..K−1), each averaged over the lab's seeds (``initial_statistics``)."""
        other = _other(loss)
        stats = initial_statistics(scale, [loss, other], sizes=self.sizes(K, width),
                                   N=self.N, seeds=self.seeds)
        return stats[loss], stats[other], stats["sigma_prime"]

    def build(self, fig):
        ax_g, ax_s = fig.subplots(1, 2)
        self.ax_g, self.ax_s = ax_g, ax_s
        self.line = ax_g.plot([], [], "o-", color="C3")[0]
        self.other = ax_g.plot([], [], "s--", color="0.45", ms=4)[0]
        self.sp_line = ax_s.plot([], [], "o-", color="C2")[0]
        ax_s.axhline(0.25, color="0.6", lw=0.8, ls=":")
        ax_g.set(yscale="log", xlim=(0.5, self.max_K + 0.5))
        ax_s.set(yscale="log", xlim=(0.5, self.max_K - 0.5))
        fixed_labels(ax_g, xlabel="layer k")
        fixed_labels(ax_s, title="hidden σ'(θᵏ)   (dotted: its maximum 1/4)",
                     xlabel="hidden layer k")
        axes_text(ax_g, -0.17, 0.5, "mean |∂C/∂Wᵏ|", rotation=90, ha="center", va="center")
        axes_text(ax_s, -0.17, 0.5, "mean Oᵏ(1 − Oᵏ)", rotation=90, ha="center", va="center")
        # Every layer has a tick; 1, 5 and the last are labelled (tick labels are most
        # of the cost of a full redraw, which a new decade on the y axis needs).
        for ax, last in ((ax_g, self.max_K), (ax_s, self.max_K - 1)):
            ax.xaxis.set_major_locator(FixedLocator([1, 5, last]))
            ax.xaxis.set_minor_locator(FixedLocator(range(1, last + 1)))
        for ax in (ax_g, ax_s):  # decades only, as plain text: cheap to redraw
            ax.yaxis.set_major_locator(LogLocator(base=10, numticks=8))
            ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
            ax.yaxis.set_minor_locator(NullLocator())
        # The two losses' names above the axes, in their lines' colours (set in draw).
        self.names = [axes_text(ax_g, x, 1.025, "", color=line.get_color(), va="bottom")
                      for x, line in ((0.0, self.line), (0.45, self.other))]
        # Fixed margins (no tight_layout): room for tick labels as wide as 10^{−100}.
        fig.subplots_adjust(left=0.09, right=0.98, top=0.91, bottom=0.14, wspace=0.28)
        # Blitted while the (whole-decade) limits stay; a new decade is a full render.
        self.moving = [self.line, self.other, self.sp_line, *self.names]

    def draw(self, scale, K, width, loss):
        g, g_other, sp = self.compute(scale, K, width, loss)
        k = np.arange(1, K + 1)
        shown = [np.where(v > 0, v, np.nan) for v in (g, g_other, sp)]  # log axes: no 0
        self.line.set_data(k, shown[0])
        self.other.set_data(k, shown[1])
        self.sp_line.set_data(k[:-1], shown[2])
        self.names[0].set_text(f"━●━ {LOSS_LABELS[loss]}")
        self.names[1].set_text(f"╍■╍ {LOSS_LABELS[_other(loss)]}")
        self.ax_g.set_ylim(*_log_limits(np.concatenate(shown[:2])))
        self.ax_s.set_ylim(min(_log_limits(shown[2])[0], 1e-2), 0.6)
        self.readout.value = readout_table([
            ("mean |∂C/∂W^1|", f"{g[0]:.3e}"),
            (f"mean |∂C/∂W^{K}| (output layer)", f"{g[-1]:.3e}"),
            ("ratio W^1 / W^K", f"{g[0] / g[-1]:.3e}"),
            ("mean σ'(θ^1)", f"{sp[0]:.3e}"),
            (f"mean σ'(θ^{K - 1})", f"{sp[-1]:.3e}"),
        ])


def _other(loss):
    return "quadratic" if loss == "cross_entropy" else "cross_entropy"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value, _pos=None):
    """A decade tick label as plain text, 10⁻⁵ (no mathtext to parse on every redraw)."""
    return "10" + str(int(round(np.log10(value)))).translate(_SUPERSCRIPT)


def _log_limits(values):
    """(low, high) bracketing the finite positive values on a log axis: whole decades,
    with at least a factor 2 of margin (so a small change of the values seldom changes
    the limits, and the lab can blit)."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 1e-3, 1.0
    return (10.0 ** np.floor(np.log10(values.min() / 2)),
            10.0 ** np.ceil(np.log10(values.max() * 2)))


# ------------------------------------------------------------------ stability lab
def squash(v):
    """sign(v) log10(1 + |v|): a smooth log-like axis through 0 (0 → 0, ±1 → ±0.30,
    ±10 → ±1.04, ±1000 → ±3.0). The lab plots squashed data on linear axes, which redraw
    far faster than a matplotlib 'symlog' scale."""
    v = np.asarray(v, dtype=np.float64)
    return np.sign(v) * np.log10(1 + np.abs(v))


TICKS = [-1000, -100, -10, 0, 10, 100, 1000]
Y_INF, Y_NAN = 3.95, -0.8  # squashed heights of the "inf" and "nan" bands
Y_LIMITS = (-1.05, 4.35)


def _plotted(values, i):
    """Squashed finite values; inf at the inf band, NaN at the nan band (method i is nudged
    by 0.08·i so that markers of different methods do not sit on top of each other)."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # squash(inf) is replaced below
        squashed = squash(values)
    return np.where(np.isnan(values), Y_NAN + 0.08 * i,
                    np.where(np.isinf(values), Y_INF + 0.08 * i, squashed))


class StabilityLab(Lab):
    """The cross entropy at one logit θ, computed four ways (two-class) and three ways
    (softmax over the logits (0, θ)), in float32 or float64: inf and NaN appear as such.
    Both axes are squashed, sign(v) log10(1 + |v|), and labelled with the real values."""

    title = "numerical stability of the cross entropy"
    figsize = (10.0, 3.8)
    @functools.cached_property  # built with the lab: importing computes nothing
    def grid(self):
        return np.concatenate([-np.logspace(3, -1, 200), [0.0], np.logspace(-1, 3, 200)])

    def controls_(self):
        return {
            "theta": widgets.FloatSlider(value=40.0, min=-1000, max=1000, step=0.5,
                                         description="θ", continuous_update=True),
            "dtype": widgets.ToggleButtons(options=["float64", "float32"], value="float64",
                                           description="dtype"),
            "y": widgets.ToggleButtons(options=[("0", 0), ("1", 1)], value=0,
                                       description="target y"),
        }

    def build(self, fig):
        ax_b, ax_s = fig.subplots(1, 2, sharey=True)  # one set of y tick labels to draw
        self.axes = (ax_b, ax_s)
        self.x = squash(self.grid)
        self.curves, self.bad, self.markers = {}, {}, {}
        for ax, methods in ((ax_b, numerics.TWO_CLASS), (ax_s, numerics.SOFTMAX)):
            for i, name in enumerate(methods):
                colour = f"C{i}" if "package" not in name else "k"
                width = 2.4 if "package" not in name else 1.2
                self.curves[name] = ax.plot([], [], color=colour, lw=width, label=name)[0]
                self.bad[name] = ax.plot([], [], color=colour, lw=6, solid_capstyle="butt")[0]
                self.markers[name] = ax.plot([], [], "o", color=colour, ms=6, mec="w")[0]
            ax.axhspan(Y_INF - 0.25, Y_LIMITS[1], color="#fde0dd", zorder=0)
            ax.axhspan(Y_LIMITS[0], Y_NAN + 0.35, color="#e7e1ef", zorder=0)
            ax.set(xlim=squash([-1000, 1000]) * 1.01, ylim=Y_LIMITS)
            ax.set_xticks(squash(TICKS), [f"{v:g}".replace("-", "−") for v in TICKS])
            # The bands' tick labels say plainly where inf and NaN are drawn.
            ax.set_yticks([Y_NAN + 0.08, *squash([0, 10, 100, 1000]), Y_INF + 0.08],
                          ["nan", "0", "10", "100", "1000", "inf"])
            # Each method's name in its curve's colour, in two columns under the axes.
            for i, name in enumerate(methods):
                axes_text(ax, 0.02 + 0.5 * (i % 2), -0.2 - 0.09 * (i // 2), f"━ {name}",
                      color=self.curves[name].get_color(), fontsize=9, va="top")
            fixed_labels(ax, xlabel="θ")
        fixed_labels(ax_b, title="two-class cross entropy")
        fixed_labels(ax_s, title="softmax over the logits (0, θ)")
        axes_text(ax_b, -0.13, 0.5, "loss C(θ, y)", rotation=90, ha="center", va="center")
        self.vline = [ax.axvline(0, color="0.5", lw=0.8, ls=":") for ax in self.axes]
        fig.subplots_adjust(left=0.07, right=0.98, top=0.92, bottom=0.27, wspace=0.12)
        self._cached_key = None
        self.moving = [*self.curves.values(), *self.bad.values(), *self.markers.values(),
                       *self.vline]

    def values_at(self, theta, dtype, y):
        """label -> loss at this θ (a 0-d array of ``dtype``), for every method shown,
        plus Nielsen's nan_to_num version of the two-class loss."""
        theta = np.asarray(theta, dtype=dtype)
        out = {name: f(theta, y) for name, f in {**numerics.TWO_CLASS, **numerics.SOFTMAX}.items()}
        out["nan_to_num (Nielsen)"] = numerics.nan_to_num_cross_entropy(
            numerics.naive_sigmoid(theta), y)
        return out

    def draw(self, theta, dtype, y):
        if self._cached_key != (dtype, y):  # the curves depend on dtype and y only
            grid = self.grid.astype(dtype)
            for methods in (numerics.TWO_CLASS, numerics.SOFTMAX):
                for i, (name, f) in enumerate(methods.items()):
                    C = f(grid, y).astype(np.float64)
                    finite = np.isfinite(C)
                    self.curves[name].set_data(self.x, np.where(finite, _plotted(C, i), np.nan))
                    # The θ ranges where C is inf or NaN, as thick strokes in those bands
                    # (a line with gaps: far cheaper to draw than one marker per point).
                    self.bad[name].set_data(self.x, np.where(finite, np.nan, _plotted(C, i)))
            self._cached_key = (dtype, y)
        here = self.values_at(theta, dtype, y)
        x = squash(theta)
        for methods in (numerics.TWO_CLASS, numerics.SOFTMAX):
            for i, name in enumerate(methods):
                self.markers[name].set_data([x], [_plotted(here[name], i)])
        for line in self.vline:
            line.set_xdata([x])
        O = numerics.naive_sigmoid(np.asarray(theta, dtype=dtype))
        rows = [("σ(θ)", f"{float(O):.6g}"), ("1 − σ(θ)", f"{float(1 - O):.6g}")]
        rows += [(name, f"{float(v):.6g}") for name, v in here.items()]
        self.readout.value = readout_table(rows)
