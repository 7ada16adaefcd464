"""Teaching comparisons: naive and patched ways to compute the cross entropy.

NOT the package's losses. These functions exist so that notebook 05 can show what
goes wrong when the loss is computed from the rounded output O = σ(θ) instead of
from θ. The package's own losses (``lecture_mlp.losses``) compute from θ and never
produce inf or NaN; the functions here do, on purpose, and return inf/NaN as values
(their floating-point warnings are silenced with ``np.errstate``, so a lab can show
"inf" and "nan" as plain text instead of raising a RuntimeWarning).

Two-class cross entropy, one sample, C(θ, y) = −[y log σ(θ) + (1 − y) log(1 − σ(θ))]:

- ``naive_cross_entropy``: σ first, then the logs. In float64 σ(θ) rounds to exactly 1
  from θ = 37 (float32: from θ = 17), so log(1 − σ) = log 0 = −inf; and 0 · log 0 is NaN.
- ``nan_to_num_cross_entropy``: the naive formula through ``np.nan_to_num``, as in
  Nielsen's network2.py: inf becomes 1.8e308, a "finite" number that is still wrong.
- ``clipped_cross_entropy``: σ clipped to [ε, 1 − ε] before the logs (ε-clipping, ε = 1e-7
  as in Keras): finite, but the loss stops growing at −log ε ≈ 16.1 (15.9 in float32,
  where 1 − ε rounds to 1 − 1.19e-7).
- ``clamped_cross_entropy``: each log clamped at −100, as PyTorch's BCELoss does: finite,
  but the loss stops growing at 100.
- ``theta_cross_entropy``: the package's ``CrossEntropyLoss``, computed from θ with
  np.logaddexp; exact for every finite θ.

Softmax over the logits (0, θ), so that softmax(0, θ)_1 = σ(θ) and class 1 is "y = 1":

- ``naive_softmax``: e^θ / Σ e^θ without the max shift: e^θ overflows (θ > 709 in
  float64, θ > 88 in float32) and inf / inf is NaN.
- ``softmax_cross_entropy_naive`` / ``softmax_cross_entropy_shifted``: −log of the
  naive / max-shifted softmax. The shift removes the overflow, but an underflowed
  probability still gives −log 0 = inf.
- ``softmax_cross_entropy_theta``: the package's ``SoftmaxCrossEntropyLoss``
  (log-softmax with the per-row max subtracted): finite and accurate for every finite θ.

Every loss function takes θ (any shape; its floating dtype, float32 or float64, is kept)
and targets y broadcastable to it, and returns the loss of each entry, shape of θ
(``nan_to_num_cross_entropy`` takes the output O instead of θ, as Nielsen's code does).
"""

import numpy as np

from .losses import CrossEntropyLoss, SoftmaxCrossEntropyLoss

EPSILON = 1e-7  # Keras' default clipping ε
LOG_CLAMP = -100.0  # PyTorch's BCELoss clamps log(O) and log(1 − O) at −100

# Silence exactly the warnings the naive formulas are here to demonstrate.
_quiet = dict(over="ignore", divide="ignore", invalid="ignore", under="ignore")


def _theta(theta):
    theta = np.asarray(theta)
    if not np.issubdtype(theta.dtype, np.floating):
        theta = theta.astype(np.float64)
    return theta


def _y(y, theta):
    return np.broadcast_to(np.asarray(y, dtype=theta.dtype), theta.shape)


def _no_negative_zero(C):
    """−(0) is −0.0, which prints as "-0"; adding 0 turns it into 0.0 and keeps the dtype."""
    return C + 0


def naive_sigmoid(theta):
    """σ(θ) = 1 / (1 + e^{−θ}) as written: e^{−θ} overflows to inf for very negative θ
    (then σ = 0), and σ rounds to exactly 1 for large θ."""
    theta = _theta(theta)
    with np.errstate(**_quiet):
        return 1 / (1 + np.exp(-theta))


def first_theta_where_sigmoid_is_one(dtype):
    """The smallest integer θ ≥ 0 at which σ(θ), computed in ``dtype``, rounds to 1."""
    theta = np.arange(0, 200, dtype=dtype)
    return int(theta[np.argmax(naive_sigmoid(theta) == 1)])


def naive_cross_entropy(theta, y):
    """−[y log O + (1 − y) log(1 − O)] with O = σ(θ) computed first: inf when O rounds to
    0 or 1 on the wrong side, NaN from 0 · log 0 on the right side."""
    theta = _theta(theta)
    y = _y(y, theta)
    O = naive_sigmoid(theta)
    with np.errstate(**_quiet):
        return _no_negative_zero(-(y * np.log(O) + (1 - y) * np.log(1 - O)))


def nan_to_num_cross_entropy(O, y):
    """Nielsen's network2.py CrossEntropyCost.fn for one output, from the output O:
    ``np.nan_to_num(−y log O − (1 − y) log(1 − O))``. At O = 1, y = 0 the inf becomes
    the largest float64, 1.8e308; NaN becomes 0."""
    O = _theta(O)
    y = _y(y, O)
    with np.errstate(**_quiet):
        return np.nan_to_num(-y * np.log(O) - (1 - y) * np.log(1 - O))


def clipped_cross_entropy(theta, y, eps=EPSILON):
    """The naive loss with O = σ(θ) clipped to [ε, 1 − ε]: at most −log ε (16.1 for
    ε = 1e-7), however wrong the output."""
    theta = _theta(theta)
    y = _y(y, theta)
    O = np.clip(naive_sigmoid(theta), theta.dtype.type(eps), theta.dtype.type(1 - eps))
    return _no_negative_zero(-(y * np.log(O) + (1 - y) * np.log(1 - O)))


def clamped_cross_entropy(theta, y, clamp=LOG_CLAMP):
    """The naive loss with each log clamped at −100, as PyTorch's BCELoss computes it
    (log(1 − O) as log1p(−O)): finite, but at most 100."""
    theta = _theta(theta)
    y = _y(y, theta)
    O = naive_sigmoid(theta)
    with np.errstate(**_quiet):  # log 0 = −inf is produced, then clamped away
        log_O = np.maximum(np.log(O), clamp)
        log_1_minus_O = np.maximum(np.log1p(-O), clamp)  # PyTorch uses log1p(−O) here
    return _no_negative_zero(-(y * log_O + (1 - y) * log_1_minus_O))


def theta_cross_entropy(theta, y):
    """The package's CrossEntropyLoss per sample, from θ: y log(1 + e^{−θ}) +
    (1 − y) log(1 + e^{θ}) via np.logaddexp. Finite and accurate for every finite θ."""
    theta = _theta(theta)
    y = _y(y, theta)
    per_sample = CrossEntropyLoss().per_sample(theta.reshape(-1, 1), y.reshape(-1, 1))
    return per_sample.reshape(theta.shape)


# ------------------------------------------------------------------ softmax
def _logits(theta):
    """Rows (0, θ): two-class logits whose softmax is (1 − σ(θ), σ(θ)); shape (*θ, 2)."""
    theta = _theta(theta)
    return np.stack([np.zeros_like(theta), theta], axis=-1)


def naive_softmax(logits):
    """e^{θ_j} / Σ_i e^{θ_i} over the last axis, WITHOUT subtracting the max: e^θ
    overflows to inf and inf / inf is NaN."""
    logits = _theta(logits)
    with np.errstate(**_quiet):
        e = np.exp(logits)
        return e / e.sum(axis=-1, keepdims=True)


def _pick(P, y):
    """P[..., y] for class labels y ∈ {0, 1} (the target class's probability)."""
    labels = _y(y, P[..., 0]).astype(int)
    return np.take_along_axis(P, labels[..., None], axis=-1)[..., 0]


def softmax_cross_entropy_naive(theta, y):
    """−log softmax(0, θ)_y with the naive softmax: NaN once e^θ overflows."""
    P = naive_softmax(_logits(theta))
    with np.errstate(**_quiet):
        return _no_negative_zero(-np.log(_pick(P, y)))


def softmax_cross_entropy_shifted(theta, y):
    """−log softmax(0, θ)_y with the max-shifted softmax (the package's
    SoftmaxCrossEntropyLoss.output): no overflow, but a probability that underflows
    to 0 still gives −log 0 = inf."""
    logits = _logits(theta)
    P = SoftmaxCrossEntropyLoss()._output(logits)  # unchecked: θ may be inf here, on purpose
    with np.errstate(**_quiet):
        return _no_negative_zero(-np.log(_pick(P, y)))


def softmax_cross_entropy_theta(theta, y):
    """The package's SoftmaxCrossEntropyLoss per sample on the logits (0, θ), target
    class y: log-softmax with the per-row max subtracted, exact for every finite θ.
    Equal to ``theta_cross_entropy(θ, y)`` for y ∈ {0, 1}."""
    logits = _logits(theta)
    rows = logits.reshape(-1, 2)
    labels = _y(y, logits[..., 0]).reshape(-1).astype(int)
    one_hot = np.eye(2, dtype=rows.dtype)[labels]
    C = SoftmaxCrossEntropyLoss().per_sample(rows, one_hot)
    return _no_negative_zero(C.reshape(logits.shape[:-1]))


TWO_CLASS = {  # label -> C(θ, y), in the order the notebook presents them
    "naive": naive_cross_entropy,
    "ε-clipped": clipped_cross_entropy,
    "clamped at −100": clamped_cross_entropy,
    "from θ (package)": theta_cross_entropy,
}

SOFTMAX = {
    "no max shift": softmax_cross_entropy_naive,
    "max shift, then log": softmax_cross_entropy_shifted,
    "log-softmax (package)": softmax_cross_entropy_theta,
}
