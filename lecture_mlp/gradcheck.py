"""Centred finite-difference checks: the proof of every derivative in the package.

    ∂f/∂p ≈ (f(p + h) − f(p − h)) / 2h,   error O(h²)

compared with the analytic gradient by the norm-wise relative error
‖a − n‖ / max(‖a‖, ‖n‖). In float64 with h = 1e-5 these smooth losses agree to
well below 1e-7; a wrong derivative (a missing σ', a sign, an index) is off by O(1).
"""

import numpy as np

from .validation import check_positive


def rel_error(analytic, numeric):
    """‖a − n‖ / max(‖a‖, ‖n‖); 0 when both are exactly 0.

    Both must be real, finite and of the same shape (no broadcasting: a (3, 1) against
    a (3,) is a mistake to report, not 3×3 differences to average).
    """
    a = _finite_real(analytic, "analytic")
    n = _finite_real(numeric, "numeric")
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got {a.shape} "
                         f"and {n.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(n))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - n) / scale)


def _finite_real(value, name):
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; a gradient check needs finite values")
    return arr


def numerical_gradient(f, p, h=1e-5):
    """Centred differences of the scalar function f() with respect to the array p.

    p is the array f reads (or a view of it, such as W.T): it is nudged in place, one
    entry at a time through its own index, and restored. It must be a writable float64
    array. Returns an array of p's shape.
    """
    if not isinstance(p, np.ndarray):
        raise ValueError(f"p must be the numpy array that f reads, got {type(p).__name__}")
    if p.dtype != np.float64:
        raise ValueError(f"p must be float64 for a finite-difference check, got {p.dtype}")
    if not p.flags.writeable:
        raise ValueError("p must be writable: it is nudged in place, and f must read it")
    h = check_positive(h, "h")
    grad = np.zeros(p.shape)
    # An index per entry writes through any view, strided or transposed (a reshape of a
    # non-contiguous view would be a copy, and its nudges would never reach f).
    for index in np.ndindex(p.shape):
        old = p[index]
        try:
            p[index] = old + h
            f_plus = f()
            p[index] = old - h
            f_minus = f()
        finally:
            p[index] = old
        difference = float(f_plus) - float(f_minus)
        if not np.isfinite(difference):
            raise ValueError(f"f must be finite near p; f() is {f_plus} at p{list(index)} + h "
                             f"and {f_minus} at p{list(index)} − h")
        grad[index] = difference / (2 * h)
    return grad


def check_loss(loss, theta, t, h=1e-5):
    """Relative error of δ^K / N against d(loss.value)/dθ by finite differences.

    ``value`` is the mean over N samples, so its gradient is δ/N.
    """
    theta = np.array(theta, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    analytic = loss.delta(theta, t) / theta.shape[0]
    numeric = numerical_gradient(lambda: loss.value(theta, t), theta, h)
    return rel_error(analytic, numeric)


def check_mlp(net, X, t, h=1e-5):
    """The largest relative error over all of net.gradients' arrays (W^k and b^k)."""
    if net.dtype != np.float64:
        raise ValueError("net must be float64 for a finite-difference check")
    grad_W, grad_b = net.gradients(X, t)
    errors = []
    for params, grads in ((net.weights, grad_W), (net.biases, grad_b)):
        for p, g in zip(params, grads):
            errors.append(rel_error(g, numerical_gradient(lambda: net.loss(X, t), p, h)))
    return max(errors)
