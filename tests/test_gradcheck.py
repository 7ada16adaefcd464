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


# --- views, shapes and bad arguments ---

@pytest.mark.parametrize("view", [lambda W: W.T, lambda W: W[:, ::2], lambda W: W[::-1]],
                         ids=["transposed", "strided", "reversed"])
def test_numerical_gradient_through_a_non_contiguous_view(view):
    # f reads W; p is a view of W that a reshape would copy (and the nudges be lost).
    W = np.random.default_rng(3).standard_normal((3, 4))
    p = view(W)
    before = W.copy()
    g = numerical_gradient(lambda: float(np.sum(W**3)), p)
    assert g.shape == p.shape
    assert rel_error(3 * p**2, g) < 1e-9
    np.testing.assert_array_equal(W, before)


def test_numerical_gradient_refuses_what_it_cannot_nudge():
    W = np.ones((2, 2))
    W.flags.writeable = False
    with pytest.raises(ValueError, match="p must be writable"):
        numerical_gradient(lambda: 0.0, W)
    with pytest.raises(ValueError, match="p must be the numpy array that f reads"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])


@pytest.mark.parametrize("h", [0, -1e-5, np.nan, np.inf, True, "1e-5"])
def test_h_must_be_a_finite_positive_number(h):
    with pytest.raises(ValueError, match="h must be a finite number > 0"):
        numerical_gradient(lambda: 0.0, np.zeros(2), h=h)


def test_numerical_gradient_names_a_non_finite_f():
    p = np.zeros(2)
    with pytest.raises(ValueError, match="f must be finite near p"):
        numerical_gradient(lambda: np.inf if p[0] > 0 else 0.0, p)
    np.testing.assert_array_equal(p, 0.0)  # restored all the same


def test_rel_error_refuses_to_broadcast():
    with pytest.raises(ValueError, match=r"analytic and numeric must have the same shape, "
                                         r"got \(3, 1\) and \(3,\)"):
        rel_error(np.ones((3, 1)), np.ones(3))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_rel_error_names_the_non_finite_argument(bad):
    with pytest.raises(ValueError, match="numeric contains NaN or inf"):
        rel_error([1.0], [bad])
    with pytest.raises(ValueError, match="analytic contains NaN or inf"):
        rel_error([bad], [1.0])


def test_rel_error_refuses_complex_values():
    with pytest.raises(ValueError, match="analytic must be a real numeric array"):
        rel_error([1.0 + 1j], [1.0])
