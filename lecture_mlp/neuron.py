"""The lecture's single sigmoid neuron, trained by gradient descent on w and b.

One input x, one output O = σ(θ) with θ = w x + b, one target y. Each epoch is one
gradient step on the single sample (N = 1):

    ∂C/∂w = δ x,   ∂C/∂b = δ,   with δ = ∂C/∂θ from the loss:
    quadratic      δ = σ'(θ)(O − y)     (σ'(θ) slows a saturated unit)
    cross entropy  δ = O − y            (σ'(θ) cancelled)

The run is vectorised over starting points: w0 and b0 broadcast together, so a
50×50 grid of starts costs about as much as one.

Epoch convention: index 0 of every array is the start (before any update); index e
is the state after e updates, so ``output[e]`` is the output after e epochs and
``grad_w[e]`` the gradient taken at that state.
"""

from functools import cached_property

import numpy as np

from .activations import sigmoid
from .losses import SoftmaxCrossEntropyLoss, get_loss
from .validation import as_float_array, check_count, check_positive, check_real


class NeuronRun:
    """A run's arrays, each of shape (epochs + 1, *broadcast shape of w0 and b0).

    ``w``, ``b`` and ``output`` O = σ(w x + b) are recorded while training; ``cost``
    (the loss C at (w, b)), ``grad_w`` = ∂C/∂w and ``grad_b`` = ∂C/∂b = δ are computed
    from them on first access, all epochs at once.
    """

    def __init__(self, w, b, output, x, y, loss):
        self.w, self.b, self.output = w, b, output
        self.x, self.y, self.loss = x, y, loss

    @cached_property
    def _theta_t(self):
        theta = (self.w * self.x + self.b).reshape(-1, 1)
        return theta, np.full_like(theta, self.y)

    @cached_property
    def cost(self):
        return self.loss._per_sample(*self._theta_t).reshape(self.w.shape)

    @cached_property
    def grad_b(self):
        return self.loss._delta(*self._theta_t).reshape(self.w.shape)

    @cached_property
    def grad_w(self):
        return self.grad_b * self.x

    def epochs_to_learn(self, threshold=0.5):
        """First epoch at which the output is on the target's side of ``threshold``
        (below it for y < threshold, above it otherwise); epochs + 1 where it never is."""
        reached = self.output < threshold if self.y < threshold else self.output > threshold
        first = np.argmax(reached, axis=0)
        return np.where(reached.any(axis=0), first, self.output.shape[0])


def simulate(w0, b0, *, x=1.0, y=0.0, eta=0.15, epochs=300, loss):
    """Train the single neuron from (w0, b0); return a NeuronRun.

    ``loss``: 'quadratic', 'cross_entropy' or a sigmoid-output Loss instance.
    ``x`` input, ``y`` target in [0, 1], ``eta`` η > 0, ``epochs`` ≥ 0 steps.
    """
    loss = get_loss(loss)
    if isinstance(loss, SoftmaxCrossEntropyLoss):
        raise ValueError("loss must have a sigmoid output for a single neuron "
                         "('quadratic' or 'cross_entropy'); a one-unit softmax is constant 1")
    x = check_real(x, "x")
    y = check_real(y, "y")
    if not 0 <= y <= 1:
        raise ValueError(f"y must lie in [0, 1] for a sigmoid output, got {y!r}")
    eta = check_positive(eta, "eta")
    epochs = check_count(epochs, "epochs", 0)
    w0, b0 = as_float_array(w0, "w0"), as_float_array(b0, "b0")
    try:
        w, b = np.broadcast_arrays(w0.astype(np.float64), b0.astype(np.float64))
    except ValueError as exc:
        raise ValueError(f"w0 and b0 must broadcast together, got shapes {w0.shape} and "
                         f"{b0.shape}") from exc
    if w.size == 0:
        raise ValueError(f"w0 and b0 must give at least one starting point, got shapes "
                         f"{w0.shape} and {b0.shape}")
    shape = w.shape
    ws, bs, outs = (np.empty((epochs + 1, w.size, 1)) for _ in range(3))
    ws[0], bs[0] = w.reshape(-1, 1), b.reshape(-1, 1)  # a column: N×M with M = 1
    t = np.full_like(ws[0], y)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is an error below
        for e in range(epochs + 1):
            O = outs[e] = sigmoid(ws[e] * x + bs[e])
            if e < epochs:
                delta = loss.delta_from_output(O, t)  # δ = ∂C/∂θ
                ws[e + 1] = ws[e] - eta * x * delta  # ∂C/∂w = δ x
                bs[e + 1] = bs[e] - eta * delta  # ∂C/∂b = δ
        # The costs are computed from θ = w x + b (NeuronRun): it must be finite, and it
        # is unless |x| (or η) is so large that w x overflows float64. A bound from four
        # reductions, instead of θ itself (a pass that writes as much as the whole run).
        theta_bound = (max(ws.max(), -ws.min()) * abs(x) + max(bs.max(), -bs.min()))
    if not np.isfinite(theta_bound):
        raise ValueError(f"x = {x:g} is too large for this run: θ = w x + b overflows float64 "
                         f"(|θ| > 1.8e308), so the costs would be inf or NaN; use a smaller "
                         f"|x| (or eta)")
    return NeuronRun(ws.reshape(-1, *shape), bs.reshape(-1, *shape), outs.reshape(-1, *shape),
                     x, y, loss)
