"""Checks for notebook 05's exercises: stable losses from θ, and the hidden delta.

Each check runs the reader's function on fixed inputs, some of them saturated
(|θ| up to 1000), under ``np.errstate(all="ignore")``: a naive formula then returns
inf or NaN instead of warning, and the feedback names the mistake.
"""

import numpy as np

from .. import numerics
from ..activations import sigmoid_prime
from ..losses import SoftmaxCrossEntropyLoss
from ._check import check_function

# --------------------------------------------------------------- exercise 1
# θ and y chosen so that the naive formula gives inf (never NaN) where it fails, so
# that it can be recognised: θ = ±1000 and 40 sit on the wrong side of their target.
CROSS_ENTROPY_INPUTS = [
    (np.array([-1000.0, -30.0, -2.0, 0.0, 0.5, 3.0, 40.0, 1000.0]),
     np.array([1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0])),
    (np.array([[-4.0, 2.5], [7.0, -0.3]]), np.array([[0.0, 1.0], [1.0, 0.0]])),
]

CROSS_ENTROPY_MISTAKES = {
    "naive log: inf at saturation. σ(θ) rounds to exactly 0 or 1 for large |θ| (from "
    "θ = 37 in float64), and log 0 = −inf. Never take the log of σ(θ): write "
    "log σ(θ) = −np.logaddexp(0, −θ) and log(1 − σ(θ)) = −np.logaddexp(0, θ).":
        numerics.naive_cross_entropy,
    "sign flip: this is the log-likelihood y log σ(θ) + (1 − y) log(1 − σ(θ)); the loss "
    "C is its negative, and it is ≥ 0.":
        lambda theta, y: -numerics.theta_cross_entropy(theta, y),
    "sign flip of θ inside np.logaddexp: log σ(θ) = −log(1 + e^{−θ}) = "
    "−np.logaddexp(0, −θ), and log(1 − σ(θ)) = −np.logaddexp(0, θ).":
        lambda theta, y: numerics.theta_cross_entropy(-np.asarray(theta), y),
}


def check_cross_entropy_from_theta(cross_entropy_from_theta):
    """Feedback on C(θ, y) = −[y log σ(θ) + (1 − y) log(1 − σ(θ))], elementwise from θ."""
    with np.errstate(all="ignore"):
        return check_function(
            cross_entropy_from_theta, numerics.theta_cross_entropy, CROSS_ENTROPY_MISTAKES,
            CROSS_ENTROPY_INPUTS, "cross_entropy_from_theta",
            "finite and exact for every θ, as the package's CrossEntropyLoss.")


# --------------------------------------------------------------- exercise 2
def reference_log_softmax(theta):
    """log softmax(θ) row by row, N×M, from the package: log softmax_j(θ) is minus the
    softmax cross entropy of θ against the one-hot target e_j."""
    theta = np.asarray(theta, dtype=np.float64)
    loss = SoftmaxCrossEntropyLoss()
    columns = [-loss.per_sample(theta, np.tile(e_j, (len(theta), 1)))
               for e_j in np.eye(theta.shape[1])]
    return np.column_stack(columns)


def _no_shift(theta):
    return theta - np.log(np.sum(np.exp(theta), axis=1, keepdims=True))


def _log_of_softmax(theta):
    return np.log(SoftmaxCrossEntropyLoss().output(theta))


def _column_max(theta):
    shifted = theta - theta.max(axis=0, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


LOG_SOFTMAX_INPUTS = [
    (np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -5.0], [-1000.0, 0.0, 2.0]]),),
    (np.array([[0.5, -0.5, 0.0], [3.0, 3.0, -800.0]]),),
]

LOG_SOFTMAX_MISTAKES = {
    "no max shift: overflow. e^θ is inf for θ > 709 (float64), so log Σ e^θ is inf; "
    "subtract each row's max m first: θ − m − log Σ e^{θ − m}.": _no_shift,
    "log of the softmax: the shift removes the overflow, but e^{θ − m} underflows to 0 "
    "for very negative θ − m and log 0 = −inf. Never form softmax first: "
    "θ − m − log Σ e^{θ − m}.": _log_of_softmax,
    "max over the wrong axis: subtract each ROW's max, theta.max(axis=1, keepdims=True); "
    "log softmax is unchanged only by a shift that is the same for every entry of a row.":
        _column_max,
    "missing − log Σ e^{θ − m}: θ − m is the shifted logit, not the log-probability.":
        lambda theta: theta - theta.max(axis=1, keepdims=True),
}


def check_log_softmax(log_softmax):
    """Feedback on log softmax(θ) of an N×M array θ, row by row."""
    with np.errstate(all="ignore"):
        return check_function(
            log_softmax, reference_log_softmax, LOG_SOFTMAX_MISTAKES, LOG_SOFTMAX_INPUTS,
            "log_softmax", "finite for every row, as the package's SoftmaxCrossEntropyLoss.")


# --------------------------------------------------------------- exercise 3
def reference_hidden_delta(O, W_next, delta_next):
    """δ^k = O^k(1 − O^k) ⊙ (δ^{k+1} W^{k+1}ᵀ): the recursion of ``MLP._backward``.

    O: N × n_k, the layer's outputs O^k = σ(θ^k); W_next: n_k × n_{k+1}
    (W^{k+1}[i, j] = W_ij^{k+1}); delta_next: N × n_{k+1}. Returns N × n_k.
    The argument order is that of ``hidden_delta`` in every notebook.
    """
    return (delta_next @ W_next.T) * O * (1 - O)


_rng = np.random.default_rng(5)
# W^{k+1} is square here so that forgetting the transpose gives numbers, not an error,
# and the mistake can be named.
# Drawn in the order δ^{k+1}, W^{k+1}, O^k (the draws fix the inputs), passed as
# (O, W_next, delta_next).
HIDDEN_DELTA_INPUTS = [
    (d, W, O)[::-1] for d, W, O in
    ((_rng.standard_normal((4, 3)), _rng.standard_normal((3, 3)),
      _rng.uniform(0.05, 0.95, (4, 3))) for _ in range(2))
]

HIDDEN_DELTA_MISTAKES = {
    "missing σ': the cross entropy cancels σ'(θ^K) at the output only; a hidden layer "
    "keeps the factor O^k(1 − O^k) whatever the loss.":
        lambda O, W, d: d @ W.T,
    "σ' evaluated at O: O^k is already σ(θ^k), so σ'(θ^k) = O^k(1 − O^k), not "
    "σ'(O^k) = σ(O^k)(1 − σ(O^k)).":
        lambda O, W, d: (d @ W.T) * sigmoid_prime(O),
    "wrong index: W^{k+1} has shape n_k × n_{k+1} (W[i, j] from unit i of layer k to unit "
    "j of layer k+1), so δ^{k+1} goes back through its transpose: delta_next @ W_next.T.":
        lambda O, W, d: (d @ W) * O * (1 - O),
}


def check_hidden_delta(hidden_delta):
    """Feedback on ``hidden_delta(O, W_next, delta_next)`` → δ^k (N × n_k) from O^k,
    W^{k+1} and δ^{k+1}."""
    with np.errstate(all="ignore"):
        return check_function(
            hidden_delta, reference_hidden_delta, HIDDEN_DELTA_MISTAKES, HIDDEN_DELTA_INPUTS,
            "hidden_delta", "the recursion in MLP._backward, σ'(θ^k) = O^k(1 − O^k) kept.")
