"""Activations of the lecture's units and their derivatives.

The sigmoid σ(θ) = 1 / (1 + e^{-θ}) is computed so that it never overflows: for
θ ≥ 0 as 1 / (1 + e^{-θ}), for θ < 0 as e^{θ} / (1 + e^{θ}). Either way the exponent
is -|θ| ≤ 0, so e^{-|θ|} lies in (0, 1] for every θ, float32 or float64.
"""

import numpy as np


def sigmoid(theta, out=None):
    """σ(θ), elementwise, without overflow for any finite θ.

    Returns an array of the same shape and floating dtype as ``theta`` (integers are
    promoted to float64). ``out``: an array to write σ(θ) into (it may be ``theta``
    itself, as the MLP's forward pass does, since a hidden θ^k is not needed again).

    σ(θ) = num / (1 + e^{−|θ|}) with num = 1 where θ ≥ 0 and num = e^{θ} = e^{−|θ|}
    where θ < 0. Since e^{−|θ|} ≤ 1, num = max(e^{−|θ|}, [θ ≥ 0]): a maximum rather
    than a per-element pick by the sign of θ (np.where), which on a large batch costs
    several times all the arithmetic here.
    """
    theta = np.asarray(theta)
    if not np.issubdtype(theta.dtype, np.floating):
        theta = theta.astype(np.float64)
    if out is None:
        out = np.empty_like(theta)
    e = np.abs(theta, out=np.empty_like(theta))
    np.negative(e, out=e)
    np.exp(e, out=e)  # e^{−|θ|} in (0, 1]: never overflows
    np.greater_equal(theta, 0, out=out)  # 1.0 where θ ≥ 0, else 0.0
    np.maximum(out, e, out=out)  # num
    e += 1
    return np.divide(out, e, out=out)


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


def tanh(theta, out=None):
    """tanh(θ), an alternative hidden activation (output in (−1, 1))."""
    return np.tanh(theta, out=out)


# Hidden units are differentiated through their output O, as the lecture writes
# σ'(θ) = O(1 − O). Each entry: name -> (f(θ, out=None), f'(θ) expressed through O = f(θ)).
HIDDEN_ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda O: O * (1 - O)),
    "tanh": (tanh, lambda O: 1 - O * O),
}
