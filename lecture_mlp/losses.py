"""The lecture's losses at the output layer K, with one interface.

Each loss takes the output pre-activations θ^K (N samples × M outputs, one sample
per row) and targets t of the same shape, and offers

- ``output(theta)``: O^K, the output layer's activations;
- ``value(theta, t)``: the MEAN over the N samples of the per-sample loss, computed
  from θ so that it stays finite and accurate when the output saturates;
- ``delta(theta, t)``: δ^K = ∂(per-sample loss)/∂θ^K, shape N×M. The gradient of
  ``value`` with respect to θ^K is therefore ``delta / N``.

Only one line of backprop depends on the loss: δ^K. Everything else (the hidden
recursion, the weight gradients, the update) is the same for all three.
"""

import numpy as np

from .activations import sigmoid
from .validation import as_float_array, as_float_matrix, check_same_shape, check_unit_interval


class Loss:
    """Shared checks; subclasses define ``_output``, ``_per_sample`` and
    ``delta_from_output`` (the public methods check their arguments, the underscored
    ones are the unchecked maths that the MLP's hot paths call)."""

    name = ""

    def output(self, theta):
        """O^K, the output activation of θ^K (any shape; a real, finite array)."""
        return self._output(as_float_array(theta, "theta"))

    def _output(self, theta):
        raise NotImplementedError

    def value(self, theta, t):
        """Mean over the N rows of the per-sample loss (a Python float)."""
        theta, t = self.check(theta, t)
        return mean(self._per_sample(theta, t))

    def per_sample(self, theta, t):
        """The loss of each sample, shape (N,)."""
        theta, t = self.check(theta, t)
        return self._per_sample(theta, t)

    def delta(self, theta, t):
        """δ^K = ∂(per-sample loss)/∂θ^K, shape N×M."""
        theta, t = self.check(theta, t)
        return self._delta(theta, t)

    def _delta(self, theta, t):
        return self.delta_from_output(self._output(theta), t)

    def delta_from_output(self, O, t):
        """δ^K written with the output O^K = output(θ^K), as the slides write it."""
        raise NotImplementedError

    def check(self, theta, t):
        """Validate θ^K and t; return them as float arrays of θ's dtype.

        θ^K must have at least one sample (row) and one output (column): the mean over
        no samples is undefined, so an empty θ is a ValueError rather than a NaN.
        """
        theta = as_float_matrix(theta, "theta")
        if theta.shape[0] == 0 or theta.shape[1] == 0:
            raise ValueError(f"theta must have at least one sample (row) and one output "
                             f"(column), got shape {theta.shape}")
        t = as_float_matrix(t, "t", dtype=theta.dtype)
        check_same_shape(t, theta)
        self._check_targets(t)
        return theta, t

    def _check_targets(self, t):
        check_unit_interval(t)

    def __repr__(self):
        return f"{type(self).__name__}()"


class QuadraticLoss(Loss):
    """E = ½ Σ_j (O_j^K − t_j)², per sample; ``value`` is its mean over the N samples.

    δ_j^K = σ'(θ_j^K)(O_j^K − t_j) = O_j^K(1 − O_j^K)(O_j^K − t_j): the factor σ'(θ)
    is at most 1/4 and near 0 when the unit saturates, which slows learning.
    """

    name = "quadratic"

    def _output(self, theta):
        return sigmoid(theta)

    def _per_sample(self, theta, t):
        O = sigmoid(theta)
        return 0.5 * np.sum((O - t) ** 2, axis=1)

    def delta_from_output(self, O, t):
        sigma_prime = O * (1 - O)  # σ'(θ): the culprit of the learning slowdown
        return sigma_prime * (O - t)


class CrossEntropyLoss(Loss):
    """C = −Σ_j [t_j log O_j + (1 − t_j) log(1 − O_j)] with sigmoid outputs O = σ(θ).

    Per sample; ``value`` is its mean over the N samples (the slides' −1/N Σ_X). One
    output is the slides' two-class loss; M outputs their "multiclass" loss with
    independent sigmoids (a multi-label model). Computed from θ, since
    −log σ(θ) = log(1 + e^{−θ}) and −log(1 − σ(θ)) = log(1 + e^{θ}) (``np.logaddexp``),
    finite for every finite θ; no log of a rounded 0 or 1.

    δ^K = O − t: the σ'(θ) of the chain rule cancels against the 1/(O(1 − O)) of ∂C/∂O.
    """

    name = "cross_entropy"

    def _output(self, theta):
        return sigmoid(theta)

    def _per_sample(self, theta, t):
        # t·(−log σ(θ)) + (1 − t)·(−log(1 − σ(θ))); this form has no cancellation.
        return np.sum(t * np.logaddexp(0, -theta) + (1 - t) * np.logaddexp(0, theta), axis=1)

    def delta_from_output(self, O, t):
        return O - t  # σ'(θ) cancelled: the step is proportional to the error


class SoftmaxCrossEntropyLoss(Loss):
    """C = −Σ_j t_j log softmax(θ)_j, per sample; ``value`` is its mean over N samples.

    Targets are probability vectors (rows in [0, 1] summing to 1, usually one-hot).
    log softmax is computed with the per-row max subtracted, so it never overflows.
    δ^K = softmax(θ) − t: the same (O − t) as the sigmoid cross entropy.
    """

    name = "softmax_cross_entropy"

    def output(self, theta):
        """softmax(θ) over the last axis (θ real and finite, at least 1-D)."""
        theta = as_float_array(theta, "theta")
        if theta.ndim == 0 or theta.shape[-1] == 0:
            raise ValueError(f"theta must have at least one output along its last axis, "
                             f"got shape {theta.shape}")
        return self._output(theta)

    def _output(self, theta):
        # exp(·) ≤ 1: no overflow. θ_j − max can still overflow to −inf when θ spans more
        # than the largest float (1e308 and −1e308); e^{−inf} = 0 is then the right answer.
        with np.errstate(over="ignore"):
            shifted = theta - theta.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=-1, keepdims=True)

    def _per_sample(self, theta, t):
        with np.errstate(over="ignore"):  # as in _output: θ_j − max may be −inf
            shifted = theta - theta.max(axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        # Only the classes with t_j > 0 count (t_j log softmax_j with t_j = 0 is 0, also
        # where log softmax_j = −inf): no 0·(−inf) = NaN. Where the target's own log
        # softmax is −inf (θ 1e308 against −1e308) the loss is inf, its float64 rounding.
        terms = np.multiply(t, log_softmax, out=np.zeros_like(log_softmax), where=t != 0)
        return -np.sum(terms, axis=1)

    def delta_from_output(self, O, t):
        return O - t

    def _check_targets(self, t):
        check_unit_interval(t)
        sums = t.sum(axis=1)
        tol = 1e-6 if t.dtype == np.float64 else 1e-4
        bad = np.flatnonzero(np.abs(sums - 1) > tol)
        if bad.size:
            raise ValueError(
                f"t: each row of softmax targets must sum to 1, row {bad[0]} sums to "
                f"{sums[bad[0]]:.6g}"
            )


def mean(per_sample):
    """The mean of the per-sample losses as a float; finite wherever they all are (for
    losses near the largest float, whose plain sum would overflow, it divides first)."""
    with np.errstate(over="ignore"):
        value = np.mean(per_sample)
    if not np.isfinite(value):
        value = np.sum(per_sample / per_sample.size)
    return float(value)


LOSSES = {cls.name: cls for cls in (QuadraticLoss, CrossEntropyLoss, SoftmaxCrossEntropyLoss)}


def get_loss(loss):
    """A loss object from an instance or a name ('quadratic', 'cross_entropy',
    'softmax_cross_entropy'); anything else is a ValueError."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]()
    raise ValueError(f"loss must be one of {sorted(LOSSES)} or a Loss instance, got {loss!r}")


class LinearQuadraticLoss(Loss):
    """E = ½ Σ_j (O_j^K − t_j)² with LINEAR output units, O^K = θ^K (no sigmoid).

    Per sample; ``value`` is its mean over the N samples. It is the negative
    log-likelihood of a Gaussian target t ~ N(O, 1), up to a constant, so t may be
    any real number. δ^K = ∂E/∂θ^K = O − t: the identity's slope is 1, so there is
    no σ' to cancel. The quadratic loss is slow only at sigmoid outputs.
    (For notebook 04's table of output units and losses; not one of ``LOSSES``.)
    """

    name = "linear_quadratic"

    def _output(self, theta):
        return theta

    def _per_sample(self, theta, t):
        return 0.5 * np.sum((theta - t) ** 2, axis=1)

    def delta_from_output(self, O, t):
        return O - t  # the identity's derivative is 1: nothing multiplies the error

    def _check_targets(self, t):
        pass  # real-valued targets: as_float_matrix has checked that they are finite
