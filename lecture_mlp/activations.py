"""Activations of the lecture's units and their derivatives.

The sigmoid σ(θ) = 1 / (1 + e^{-θ}) is computed so that it never overflows: for
θ ≥ 0 as 1 / (1 + e^{-θ}), for θ < 0 as e^{θ} / (1 + e^{θ}). Either way the exponent
is -|θ| ≤ 0, so e^{-|θ|} lies in (0, 1] for every θ, float32 or float64.
"""

import numpy as np


def sigmoid(theta):
    """σ(θ), elementwise, without overflow for any finite θ.

    Returns an array of the same shape and floating dtype as ``theta``
    (integers are promoted to float64).
    """
    theta = np.asarray(theta)
    if not np.issubdtype(theta.dtype, np.floating):
        theta = theta.astype(np.float64)
    e = np.exp(-np.abs(theta))  # in (0, 1]: never overflows
    return np.where(theta >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(theta.dtype, copy=False)


def sigmoid_prime(theta):
    """σ'(θ) = σ(θ)(1 − σ(θ)) = O(1 − O), elementwise; at most 1/4, at θ = 0.

    Computed as σ(θ)σ(−θ), since 1 − σ(θ) = σ(−θ): the same value, but the tails stay
    accurate (for θ ≳ 37 in float64, 1 − O rounds to 0 while σ(−θ) does not).
    """
    theta = np.asarray(theta)
    return sigmoid(theta) * sigmoid(-theta)


def log_sigmoid(theta):
    """log σ(θ) = −log(1 + e^{−θ}), finite for every finite θ (no log of 0)."""
    theta = np.asarray(theta)
    return -np.logaddexp(0, -theta)


def tanh(theta):
    """tanh(θ), an alternative hidden activation (output in (−1, 1))."""
    return np.tanh(theta)


# Hidden units are differentiated through their output O, as the lecture writes
# σ'(θ) = O(1 − O). Each entry: name -> (f(θ), f'(θ) expressed through O = f(θ)).
HIDDEN_ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda O: O * (1 - O)),
    "tanh": (tanh, lambda O: 1 - O * O),
}
