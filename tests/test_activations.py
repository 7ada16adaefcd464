"""sigmoid and sigmoid_prime: values, identities and no overflow."""

import warnings

import numpy as np
import pytest

from lecture_mlp import log_sigmoid, sigmoid, sigmoid_prime
from lecture_mlp.gradcheck import rel_error


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_never_overflows(dtype):
    theta = np.array([-1e4, -1000, -100, -1, 0, 1, 100, 1000, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        O = sigmoid(theta)
        s = sigmoid_prime(theta)
    assert O.dtype == dtype and s.dtype == dtype
    assert np.all(np.isfinite(O)) and np.all(np.isfinite(s))
    assert O[0] == 0 and O[-1] == 1 and O[4] == 0.5
    assert np.all(np.diff(O) >= 0)


def test_sigmoid_matches_definition_where_it_is_safe():
    theta = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sigmoid(theta), 1 / (1 + np.exp(-theta)), rtol=1e-15)


def test_sigmoid_keeps_small_tails_accurate():
    # σ(−40) = e^{−40}/(1 + e^{−40}) is tiny but not 0: the where-form keeps it.
    np.testing.assert_allclose(sigmoid(-40.0), np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-15)


def test_sigmoid_symmetry_and_prime_identities():
    theta = np.linspace(-12, 12, 241)
    O = sigmoid(theta)
    np.testing.assert_allclose(sigmoid(-theta), 1 - O, atol=1e-16)
    np.testing.assert_allclose(sigmoid_prime(theta), O * (1 - O), rtol=1e-10)
    assert sigmoid_prime(0.0) == 0.25  # the maximum of σ'
    assert np.all(sigmoid_prime(theta) <= 0.25)


def test_sigmoid_prime_tails_do_not_round_to_zero():
    # σ'(40) = e^{−40}/(1 + e^{−40})² ≈ 4.2e-18, though 1 − σ(40) rounds to 0.
    expected = np.exp(-40.0) / (1 + np.exp(-40.0)) ** 2
    np.testing.assert_allclose(sigmoid_prime(40.0), expected, rtol=1e-15)
    np.testing.assert_allclose(sigmoid_prime(-40.0), expected, rtol=1e-15)


def test_sigmoid_prime_is_the_derivative():
    theta = np.linspace(-8, 8, 81)
    h = 1e-5
    numeric = (sigmoid(theta + h) - sigmoid(theta - h)) / (2 * h)
    assert rel_error(sigmoid_prime(theta), numeric) < 1e-7


def test_log_sigmoid_is_finite_and_right():
    theta = np.array([-1000.0, -50, -1, 0, 1, 50, 1000])
    expected = np.array([-1000.0, -50 - np.log1p(np.exp(-50)), -np.log1p(np.e), -np.log(2),
                         -np.log1p(np.exp(-1)), -np.log1p(np.exp(-50)), 0.0])
    np.testing.assert_allclose(log_sigmoid(theta), expected, rtol=1e-15, atol=0)


def test_integer_input_is_promoted():
    assert sigmoid(np.array([0, 1])).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_written_in_place_is_the_same(dtype):
    theta = np.linspace(-50, 50, 201, dtype=dtype).reshape(3, 67)
    expected = sigmoid(theta)
    out = theta.copy()
    result = sigmoid(out, out=out)  # as the MLP's forward pass writes O^k over θ^k
    assert result is out and result.dtype == dtype
    np.testing.assert_array_equal(result, expected)
    # the where-free pick of the numerator is the textbook two-branch formula
    e = np.exp(-np.abs(theta))
    np.testing.assert_array_equal(expected, np.where(theta >= 0, 1 / (1 + e), e / (1 + e)))


def test_tanh_activation_in_place():
    from lecture_mlp.activations import HIDDEN_ACTIVATIONS

    f, f_prime = HIDDEN_ACTIVATIONS["tanh"]
    theta = np.linspace(-3, 3, 7)
    out = theta.copy()
    assert f(out, out=out) is out
    np.testing.assert_array_equal(out, np.tanh(theta))
    np.testing.assert_allclose(f_prime(out), 1 / np.cosh(theta) ** 2, rtol=1e-12)
