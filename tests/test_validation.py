"""The argument checks: the fast finiteness test agrees with the entry-by-entry one."""

import numpy as np
import pytest

from lecture_mlp.data import three_class_problem, xor_problem
from lecture_mlp.validation import (
    all_finite,
    as_float_array,
    as_float_dtype,
    as_float_matrix,
    as_rng,
    check_positive,
    check_real,
)


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


# --- the kind of an argument is checked before it is converted ---

@pytest.mark.parametrize("name", ["X", "t"])
def test_complex_arrays_are_rejected_before_conversion(name):
    # pytest turns warnings into errors here: a ComplexWarning would fail the test too
    with pytest.raises(ValueError, match=f"{name} must be real, got complex values"):
        as_float_matrix(np.ones((2, 2)) + 1j, name, dtype=np.float64)
    with pytest.raises(ValueError, match=f"{name} must be real, got complex values"):
        as_float_array(np.ones(2) + 0j, name)


@pytest.mark.parametrize("value", [[["1", "2"]], [[1.0, None]], [[1.0, 2.0], [3.0]]],
                         ids=["text", "object", "ragged"])
def test_text_objects_and_ragged_lists_are_not_numbers(value):
    with pytest.raises(ValueError, match="X must be a numeric array"):
        as_float_matrix(value, "X", dtype=np.float64)


@pytest.mark.parametrize("value", [True, np.True_, "1", 0, -1.0, np.nan, np.inf, None])
def test_check_positive_rejects_bools_text_and_non_positive(value):
    with pytest.raises(ValueError, match="eta must be a finite number > 0"):
        check_positive(value, "eta")


def test_check_positive_accepts_numpy_numbers():
    assert check_positive(np.float32(0.5), "eta") == 0.5
    assert check_positive(np.int64(2), "eta") == 2.0


@pytest.mark.parametrize("value", [True, "1", np.nan, None])
def test_check_real_rejects_bools_and_text(value):
    with pytest.raises(ValueError, match="x must be a finite number"):
        check_real(value, "x")


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_as_rng_names_the_argument(seed):
    with pytest.raises(ValueError, match="seed must be an integer >= 0, a numpy Generator"):
        as_rng(seed, "seed")


def test_as_rng_takes_seeds_and_generators():
    rng = np.random.default_rng(1)
    assert as_rng(rng) is rng
    assert as_rng(5).integers(100) == np.random.default_rng(5).integers(100)


@pytest.mark.parametrize("dtype", ["abc", "int32", complex])
def test_as_float_dtype_names_the_argument(dtype):
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        as_float_dtype(dtype)


@pytest.mark.parametrize("call, message", [
    (lambda: xor_problem(8, seed=-1), "seed must be an integer >= 0"),
    (lambda: three_class_problem(9, seed=-1), "seed must be an integer >= 0"),
    (lambda: xor_problem(8, noise=-0.1), "noise must be >= 0"),
    (lambda: three_class_problem(9, noise="0.2"), "noise must be a finite number"),
])
def test_data_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
