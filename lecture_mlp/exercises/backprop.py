"""Exercise checks for notebook 01 (backprop with the squared error).

Each check runs the reader's function on fixed, seeded inputs and compares it with
the lecture's formula; a known mistake is named (see ``_check.check_function``).
Shapes follow the package: samples are rows, W^k is n_{k−1} × n_k.
"""

import numpy as np

from ..activations import sigmoid
from ._check import check_function

_rng = np.random.default_rng(2024)  # fixed inputs: the same feedback on every run


def _outputs(*shape):
    """Unit outputs O in (0.05, 0.95), away from the ends where O(1 − O) ≈ 0."""
    return _rng.uniform(0.05, 0.95, shape)


# --------------------------------------------------------------- quadratic output delta δ^K
def quadratic_delta_reference(O, t):
    """δ_j^K = O_j^K (1 − O_j^K)(O_j^K − t_j) for E = ½ Σ_j (O_j^K − t_j)²; N × n_K."""
    return O * (1 - O) * (O - t)


QUADRATIC_DELTA_MISTAKES = {
    "missing σ'(θ): δ^K = O(1 − O)(O − t); without the factor O(1 − O) you have the "
    "cross-entropy delta O − t.": lambda O, t: O - t,
    "sign flip (t − O): the derivative of ½(O − t)² with respect to O is O − t, "
    "not t − O.": lambda O, t: O * (1 - O) * (t - O),
    "missing σ'(θ) and sign flip (t − O): δ^K = O(1 − O)(O − t).": lambda O, t: t - O,
    "σ' applied to O instead of θ: σ(O)(1 − σ(O)) is not σ'(θ); since O = σ(θ), "
    "σ'(θ) = O(1 − O).": lambda O, t: sigmoid(O) * (1 - sigmoid(O)) * (O - t),
}

_OUTPUT_INPUTS = [(_outputs(4, 1), _rng.integers(0, 2, (4, 1)).astype(float)),
                  (_outputs(5, 3), _rng.uniform(0, 1, (5, 3)))]


def check_quadratic_delta(quadratic_delta):
    """Check ``quadratic_delta(O, t)`` -> δ^K (N × n_K) for the squared error at sigmoid
    outputs (the name and signature notebook 02 uses too)."""
    return check_function(quadratic_delta, quadratic_delta_reference, QUADRATIC_DELTA_MISTAKES,
                          _OUTPUT_INPUTS, "quadratic_delta",
                          "δ^K = O(1 − O)(O − t), the lecture's output delta.")


# --------------------------------------------------------------- hidden delta δ^k
def hidden_delta_reference(O, W_next, delta_next):
    """δ_i^k = O_i^k (1 − O_i^k) Σ_j W_ij^{k+1} δ_j^{k+1}, i.e. (δ^{k+1} W^{k+1}ᵀ) ⊙ O^k(1 − O^k).

    O: O^k (N × n_k); W_next: W^{k+1} (n_k × n_{k+1}); delta_next: δ^{k+1} (N × n_{k+1}).
    """
    return O * (1 - O) * (delta_next @ W_next.T)


HIDDEN_DELTA_MISTAKES = {
    "used W instead of Wᵀ / wrong index: the sum runs over j, the units of layer k+1, "
    "with W_ij^{k+1} (i fixed): in matrix form δ^{k+1} W^{k+1}ᵀ.":
        lambda O, W, d: O * (1 - O) * (d @ W),
    "missing σ'(θ^k): the hidden delta keeps the factor O^k(1 − O^k) for every loss.":
        lambda O, W, d: d @ W.T,
    "missing σ'(θ^k) and used W instead of Wᵀ / wrong index.": lambda O, W, d: d @ W,
    "σ' applied to O instead of θ: since O^k = σ(θ^k), σ'(θ^k) = O^k(1 − O^k).":
        lambda O, W, d: sigmoid(O) * (1 - sigmoid(O)) * (d @ W.T),
}

# n_k = n_{k+1} in every input: with a square W^{k+1}, δ^{k+1} W^{k+1} (the wrong index)
# still runs, so the check can name that mistake instead of reporting a shape error.
_HIDDEN_INPUTS = [(_outputs(4, 3), _rng.normal(0, 1, (3, 3)), _rng.normal(0, 0.2, (4, 3))),
                  (_outputs(2, 2), _rng.normal(0, 1, (2, 2)), _rng.normal(0, 0.2, (2, 2)))]


def check_hidden_delta(hidden_delta):
    """Check ``hidden_delta(O, W_next, delta_next)`` -> δ^k (N × n_k)."""
    return check_function(hidden_delta, hidden_delta_reference, HIDDEN_DELTA_MISTAKES,
                          _HIDDEN_INPUTS, "hidden_delta",
                          "δ^k = (δ^{k+1} W^{k+1}ᵀ) ⊙ O^k(1 − O^k), the lecture's recursion.")


# --------------------------------------------------------------- the update W^k
def weight_step_reference(W, O_prev, delta, eta):
    """W_ij^k ← W_ij^k − η (1/N) Σ_X δ_j^k O_i^{k−1}, i.e. W − η O^{k−1}ᵀ δ^k / N.

    W: W^k (n_{k−1} × n_k); O_prev: O^{k−1} (N × n_{k−1}); delta: δ^k (N × n_k).
    """
    return W - eta * O_prev.T @ delta / O_prev.shape[0]


WEIGHT_STEP_MISTAKES = {
    "missing 1/N: the loss is the mean over the N samples, so its gradient is "
    "O^{k−1}ᵀ δ^k / N, not the sum.": lambda W, O, d, eta: W - eta * O.T @ d,
    "sign flip (+η): gradient descent steps against the gradient, W − η ∂C/∂W.":
        lambda W, O, d, eta: W + eta * O.T @ d / O.shape[0],
}

_STEP_INPUTS = [(_rng.normal(0, 1, (3, 2)), _outputs(5, 3), _rng.normal(0, 0.2, (5, 2)), 0.5),
                (_rng.normal(0, 1, (2, 1)), _outputs(4, 2), _rng.normal(0, 0.2, (4, 1)), 2.0)]


def check_weight_step(weight_step):
    """Check ``weight_step(W, O_prev, delta, eta)`` -> the updated W^k (n_{k−1} × n_k)."""
    return check_function(weight_step, weight_step_reference, WEIGHT_STEP_MISTAKES,
                          _STEP_INPUTS, "weight_step",
                          "W^k ← W^k − η O^{k−1}ᵀ δ^k / N, the lecture's update averaged "
                          "over the N samples.")
