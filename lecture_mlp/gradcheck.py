"""Centred finite-difference checks: the proof of every derivative in the package.

    ∂f/∂p ≈ (f(p + h) − f(p − h)) / 2h,   error O(h²)

compared with the analytic gradient by the norm-wise relative error
‖a − n‖ / max(‖a‖, ‖n‖). In float64 with h = 1e-5 these smooth losses agree to
well below 1e-7; a wrong derivative (a missing σ', a sign, an index) is off by O(1).
"""

import numpy as np


def rel_error(analytic, numeric):
    """‖a − n‖ / max(‖a‖, ‖n‖); 0 when both are exactly 0."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    scale = max(np.linalg.norm(a), np.linalg.norm(n))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - n) / scale)


def numerical_gradient(f, p, h=1e-5):
    """Centred differences of the scalar function f() with respect to the array p.

    p is perturbed in place, one entry at a time, and restored; it must be float64.
    """
    if p.dtype != np.float64:
        raise ValueError(f"p must be float64 for a finite-difference check, got {p.dtype}")
    grad = np.zeros_like(p)
    flat, gflat = p.reshape(-1), grad.reshape(-1)  # views: writing flat writes p
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f()
        flat[i] = old - h
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
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
