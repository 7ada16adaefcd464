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


# --- where does the cross entropy come from? -----------------------------------------

o, y = derivation.o, derivation.y


def test_demanding_delta_o_minus_y_integrates_back_to_the_cross_entropy():
    dC_do = derivation.demanded_dC_do(o - y)
    assert sp.simplify(dC_do * o * (1 - o) - (o - y)) == 0  # ∂C/∂o · σ' = δ
    C = derivation.integrate_in_o(dC_do)
    assert sp.simplify(C - derivation.cross_entropy_of_output()) == 0
    assert sp.simplify(sp.diff(C, o) - dC_do) == 0
    assert not C.has(sp.I)  # log(1 − o), real on (0, 1), not sympy's log(o − 1)


def test_the_quadratic_delta_integrates_back_to_half_the_squared_error():
    dC_do = derivation.demanded_dC_do(o * (1 - o) * (o - y))
    assert sp.simplify(dC_do - (o - y)) == 0
    E = derivation.integrate_in_o(dC_do)
    assert sp.simplify(sp.diff(E - (o - y) ** 2 / 2, o)) == 0


@pytest.mark.parametrize("theta, label", [(-2.0, 0.0), (0.3, 1.0), (1.7, 0.35), (4.0, 0.0)])
def test_integrated_loss_has_delta_o_minus_y_by_finite_differences(theta, label):
    C = sp.lambdify((o, y), derivation.integrate_in_o(derivation.demanded_dC_do(o - y)))
    p = np.array([theta])
    numeric = numerical_gradient(lambda: C(float(sigmoid(p[0])), label), p)[0]
    assert rel_error(numeric, float(sigmoid(theta)) - label) < 1e-7


def test_soft_label_minimum_is_at_o_equal_y_with_the_binary_entropy():
    assert derivation.minimising_outputs() == [y]
    curvature = sp.diff(derivation.cross_entropy_of_output(), o, 2).subs(o, y)
    assert sp.simplify(curvature - 1 / (y * (1 - y))) == 0
    for label in (0.1, 0.35, 0.8):
        H = float(derivation.binary_entropy().subs(y, label))
        theta = np.log(label / (1 - label))  # σ(θ) = y
        assert CrossEntropyLoss().value([[theta]], [[label]]) == pytest.approx(H, rel=1e-12)
        for nudge in (-0.01, 0.01):
            assert CrossEntropyLoss().value([[theta + nudge]], [[label]]) > H
