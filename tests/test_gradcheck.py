"""The checker itself: right on known derivatives, and it catches wrong ones."""

import numpy as np
import pytest

from lecture_mlp import MLP, QuadraticLoss
from lecture_mlp.gradcheck import check_loss, check_mlp, numerical_gradient, rel_error


def test_rel_error_is_normwise():
    assert rel_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert rel_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert rel_error([1.0, 0.0], [0.0, 0.0]) == 1.0
    assert rel_error([3.0, 4.0], [3.0, 4.5]) == pytest.approx(0.5 / np.linalg.norm([3, 4.5]))


def test_numerical_gradient_of_a_cubic_and_restores_p():
    p = np.array([1.0, -2.0, 0.5])
    before = p.copy()
    g = numerical_gradient(lambda: float(np.sum(p**3)), p)
    assert rel_error(3 * before**2, g) < 1e-9
    np.testing.assert_array_equal(p, before)


def test_numerical_gradient_needs_float64():
    with pytest.raises(ValueError, match="p must be float64"):
        numerical_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))


class QuadraticWithoutSigmaPrime(QuadraticLoss):
    """The classic mistake: δ = O − t for the quadratic loss."""

    def delta_from_output(self, O, t):
        return O - t


def test_a_missing_sigma_prime_is_caught():
    rng = np.random.default_rng(0)
    theta, t = rng.standard_normal((4, 2)), rng.random((4, 2))
    assert check_loss(QuadraticLoss(), theta, t) < 1e-7
    assert check_loss(QuadraticWithoutSigmaPrime(), theta, t) > 0.5


def test_a_wrong_network_gradient_is_caught():
    rng = np.random.default_rng(1)
    X, t = rng.standard_normal((5, 3)), rng.random((5, 2))
    net = MLP([3, 4, 2], QuadraticWithoutSigmaPrime(), seed=2)
    assert check_mlp(net, X, t) > 0.5


def test_check_mlp_needs_float64():
    net = MLP([2, 1], "quadratic", dtype=np.float32)
    with pytest.raises(ValueError, match="net must be float64"):
        check_mlp(net, np.ones((1, 2)), np.ones((1, 1)))
