"""Argument checks that turn bad input into a ValueError naming the argument.

The package never returns NaN silently: anything non-finite, mis-shaped or out of
range is rejected here, before any arithmetic.
"""

import numbers

import numpy as np


def as_float_matrix(value, name, *, dtype=None, finite=True):
    """``value`` as a 2-D float array (N×M), finite unless ``finite=False``, or a
    ValueError naming ``name``.

    The kind of the values is checked before any conversion: complex numbers are
    rejected (converting them would drop the imaginary part with only a warning), and
    so are text and objects (``"1"`` is not a number here, even where numpy could parse
    it). ``finite=False`` leaves the NaN/inf check to the caller (``check_finite``), for
    a caller that reads the array piece by piece anyway.
    """
    arr = _real_array(value, name)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array with one sample per row, got shape {arr.shape}"
        )
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if finite:
        check_finite(arr, name)
    return arr


def as_float_array(value, name):
    """``value`` as a real, finite float array of any shape (integers and booleans become
    float64; a float dtype is kept), or a ValueError naming ``name``."""
    arr = _real_array(value, name)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; every entry must be finite")
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
    """``value`` as a float, if it is a finite real number > 0 (not a bool, not text);
    otherwise a ValueError naming ``name``."""
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)
            or not np.isfinite(value) or value <= 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_real(value, name):
    """``value`` as a float, if it is a finite real number (not a bool, not text);
    otherwise a ValueError naming ``name``."""
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)
            or not np.isfinite(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_count(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def as_rng(seed, name="seed"):
    """A numpy Generator from ``seed``: None (fresh entropy), an integer >= 0, or a
    Generator (used as it is); anything else is a ValueError naming ``name``."""
    if isinstance(seed, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)):
        return np.random.default_rng(seed)
    if seed is not None and (isinstance(seed, (bool, np.bool_))
                             or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ValueError(f"{name} must be an integer >= 0, a numpy Generator or None, "
                         f"got {seed!r}")
    return np.random.default_rng(seed)


def as_float_dtype(dtype, name="dtype"):
    """np.float32 or np.float64 from ``dtype`` (a dtype, type or name); anything else is
    a ValueError naming ``name``."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"{name} must be float32 or float64, got {dtype!r}") from exc
    if dt not in (np.float32, np.float64):
        raise ValueError(f"{name} must be float32 or float64, got {dtype!r}")
    return dt


def _real_array(value, name):
    """``value`` as a numpy array of real numbers (bool, int or float), checked by kind
    before any conversion, or a ValueError naming ``name``."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # e.g. a ragged list of lists
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from exc
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be real, got complex values (dtype {arr.dtype})")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    return arr
