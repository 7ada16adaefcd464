"""Checks for notebook 04's exercises: the multi-output δ^K and ∂C/∂W^K of the sigmoid
cross entropy, and a numerically stable softmax.

The gradient inputs have as many units in layer K−1 as outputs (n_{K−1} = M = 3):
then a transposed gradient or a y_i in place of y_j has the right shape, and the
check can name the index mistake instead of only reporting a shape.
"""

import numpy as np

from ..activations import sigmoid
from ..losses import CrossEntropyLoss, SoftmaxCrossEntropyLoss
from ._check import check_function


def _gradient_inputs():
    """Three (O^{K−1}, O^K, y) triples, N × 3 each: one-hot and multi-hot targets."""
    rng = np.random.default_rng(4)
    cases = []
    for N, multi_hot in ((5, False), (4, True), (6, False)):
        O_prev = sigmoid(rng.standard_normal((N, 3)))
        O = sigmoid(2 * rng.standard_normal((N, 3)))
        if multi_hot:
            y = (rng.random((N, 3)) < 0.5).astype(float)
        else:
            y = np.eye(3)[rng.integers(0, 3, N)]
        cases.append((O_prev, O, y))
    return cases


# ----------------------------------------------------------------------- δ^K
_delta = CrossEntropyLoss().delta_from_output  # the package's δ^K = O − y


DELTA_MISTAKES = {
    "kept σ': O(1 − O)(O − y) is the quadratic loss's δ^K. With cross entropy the σ'(θ) "
    "of the chain rule cancels against ∂C/∂O = (O − y)/(O(1 − O)): δ^K = O − y.":
        lambda O, y: O * (1 - O) * (O - y),
    "sign flip: δ^K = ∂C/∂θ^K is O − y; y − O points uphill.": lambda O, y: y - O,
}


def check_cross_entropy_delta(cross_entropy_delta):
    """Feedback on ``cross_entropy_delta(O, y)`` → δ^K (N × M) of the multi-output
    sigmoid cross entropy, O = O^K and y the targets (N × M)."""
    return check_function(cross_entropy_delta, _delta, DELTA_MISTAKES,
                          [(O, y) for _, O, y in _gradient_inputs()], "cross_entropy_delta",
                          "δ_j^K = o_j^K − y_j for every output unit j, each on its own.")


# ------------------------------------------------------------------ ∂C/∂W^K
def _weight_gradient(O_prev, O, y):
    return O_prev.T @ _delta(O, y) / O.shape[0]  # the ∂C/∂W^K of MLP.gradients


def _y_i_instead_of_y_j(O_prev, O, y):
    # [i, j] = 1/N Σ o_i^{K−1}(o_j − y_i): needs n_{K−1} = M to be computable at all.
    return (O_prev.T @ O - (O_prev * y).sum(axis=0)[:, None]) / O.shape[0]


WEIGHT_GRADIENT_MISTAKES = {
    "used y_i instead of y_j: the target belongs to output unit j, (o_j − y_j); i "
    "indexes units of layer K−1 (this is the slides' misprint).": _y_i_instead_of_y_j,
    "transposed W: entry [i, j] must be Σ o_i^{K−1}(o_j − y_j)/N, shaped like W^K "
    "(n_{K−1} × M): O_prevᵀ (O − y) / N, not (O − y)ᵀ O_prev / N.":
        lambda O_prev, O, y: (O - y).T @ O_prev / O.shape[0],
    "kept σ': O(1 − O) cancels in the cross-entropy δ^K; use δ^K = O − y.":
        lambda O_prev, O, y: O_prev.T @ (O * (1 - O) * (O - y)) / O.shape[0],
    "sign flip: the gradient is Σ o_i^{K−1}(o_j − y_j)/N; with (y_j − o_j) the update "
    "W ← W − η ∂C/∂W climbs the loss.":
        lambda O_prev, O, y: O_prev.T @ (y - O) / O.shape[0],
    "forgot 1/N: C is the mean over the N samples, so its gradient is the sum over "
    "samples divided by N.": lambda O_prev, O, y: O_prev.T @ (O - y),
}


def check_output_weight_gradient(output_weight_gradient):
    """Feedback on ``output_weight_gradient(O_prev, O, y)`` → ∂C/∂W^K (n_{K−1} × M),
    with O_prev = O^{K−1} (N × n_{K−1}), O = O^K and y (N × M)."""
    return check_function(output_weight_gradient, _weight_gradient, WEIGHT_GRADIENT_MISTAKES,
                          _gradient_inputs(), "output_weight_gradient",
                          "∂C/∂W_ij^K = 1/N Σ_X o_i^{K−1}(o_j^K − y_j), indexed like W^K.")


# ------------------------------------------------------------------- softmax
SOFTMAX_INPUTS = [
    (np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0], [3.0, 1.0, -2.0], [-0.3, 0.8, 0.1]]),),
    (np.array([[1000.0, 999.0, 990.0], [-1000.0, -1001.0, -1003.0]]),),  # exp over/underflows
    (np.array([[800.0, 801.0, 799.0], [0.0, -1.0, -2.0]]),),  # rows on very different scales
]


def _softmax_no_shift(theta):
    e = np.exp(theta)
    return e / e.sum(axis=1, keepdims=True)


def _softmax_global_shift(theta):
    e = np.exp(theta - theta.max())
    return e / e.sum(axis=1, keepdims=True)


def _softmax_columns(theta):
    e = np.exp(theta - theta.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


SOFTMAX_MISTAKES = {
    "no max shift: overflow. e^θ is inf in float64 for θ > 709.78 (and 0 for θ < −745), "
    "and inf/inf or 0/0 is nan. Subtract each row's max first: softmax(θ − max_k θ_k) = "
    "softmax(θ), and then every e^(θ_j − max) lies in (0, 1].": _softmax_no_shift,
    "shifted by the global max, not each row's max: a row far below the largest θ of the "
    "whole batch underflows to 0/0. Use theta.max(axis=1, keepdims=True).":
        _softmax_global_shift,
    "normalised over the wrong axis: each ROW (one sample's M outputs) must sum to 1; "
    "use axis=1 (with keepdims=True) for the max and the sum.": _softmax_columns,
}


def check_softmax(softmax):
    """Feedback on ``softmax(theta)`` → softmax of each row of θ (N × M), including
    rows with θ of ±1000, where the textbook formula overflows."""
    return check_function(softmax, SoftmaxCrossEntropyLoss().output, SOFTMAX_MISTAKES,
                          SOFTMAX_INPUTS, "softmax",
                          "each row sums to 1 and no exponent overflows: e^(θ_j − max_k θ_k).")
