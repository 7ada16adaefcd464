"""Exercise checks for the two-class cross entropy (notebook 03).

1. ``check_cross_entropy(f)``: f(theta, y) -> C = −1/N Σ [y log o + (1 − y) log(1 − o)]
   with o = σ(θ), computed from θ so that it stays finite when the unit saturates.
2. ``check_gradient(f)``: f(X, W, y) -> ∂C/∂W = 1/N Σ x_i (o − y), o = σ(X W).
3. ``check_cross_entropy_of_output(f)``: f(o, y) -> −[y ln o + (1 − y) ln(1 − o)] per
   sample, with Nielsen's swapped form −[o ln y + (1 − o) ln(1 − y)] named.
"""

import numpy as np

from ..activations import sigmoid
from ._check import Feedback, check_function

# --- 1. the loss value from θ --------------------------------------------------------

# θ and y of shape (N,). The second and third inputs are saturated (|θ| = 40, where
# σ(θ) rounds to 1 in float64): a log of the rounded output is −inf there.
LOSS_INPUTS = [
    (np.array([-2.0, 0.5, 3.0]), np.array([0.0, 1.0, 1.0])),
    (np.array([40.0, -40.0, 1.0]), np.array([0.0, 1.0, 0.0])),
    (np.array([40.0, 0.3]), np.array([1.0, 0.0])),
]

NAIVE_LOG = ("naive log gives inf/nan at saturation: log(1 − σ(θ)) is log(0) = −inf once "
             "σ(θ) rounds to 1 (θ ≳ 37 in float64), and 0·(−inf) is nan. Compute from θ: "
             "log σ(θ) = −log(1 + e^{−θ}) = −np.logaddexp(0, −θ), "
             "log(1 − σ(θ)) = −np.logaddexp(0, θ).")


def cross_entropy_reference(theta, y):
    """C = mean over the N samples of y·log(1 + e^{−θ}) + (1 − y)·log(1 + e^{θ})."""
    return float(np.mean(y * np.logaddexp(0, -theta) + (1 - y) * np.logaddexp(0, theta)))


LOSS_MISTAKES = {
    "missing minus sign: the log-likelihood is maximised, so C = −(log-likelihood) is "
    "minimised; your C is negative.": lambda theta, y: -cross_entropy_reference(theta, y),
    "sum instead of mean: C carries the slides' 1/N (−1/N Σ over the samples).":
        lambda theta, y: len(theta) * cross_entropy_reference(theta, y),
}


def check_cross_entropy(student):
    """Feedback on student(theta, y) -> C (a float), θ and y of shape (N,)."""
    saturated = []

    def guarded(theta, y):
        # The naive version's log(0) must neither warn in the notebook nor be compared
        # as nan (nan ≠ nan); record it and name the mistake instead.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            value = student(theta.copy(), y.copy())
        try:
            if value is not None and not np.all(np.isfinite(np.asarray(value))):
                saturated.append(True)
        except (TypeError, ValueError):
            pass  # not a number: check_function reports it
        return value

    feedback = check_function(
        guarded, cross_entropy_reference, LOSS_MISTAKES, LOSS_INPUTS, "cross_entropy",
        "C matches for ordinary and saturated θ, and stays finite.")
    if not feedback.ok and saturated:
        return Feedback(False, NAIVE_LOG)
    return feedback


# --- 2. the gradient ∂C/∂W -----------------------------------------------------------

# X (N×n), W (n,), y (N,): columns of X differ, so a missing x_i cannot pass by luck.
GRADIENT_INPUTS = [
    (np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.3]]), np.array([0.4, -0.7]),
     np.array([1.0, 0.0, 1.0])),
    (np.array([[2.0, -0.5, 1.0], [0.2, 1.5, -2.0]]), np.array([1.2, 0.3, -0.4]),
     np.array([0.0, 1.0])),
]


def gradient_reference(X, W, y):
    """∂C/∂W_i = 1/N Σ_X x_i (o − y), o = σ(X W): shape (n,)."""
    o = sigmoid(X @ W)
    return X.T @ (o - y) / len(y)


def _sigma_prime_kept(X, W, y):
    o = sigmoid(X @ W)
    return X.T @ ((o - y) * o * (1 - o)) / len(y)


def _missing_x(X, W, y):
    o = sigmoid(X @ W)
    return np.full(W.shape, np.mean(o - y))


GRADIENT_MISTAKES = {
    "σ' kept: σ'(θ) = o(1 − o) cancels against the 1/(o(1 − o)) of ∂C/∂o; the cross-"
    "entropy gradient is x_i (o − y) with no σ' (that factor belongs to the quadratic "
    "loss).": _sigma_prime_kept,
    "sign flip (y − o): ∂C/∂W_i = +1/N Σ x_i (o − y); with (y − o) a descent step would "
    "climb the loss.": lambda X, W, y: -gradient_reference(X, W, y),
    "missing x_i: ∂θ/∂W_i = x_i, so each weight's gradient is weighted by its own input "
    "(your answer is the bias gradient 1/N Σ (o − y) for every weight).": _missing_x,
    "sum instead of mean: the slides' C has 1/N, so its gradient has it too.":
        lambda X, W, y: len(y) * gradient_reference(X, W, y),
}


def check_gradient(student):
    """Feedback on student(X, W, y) -> ∂C/∂W of shape (n,)."""

    def broadcast(X, W, y):
        # A scalar answer (np.mean(o - y)) is the usual form of a missing x_i: give it
        # W's shape so that the mistake is named instead of a shape mismatch.
        value = student(X.copy(), W.copy(), y.copy())
        if value is not None and not isinstance(value, (list, tuple)) and np.ndim(value) == 0:
            return np.full(W.shape, value)  # its dtype kept: text stays text
        return value

    return check_function(broadcast, gradient_reference, GRADIENT_MISTAKES, GRADIENT_INPUTS,
                          "cross_entropy_grad_W",
                          "∂C/∂W = 1/N Σ x_i (o − y): σ'(θ) has cancelled.")


# --- 3. which goes inside the log: o or y? (Nielsen's exercise) ----------------------

# o in (0, 1) as a sigmoid gives it; labels 0 and 1, and two soft labels so that the
# swapped form, finite there, is not the only way to be told apart.
OUTPUT_INPUTS = [
    (np.array([0.7, 0.2, 0.999, 0.01]), np.array([1.0, 0.0, 1.0, 0.0])),
    (np.array([0.3, 0.6, 0.9]), np.array([0.25, 0.8, 0.0])),
]

SWAPPED = ("o and y swapped: you wrote −[o ln y + (1 − o) ln(1 − y)]. With a label y = 0 "
           "or 1 it takes ln 0 = −∞: the loss is +∞ for every output o ≠ y and 0·∞, "
           "undefined (nan), at o = y, so there is neither a value nor a gradient to learn "
           "from. The label weights the logs of the output: −[y ln o + (1 − y) ln(1 − o)], "
           "and a sigmoid's o is never exactly 0 or 1.")


def output_cross_entropy_reference(o, y):
    """−[y ln o + (1 − y) ln(1 − o)] per sample, shape (N,)."""
    return -(y * np.log(o) + (1 - y) * np.log1p(-o))


def swapped_cross_entropy(o, y):
    """Nielsen's wrong form −[o ln y + (1 − o) ln(1 − y)]: inf or nan at y ∈ {0, 1}."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(o * np.log(y) + (1 - o) * np.log1p(-y))


def _same_including_nonfinite(got, want):
    try:
        got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-6, atol=1e-9,
                                                        equal_nan=True))


OUTPUT_MISTAKES = {
    "missing minus sign: C is the NEGATIVE log-likelihood (it is ≥ 0 and small when "
    "o is close to y); yours is ≤ 0.": lambda o, y: -output_cross_entropy_reference(o, y),
    "log base 10: the cross entropy uses the natural log (np.log); yours is C / ln 10.":
        lambda o, y: output_cross_entropy_reference(o, y) / np.log(10),
    "one term missing: −y ln o alone is 0 for every sample with y = 0, whatever o is; "
    "add −(1 − y) ln(1 − o).": lambda o, y: -y * np.log(o),
}


def check_cross_entropy_of_output(student):
    """Feedback on student(o, y) -> the per-sample cross entropy, shape (N,)."""
    answers = []

    def guarded(o, y):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            value = student(o.copy(), y.copy())
        answers.append(value)
        return value

    feedback = check_function(
        guarded, output_cross_entropy_reference, OUTPUT_MISTAKES, OUTPUT_INPUTS,
        "cross_entropy_of_output",
        "C = −[y ln o + (1 − y) ln(1 − o)]: the label weights the logs of the output.")
    if feedback.ok or len(answers) != len(OUTPUT_INPUTS):
        return feedback
    if all(_same_including_nonfinite(a, swapped_cross_entropy(*args))
           for a, args in zip(answers, OUTPUT_INPUTS)):
        return Feedback(False, SWAPPED)
    return feedback
