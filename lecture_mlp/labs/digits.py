"""The cross entropy against the quadratic loss on handwritten digits (notebook 06).

The maths first, as plain functions (arrays in, arrays out): training both losses
from the same initial weights on the same batches, held-out curves over seeds, the
output units that are saturated and wrong, δ^K, a confusion matrix. Then the figures
and the retraining lab, which only arrange what those functions return.

Both losses put a sigmoid on each of the 10 output units (the slides' multiclass
setting): the quadratic E = ½ Σ_j (O_j − t_j)² with δ_j^K = σ'(θ_j)(O_j − t_j), and
the cross entropy C = −Σ_j [y_j log O_j + (1 − y_j) log(1 − O_j)] with δ_j^K = O_j − y_j.
"""

from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..digits import load_digits
from ..mlp import MLP
from ._base import LOSS_COLORS, Lab, axes_text, readout_table

LOSSES = ("quadratic", "cross_entropy")
LOSS_LABELS = {"quadratic": "quadratic", "cross_entropy": "cross entropy"}
SATURATED = 0.01  # σ'(θ) = O(1 − O) below this: the unit is saturated


# ------------------------------------------------------------------------- training
def make_net(data, loss, *, hidden=30, seed=0, init_scale=None):
    """A n_0-``hidden``-10 sigmoid MLP in the data's dtype. The initial weights depend
    on ``seed`` (and ``init_scale``) only, never on the loss: the same start for both."""
    return MLP([data.X.shape[1], hidden, data.t.shape[1]], loss, seed=seed,
               dtype=data.X.dtype, init_scale=init_scale)


def train_digits(data, loss, *, hidden=30, eta=0.5, epochs=30, batch_size=10, seed=0,
                 init_scale=None):
    """(net, History) for one loss: ``make_net(..., seed=seed)`` trained by ``MLP.train``
    with shuffling seed ``seed``, so two losses with the same seed share the initial
    weights and every batch. history.val_accuracy[e] / val_loss[e]: the held-out
    digits after epoch e (0: before training)."""
    net = make_net(data, loss, hidden=hidden, seed=seed, init_scale=init_scale)
    history = net.train(data.X, data.t, eta=eta, epochs=epochs, batch_size=batch_size,
                        seed=seed, X_val=data.X_val, t_val=data.t_val)
    return net, history


@dataclass
class Comparison:
    """Held-out curves of several seeds: ``accuracy[loss]`` and ``loss[loss]`` are
    arrays (seeds × epochs + 1); row s is seed ``seeds[s]``, column e after epoch e.
    ``loss[name]`` is each net's own loss on the held-out digits (E or C)."""

    seeds: list
    eta: dict
    accuracy: dict
    loss: dict
    settings: dict = field(default_factory=dict)  # hidden, epochs, batch_size, init_scale
    data: object = field(default=None, repr=False)  # the DigitData they were trained on

    def curves(self, data, name, eta, seed, settings):
        """(accuracy, loss) of the run with this loss, η and seed if this comparison
        trained it on ``data`` with these settings, else None."""
        if (data is not self.data or settings != self.settings or name not in self.eta
                or self.eta[name] != eta or seed not in self.seeds):
            return None
        row = self.seeds.index(seed)
        return self.accuracy[name][row], self.loss[name][row]

    def mean(self, name, epoch, what="accuracy"):
        return float(np.mean(getattr(self, what)[name][:, epoch]))

    def spread(self, name, epoch, what="accuracy"):
        """(min, max) over the seeds."""
        values = getattr(self, what)[name][:, epoch]
        return float(values.min()), float(values.max())


def compare(data, *, seeds=(0, 1, 2, 3, 4), eta=0.5, hidden=30, epochs=30, batch_size=10,
            losses=LOSSES, init_scale=None, progress=None, reuse=None):
    """Train every loss for every seed (same seed: same initial weights and batches for
    both losses); a Comparison of the held-out accuracy and loss per epoch. ``eta``: one
    η for all, or {loss: η}. ``progress``: called once after each net.

    ``reuse``: an earlier Comparison. A run it holds (the same data, loss, η, seed,
    hidden, epochs, batch_size and init_scale) is taken from it instead of trained
    again: training is deterministic, so the numbers are the ones training would give."""
    etas = eta if isinstance(eta, dict) else {name: eta for name in losses}
    settings = {"hidden": hidden, "epochs": epochs, "batch_size": batch_size,
                "init_scale": init_scale}
    accuracy = {name: [] for name in losses}
    loss_curves = {name: [] for name in losses}
    for seed in seeds:
        for name in losses:
            known = reuse.curves(data, name, etas[name], seed, settings) if reuse else None
            if known is None:
                _, history = train_digits(data, name, eta=etas[name], seed=seed, **settings)
                known = history.val_accuracy, history.val_loss
            accuracy[name].append(known[0])
            loss_curves[name].append(known[1])
            if progress is not None:
                progress()
    return Comparison(list(seeds), etas, {k: np.array(v) for k, v in accuracy.items()},
                      {k: np.array(v) for k, v in loss_curves.items()}, settings, data)


# ------------------------------------------------------------------------ mechanism
def saturated_and_wrong(O, t, threshold=SATURATED):
    """Boolean N × M: output units with σ' = O(1 − O) < ``threshold`` that sit on the
    wrong side of ½ (O > ½ where t = 0, or O < ½ where t = 1): confidently wrong."""
    return (O * (1 - O) < threshold) & ((O > 0.5) != (t > 0.5))


def output_report(net, X, t):
    """What the output layer does on (X, t): a dict of
    ``saturated_wrong`` (fraction of the N × 10 output units saturated and wrong),
    ``wrong_side`` (fraction on the wrong side of ½, saturated or not),
    ``delta_saturated_wrong`` (mean |δ_j^K| over the saturated, wrong units; 0 if none),
    ``delta_wrong`` (mean |δ_j^K| over all wrong-side units), ``delta`` (mean |δ_j^K|),
    ``largest_output`` (the largest O_j^K of all: below ½, the net answers "no" everywhere)."""
    theta = net.theta(X)
    O = net.loss_fn.output(theta)
    delta = np.abs(net.loss_fn.delta(theta, t))
    stuck = saturated_and_wrong(O, t)
    wrong = (O > 0.5) != (t > 0.5)
    return {"saturated_wrong": float(stuck.mean()), "wrong_side": float(wrong.mean()),
            "delta_saturated_wrong": float(delta[stuck].mean()) if stuck.any() else 0.0,
            "delta_wrong": float(delta[wrong].mean()) if wrong.any() else 0.0,
            "delta": float(delta.mean()), "largest_output": float(O.max())}


def mechanism(data, *, epochs=30, eta=0.5, hidden=30, batch_size=10, seed=0, losses=LOSSES,
              init_scale=None):
    """{loss: {key: array over epochs 0..epochs}} of ``output_report`` on the training
    digits after each epoch (0: before training), for one seed. The nets train exactly as
    ``train_digits`` trains them (one Generator seeded ``seed`` for all the shuffles)."""
    result = {}
    for name in losses:
        net = make_net(data, name, hidden=hidden, seed=seed, init_scale=init_scale)
        rng = np.random.default_rng(seed)
        rows = [output_report(net, data.X, data.t)]
        for _ in range(epochs):
            net.epoch(data.X, data.t, eta=eta, batch_size=batch_size, rng=rng)
            rows.append(output_report(net, data.X, data.t))
        result[name] = {key: np.array([r[key] for r in rows]) for key in rows[0]}
    return result


def confusion_matrix(true, predicted, classes=10):
    """classes × classes counts: row i = true digit i, column j = predicted digit j."""
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (np.asarray(true), np.asarray(predicted)), 1)
    return counts


def misclassified(net, X, labels):
    """(indices, predicted) of the samples the net gets wrong, in their order in X."""
    predicted = net.predict(X).argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return wrong, predicted[wrong]


def tile(images, shape, columns, *, gap=1, fill=np.nan):
    """Images (n × pixels) as one mosaic of ``columns`` per row, ``gap`` blank pixels
    (``fill``) between tiles and above the first row (room for a label over each tile);
    blank tiles where n < the grid. Tile (r, c) starts at row gap + r (h + gap) and
    column c (w + gap). Returns (mosaic, rows)."""
    h, w = shape
    rows = max(1, -(-len(images) // columns))
    mosaic = np.full((rows * (h + gap), columns * (w + gap) - gap), fill)
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        top, left = gap + r * (h + gap), c * (w + gap)
        mosaic[top:top + h, left:left + w] = image.reshape(shape)
    return mosaic, rows


def progress_bar(total, *, show, description="training"):
    """A function that moves a progress bar one step on; call it ``total`` times.

    With ``show`` true (long work, in a live notebook) an ipywidgets bar is displayed
    and closed when it is full; with ``show`` false nothing is displayed or printed
    (the default data set trains in seconds, and tests and nbval see no output)."""
    if not show:
        return lambda: None
    from IPython.display import display

    bar = widgets.IntProgress(value=0, min=0, max=total, description=description)
    display(bar)

    def step():
        bar.value += 1
        if bar.value >= total:
            bar.close()
    return step


def nielsen_table(data, *, widths=(30, 100), etas=None, epochs=30, batch_size=10, seeds=(0,),
                  progress=None):
    """Nielsen's settings on ``data``: weights drawn N(0, 1) as by his
    ``large_weight_initializer`` (which draws the biases N(0, 1) too; here they start
    at 0), mini-batch 10, 30 epochs, η = 0.5 for the cross entropy and 3.0 for the
    quadratic loss (his chapters 3 and 1). Returns
    {(hidden, loss): Comparison} over ``seeds``."""
    etas = etas or {"quadratic": 3.0, "cross_entropy": 0.5}
    return {(hidden, name): compare(data, seeds=seeds, eta=etas[name], hidden=hidden,
                                    epochs=epochs, batch_size=batch_size, losses=(name,),
                                    init_scale=1.0, progress=progress)
            for hidden in widths for name in LOSSES}


# -------------------------------------------------------------------------- figures
def plot_samples(data, *, rows=3, columns=12):
    """The first rows × columns training digits, each with its label."""
    n = rows * columns
    fig = Figure(figsize=(columns * 0.75, rows * 0.9), layout="constrained")
    axes = fig.subplots(rows, columns)
    for k, ax in enumerate(axes.flat[:n]):
        ax.imshow(data.X[k].reshape(data.image_shape), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(str(data.labels[k]), fontsize=9, pad=2)
        ax.set_axis_off()
    return fig


def _band(ax, values, colour, label):
    """Mean over the rows (seeds) as a line, min to max as a band."""
    e = np.arange(values.shape[1])
    ax.fill_between(e, values.min(axis=0), values.max(axis=0), color=colour, alpha=0.2,
                    lw=0)
    ax.plot(e, values.mean(axis=0), color=colour, label=label)


def plot_comparison(result, *, title=""):
    """Held-out accuracy and loss per epoch: the mean over seeds, and min to max."""
    fig = Figure(figsize=(10.0, 3.4), layout="constrained")
    ax_acc, ax_loss = fig.subplots(1, 2)
    for name in result.accuracy:
        label = f"{LOSS_LABELS[name]} (η = {result.eta[name]:g})"
        _band(ax_acc, result.accuracy[name], LOSS_COLORS[name], label)
        _band(ax_loss, result.loss[name], LOSS_COLORS[name], label)
    epochs = next(iter(result.accuracy.values())).shape[1] - 1
    ax_acc.set(xlabel="epoch", ylabel="held-out accuracy", ylim=(0, 1.01), xlim=(0, epochs),
               title=f"held-out accuracy, {len(result.seeds)} seeds (band: min to max)")
    ax_loss.set(xlabel="epoch", ylabel="held-out loss (each net its own)", yscale="log",
                xlim=(0, epochs), title="held-out loss: E for quadratic, C for cross entropy")
    ax_acc.legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_mechanism(runs):
    """Per epoch, each loss: the percentage of output units saturated and wrong, and the
    mean |δ_j^K| on the units on the wrong side of ½. ``runs``: {label: result of
    ``mechanism``}; the first label's lines are solid, the next dashed, dotted."""
    fig = Figure(figsize=(10.0, 3.2), layout="constrained")
    ax_stuck, ax_delta = fig.subplots(1, 2)
    for style, (title, result) in zip(("-", "--", ":"), runs.items()):
        for name, rows in result.items():
            e = np.arange(len(rows["saturated_wrong"]))
            label = f"{LOSS_LABELS[name]}, {title}"
            ax_stuck.plot(e, 100 * rows["saturated_wrong"], style, color=LOSS_COLORS[name],
                          label=label)
            ax_delta.plot(e, rows["delta_wrong"], style, color=LOSS_COLORS[name], label=label)
    ax_stuck.set(xlabel="epoch", ylabel="% of output units",
                 title="saturated (σ' < 0.01) and on the wrong side of ½")
    ax_delta.set(xlabel="epoch", ylabel=r"mean $|\delta_j^K|$", yscale="log",
                 title=r"mean $|\delta_j^K|$ on the units on the wrong side of ½")
    ax_stuck.legend(fontsize=7)
    return fig


# ------------------------------------------------------------------------------ lab
class DigitsLab(Lab):
    """Retrain on the bundled digits for the chosen η, hidden width n₁, epochs and loss
    (or both, from the same initial weights and batches): held-out accuracy per epoch,
    the confusion matrix of each net and its misclassified held-out digits.

    Mini-batch 10 and seed 0 always, so the figure and readout are a deterministic
    function of the controls."""

    retrains = True
    title = "retrain on handwritten digits: quadratic against cross entropy"
    figsize = (10.0, 5.6)
    batch_size = 10
    seed = 0
    shown = 8  # misclassified digits drawn per net

    def __init__(self, data=None, **initial):
        self.data = data if data is not None else load_digits()
        super().__init__(**initial)

    def controls_(self):
        return {
            "eta": widgets.FloatLogSlider(value=0.5, base=10, min=-2, max=1, step=0.1,
                                          description="η", readout_format=".3g"),
            "hidden": widgets.IntSlider(value=30, min=5, max=100, step=5,
                                        description="hidden n₁", continuous_update=False),
            "epochs": widgets.IntSlider(value=10, min=1, max=30, description="epochs",
                                        continuous_update=False),
            "loss": widgets.ToggleButtons(options=[("quadratic", "quadratic"),
                                                   ("cross entropy", "cross_entropy"),
                                                   ("both", "both")],
                                          value="both", description="loss"),
        }

    def train(self, eta, hidden, epochs, loss):
        """{loss name: (net, History)} for the losses these controls select."""
        names = LOSSES if loss == "both" else (loss,)
        return {name: train_digits(self.data, name, hidden=hidden, eta=eta, epochs=epochs,
                                   batch_size=self.batch_size, seed=self.seed)
                for name in names}

    def build(self, fig):
        grid = fig.add_gridspec(2, 3, height_ratios=(1.5, 1), hspace=0.45, wspace=0.3,
                                left=0.06, right=0.99, top=0.93, bottom=0.04)
        self.ax_acc = fig.add_subplot(grid[0, 0])
        self.ax_conf = {name: fig.add_subplot(grid[0, k + 1]) for k, name in enumerate(LOSSES)}
        self.ax_wrong = fig.add_subplot(grid[1, :])
        self.curves = {name: self.ax_acc.plot([], [], color=LOSS_COLORS[name], marker=".",
                                              label=LOSS_LABELS[name])[0] for name in LOSSES}
        self.ax_acc.set(ylim=(0, 1.01), xlabel="epoch", title="held-out accuracy")
        self.ax_acc.legend(loc="lower right", fontsize=8)
        self.conf_images, self.conf_titles = {}, {}
        for name, ax in self.ax_conf.items():
            self.conf_images[name] = ax.imshow(np.zeros((10, 10)), cmap="Blues", vmin=0,
                                               vmax=1, interpolation="nearest")
            ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit",
                   ylabel="true digit")
            ax.tick_params(labelsize=7)
            self.conf_titles[name] = ax.set_title("", fontsize=9, color=LOSS_COLORS[name])
        h, w = self.data.image_shape
        self.gap = gap = max(3, h // 2)  # room above each tile for its label
        mosaic, _ = tile(np.zeros((2 * self.shown, h * w)), (h, w), self.shown, gap=gap)
        self.wrong_image = self.ax_wrong.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1,
                                                interpolation="nearest")
        self.ax_wrong.set_axis_off()
        # Pixel (row, column) is centred on (column, row) in imshow's data coordinates.
        self.wrong_labels = [self.ax_wrong.text(c * (w + gap) + (w - 1) / 2,
                                                gap + r * (h + gap) - 0.7, "", ha="center",
                                                va="bottom", fontsize=8)
                             for r in range(2) for c in range(self.shown)]
        self.wrong_rows = [axes_text(self.ax_wrong, -0.005, 0.75 - 0.5 * r, "", ha="right",
                                     va="center", fontsize=8) for r in range(2)]
        axes_text(self.ax_wrong, 0.5, 1.02, "misclassified held-out digits (true → predicted)",
                  ha="center", va="bottom", fontsize=9)

    def draw(self, eta, hidden, epochs, loss):
        runs = self.train(eta, hidden, epochs, loss)
        e = np.arange(epochs + 1)
        labels = self.data.val_labels
        h, w = self.data.image_shape
        tiles, tile_labels, row_names = [], [], []
        rows = []
        for name in LOSSES:
            if name not in runs:
                self.curves[name].set_data([], [])
                self.conf_images[name].set_data(np.zeros((10, 10)))
                self.conf_titles[name].set_text(f"{LOSS_LABELS[name]}: not trained")
                continue
            net, history = runs[name]
            self.curves[name].set_data(e, history.val_accuracy)
            predicted = net.predict(self.data.X_val).argmax(axis=1)
            counts = confusion_matrix(labels, predicted)
            # Each row as a fraction of that digit's held-out samples.
            self.conf_images[name].set_data(counts / np.maximum(counts.sum(axis=1,
                                                                           keepdims=True), 1))
            wrong = np.flatnonzero(predicted != labels)
            self.conf_titles[name].set_text(f"{LOSS_LABELS[name]}: {len(wrong)} of "
                                            f"{len(labels)} wrong")
            per_row = self.shown if len(runs) == 2 else 2 * self.shown
            chosen = wrong[:per_row]
            tiles += [self.data.X_val[i] for i in chosen]
            tiles += [np.full(h * w, np.nan)] * (per_row - len(chosen))  # blank tiles
            tile_labels += [f"{labels[i]}→{predicted[i]}" for i in chosen]
            tile_labels += [""] * (per_row - len(chosen))
            row_names += [LOSS_LABELS[name]] * (per_row // self.shown)
            rows.append((f"{LOSS_LABELS[name]} after training",
                         f"{history.val_accuracy[-1]:.1%} right, loss {history.val_loss[-1]:.4f}"))
            rows.append((f"{LOSS_LABELS[name]} after epoch 1",
                         f"{history.val_accuracy[min(1, epochs)]:.1%} right"))
        mosaic, _ = tile(np.array(tiles), (h, w), self.shown, gap=self.gap)
        self.wrong_image.set_data(mosaic)
        for text, label in zip(self.wrong_labels, tile_labels):
            text.set_text(label)
        for text, name in zip(self.wrong_rows, row_names):
            text.set_text(name)
        self.ax_acc.set_xlim(0, max(epochs, 1))
        self.readout.value = readout_table([("η", f"{eta:.3g}"), ("hidden n₁", str(hidden)),
                                            ("epochs", str(epochs))] + rows)
