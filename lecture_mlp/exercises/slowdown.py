"""Checks for the exercises of notebook 02, "the problem with the quadratic loss".

Each exercise asks for one line of the single neuron's backprop, written with the
output O = σ(θ) and the target (arrays of the same shape, or floats). The target is
t with the squared error E and y with the cross entropy C, as in the lecture's two
parts; the names and signatures are the ones every notebook uses:

- ``quadratic_delta(O, t)``: δ = ∂E/∂θ for E = ½(O − t)², i.e. O(1 − O)(O − t);
- ``cross_entropy_delta(O, y)``: δ = ∂C/∂θ for C = −y log O − (1 − y) log(1 − O),
  i.e. O − y;
- ``cross_entropy_grad_w(O, y, x)``: ∂C/∂w = δ x for the input x.

The checks recognise the usual mistakes by name.
"""

import numpy as np

from ._check import check_function

# Outputs away from 0, 1/2 and 1 and targets away from the outputs, so that every
# known mistake gives values different from the right answer and from each other.
_O = np.array([0.12, 0.35, 0.62, 0.93])
_INPUTS = [(_O, np.zeros(4)), (_O, np.ones(4)), (_O, np.array([0.0, 1.0, 0.25, 0.5])),
           (0.7, 0.0)]
_X = np.array([1.0, -0.5, 2.0, 1.5])
_INPUTS_X = [(O, t, _X if np.ndim(O) else 1.5) for O, t in _INPUTS]


def _quadratic(O, t):
    return O * (1 - O) * (O - t)


def _cross_entropy(O, t):
    return O - t


def check_quadratic_delta(quadratic_delta):
    """Feedback on ``quadratic_delta(O, t)``, which should return O(1 − O)(O − t)."""
    return check_function(
        quadratic_delta, _quadratic,
        mistakes={
            "missing σ'(θ): O − t is the cross-entropy delta; the chain rule through "
            "O = σ(θ) multiplies ∂E/∂O = O − t by σ'(θ) = O(1 − O).": _cross_entropy,
            "sign flipped (t − O): ∂E/∂O = O − t for E = ½(O − t)²; with t − O gradient "
            "descent would climb the error.": lambda O, t: O * (1 - O) * (t - O),
            "missing σ'(θ) and sign flipped: you wrote t − O.": lambda O, t: t - O,
            "σ'(θ) written as (1 − O)²: σ'(θ) = σ(θ)(1 − σ(θ)) = O(1 − O).":
                lambda O, t: (1 - O) ** 2 * (O - t),
        },
        inputs=_INPUTS, name="quadratic_delta",
        success="δ = O(1 − O)(O − t): the factor σ'(θ) = O(1 − O) is at most 1/4 and "
                "near 0 when the neuron saturates.")


def check_cross_entropy_delta(cross_entropy_delta):
    """Feedback on ``cross_entropy_delta(O, y)``, which should return O − y."""
    return check_function(
        cross_entropy_delta, _cross_entropy,
        mistakes={
            "σ'(θ) kept: that's the quadratic delta shape O(1 − O)(O − y). For cross "
            "entropy ∂C/∂O = (O − y)/(O(1 − O)), and its denominator cancels σ'(θ).":
                lambda O, y: O * (1 - O) * (O - y),
            "sign flipped (y − O): δ = ∂C/∂θ = O − y; with y − O gradient descent would "
            "climb the loss.": lambda O, y: y - O,
            "that is ∂C/∂O = (O − y)/(O(1 − O)), not δ = ∂C/∂θ: multiply by "
            "σ'(θ) = O(1 − O) (then it cancels).": lambda O, y: (O - y) / (O * (1 - O)),
        },
        inputs=_INPUTS, name="cross_entropy_delta",
        success="δ = O − y: σ'(θ) cancelled, so the step is proportional to the error.")


def check_cross_entropy_grad_w(cross_entropy_grad_w):
    """Feedback on ``cross_entropy_grad_w(O, y, x)``, which should return (O − y) x."""
    return check_function(
        cross_entropy_grad_w, lambda O, y, x: (O - y) * x,
        mistakes={
            "missing x: that is ∂C/∂b = δ. θ = w x + b, so ∂θ/∂w = x and ∂C/∂w = δ x "
            "(the lecture's O_i^{K−1}).": lambda O, y, x: O - y,
            "σ'(θ) kept: that is the quadratic gradient O(1 − O)(O − y) x.":
                lambda O, y, x: O * (1 - O) * (O - y) * x,
            "sign flipped (y − O): ∂C/∂w = (O − y) x.": lambda O, y, x: (y - O) * x,
        },
        inputs=_INPUTS_X, name="cross_entropy_grad_w",
        success="∂C/∂w = (O − y) x: the lecture's 1/N Σ x_i (o − y) for one sample.")
