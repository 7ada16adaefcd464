"""The argument checks: the fast finiteness test agrees with the entry-by-entry one."""

import numpy as np
import pytest

from lecture_mlp.validation import all_finite, as_float_matrix


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_every_bad_entry_is_found(dtype, bad):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((37, 11)).astype(dtype)
    assert all_finite(X)
    for i, j in [(0, 0), (36, 10), (17, 4)]:
        X_bad = X.copy()
        X_bad[i, j] = bad
        assert not all_finite(X_bad)
        assert not all_finite(np.asfortranarray(X_bad))  # any memory layout
        assert not all_finite(X_bad[::2] if i % 2 == 0 else X_bad[1::2])


def test_arrays_without_a_unit_stride_are_checked_too():
    X = np.random.default_rng(1).standard_normal((40, 30))
    X[7, 8] = np.nan
    assert not all_finite(X[:, ::2])
    assert all_finite(X[:, 1::2])  # column 8 left out


def test_inf_and_minus_inf_do_not_cancel():
    X = np.array([[np.inf, 1.0], [-np.inf, 2.0]])
    assert not all_finite(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_entries_whose_sum_overflows_are_finite(dtype):
    # Column sums overflow to inf (and inf − inf to NaN): the entry-by-entry test decides.
    big = np.finfo(dtype).max
    X = np.array([[big, -big], [big, -big], [1.0, 2.0]], dtype=dtype)
    with np.errstate(all="raise"):  # and no floating-point warning escapes
        assert all_finite(X)
    X[2, 1] = np.nan
    assert not all_finite(X)


def test_as_float_matrix_names_the_argument():
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        as_float_matrix([[1.0, np.nan]], "X")
    assert as_float_matrix([[1.0, np.nan]], "X", finite=False).shape == (1, 2)
