"""Argument checks that turn bad input into a ValueError naming the argument.

The package never returns NaN silently: anything non-finite, mis-shaped or out of
range is rejected here, before any arithmetic.
"""

import numbers

import numpy as np


def as_float_matrix(value, name, *, dtype=None, finite=True):
    """``value`` as a 2-D float array (N×M), finite unless ``finite=False``, or a
    ValueError naming ``name``.

    ``finite=False`` leaves the NaN/inf check to the caller (``check_finite``), for a
    caller that reads the array piece by piece anyway.
    """
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from exc
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array with one sample per row, got shape {arr.shape}"
        )
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if finite:
        check_finite(arr, name)
    return arr


def check_finite(arr, name):
    if not all_finite(arr):
        raise ValueError(f"{name} contains NaN or inf; every entry must be finite")


def all_finite(arr):
    """True when every entry of the 2-D float array ``arr`` is finite.

    A sum is finite only if every term is: NaN and ±inf propagate through products
    with 1 and through sums. So the column sums (a product with a vector of ones, which
    BLAS spreads over the cores and reads ``arr`` once) settle it for good data at the
    cost of one read; only non-finite sums (a bad entry, or finite entries whose sum
    overflows) are settled entry by entry.
    """
    if arr.itemsize not in arr.strides:  # no unit stride: BLAS cannot take it as it is
        return bool(np.isfinite(arr).all())
    with np.errstate(over="ignore", invalid="ignore"):
        column_sums = np.ones(arr.shape[0], arr.dtype) @ arr
    return bool(np.isfinite(column_sums).all()) or bool(np.isfinite(arr).all())


def check_same_shape(t, theta, t_name="t"):
    if t.shape != theta.shape:
        raise ValueError(
            f"{t_name} must have the output's shape {theta.shape} (N samples × M outputs), "
            f"got {t.shape}"
        )


def check_unit_interval(t, name="t"):
    if np.any(t < 0) or np.any(t > 1):
        raise ValueError(f"{name} must lie in [0, 1] for a sigmoid output, got values in "
                         f"[{t.min():.4g}, {t.max():.4g}]")


def check_positive(value, name):
    if not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_count(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
