"""The slides' two-class gradient derivation: sympy algebra and finite differences."""

import numpy as np
import pytest
import sympy as sp

from lecture_mlp import CrossEntropyLoss, derivation, sigmoid
from lecture_mlp.gradcheck import numerical_gradient, rel_error

# (W_i, x_i, r, y): θ = W_i x_i + r; the first is the slides' θ = 0.7, x = 2.
POINTS = [(0.35, 2.0, 0.0, 1.0), (0.35, 2.0, 0.0, 0.0), (-1.2, 0.5, 0.3, 1.0),
          (0.8, -1.5, -0.4, 0.0), (2.0, 3.0, 1.0, 0.3)]


def numeric_dC_dW(W, x, r, y):
    """Centred differences of the package's cross entropy with respect to W_i."""
    p = np.array([W], dtype=np.float64)
    loss = CrossEntropyLoss()
    return numerical_gradient(lambda: loss.value([[p[0] * x + r]], [[y]]), p)[0]


def test_each_line_equals_the_previous_symbolically():
    steps = derivation.gradient_steps()
    assert len(steps) == 5
    assert derivation.check_steps(steps) == [0, 0, 0, 0]


def test_first_line_is_the_derivative_of_C_and_last_is_x_times_error():
    steps = derivation.gradient_steps()
    assert sp.simplify(steps[0].expr - sp.diff(derivation.cross_entropy(), derivation.W_i)) == 0
    o = derivation.sigma(derivation.THETA)
    assert sp.simplify(steps[-1].expr - derivation.x_i * (o - derivation.y)) == 0


@pytest.mark.parametrize("point", POINTS)
def test_every_line_matches_finite_differences(point):
    numeric = numeric_dC_dW(*point)
    for step in derivation.gradient_steps():
        assert rel_error(derivation.numeric(step.expr)(*point), numeric) < 1e-7


def test_line_errors_helper_matches_the_test_oracle():
    steps = derivation.gradient_steps()
    errors = derivation.line_errors(steps, POINTS)
    assert errors.shape == (5, len(POINTS)) and errors.max() < 1e-7
    for point in POINTS:
        assert derivation.numeric_gradient_W(*point) == numeric_dC_dW(*point)
    wrong = derivation.line_errors([derivation.misprinted_step()], POINTS)
    assert wrong.min() > 0.5


@pytest.mark.parametrize("point", POINTS)
def test_lines_agree_with_the_package_delta(point):
    W, x, r, y = point
    delta = CrossEntropyLoss().delta([[W * x + r]], [[y]])[0, 0]  # O − y
    last = derivation.numeric(derivation.gradient_steps()[-1].expr)(*point)
    assert last == pytest.approx(delta * x, rel=1e-12)


def test_misprint_is_wrong_except_at_x_equal_1():
    wrong = derivation.misprinted_step().expr
    diff = sp.simplify(wrong - derivation.gradient_steps()[-1].expr)
    assert diff != 0
    assert sp.simplify(diff - derivation.misprint_difference()) == 0
    assert sp.simplify(diff.subs(derivation.x_i, 1)) == 0  # why x = 2 is needed to see it
    point = (0.35, 2.0, 0.0, 1.0)
    assert rel_error(derivation.numeric(wrong)(*point), numeric_dC_dW(*point)) > 0.5


def test_misprint_numbers_from_the_notes():
    point = (0.35, 2.0, 0.0, 1.0)  # θ = 0.7, x = 2
    right = derivation.numeric(derivation.last_factor())(*point)
    wrong = derivation.numeric(derivation.last_factor(misprinted=True))(*point)
    assert f"{right:.4f}" == "0.4434" and f"{wrong:.4f}" == "-0.2248"
    s = float(sigmoid(0.7))
    assert right == pytest.approx(s * (1 - s) * 2) and wrong == pytest.approx(s * (1 - 2 * s))
    # The factor has no y: the same two numbers for y = 0.
    assert derivation.numeric(derivation.last_factor())(0.35, 2.0, 0.0, 0.0) == right
    # Whole lines at y = 1: correct x(σ − y), misprinted as printed.
    full_right = derivation.numeric(derivation.gradient_steps()[-1].expr)(*point)
    full_wrong = derivation.numeric(derivation.misprinted_step().expr)(*point)
    assert f"{full_right:.4f}" == "-0.6636" and f"{full_wrong:.4f}" == "0.3364"


def test_mean_of_sigma_prime_over_outputs_is_one_sixth():
    assert derivation.mean_sigma_prime() == sp.Rational(1, 6)
    s = np.linspace(0, 1, 100001)
    assert np.trapezoid(s * (1 - s), s) == pytest.approx(1 / 6, abs=1e-9)
