"""Small seeded 2-D classification problems for the notebooks' networks.

Every function takes a ``seed`` and returns (X, t): X of shape N×2, t of shape N×M
(one column for two classes, one-hot columns for several).
"""

import numpy as np

from .validation import as_rng, check_count, check_real


def _check_noise(noise):
    noise = check_real(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise must be >= 0 (a standard deviation), got {noise!r}")
    return noise


def xor_problem(n=200, *, noise=0.35, seed=0):
    """Four Gaussian blobs in an XOR pattern: no single line separates the classes,
    so a network needs a hidden layer. t = 1 where the signs of x_1 and x_2 agree."""
    n = check_count(n, "n", 4)
    noise = _check_noise(noise)
    rng = as_rng(seed, "seed")
    centres = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    which = np.arange(n) % 4
    X = centres[which] + noise * rng.standard_normal((n, 2))
    t = (which < 2).astype(float)[:, None]
    return X, t


def three_class_problem(n=300, *, noise=0.2, seed=0):
    """Three interleaved spiral arms, one class each; t is one-hot (N×3)."""
    n = check_count(n, "n", 3)
    noise = _check_noise(noise)
    rng = as_rng(seed, "seed")
    k = np.arange(n) % 3
    r = rng.uniform(0.15, 1.0, n)
    angle = 2 * np.pi * k / 3 + 3.0 * r + noise * rng.standard_normal(n)
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)]) * 2
    return X, np.eye(3)[k]


def decision_grid(net, X, *, resolution=150, margin=0.5):
    """The network's output over a grid covering X: (xx, yy, O), O of shape
    (resolution, resolution, n_K), for plotting decision regions."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    O = net.predict(np.column_stack([xx.ravel(), yy.ravel()]))
    return xx, yy, O.reshape(resolution, resolution, -1)
