"""The single sigmoid neuron: the published figures and the vectorised grid.

Epoch convention: index 0 is the start, index e the state after e updates.
"""

import numpy as np
import pytest

from lecture_mlp import neuron, sigmoid


def first_below_half(run):
    return int(np.argmax(run.output < 0.5))


def test_quadratic_from_2_2_plateaus_until_epoch_232():
    run = neuron.simulate(2.0, 2.0, loss="quadratic")
    assert first_below_half(run) == 232
    assert run.output[231] >= 0.5 > run.output[232]
    assert run.output[300] == pytest.approx(0.203, abs=5e-4)


def test_quadratic_from_06_09_learns_by_epoch_36():
    run = neuron.simulate(0.6, 0.9, loss="quadratic")
    assert first_below_half(run) == 36
    assert run.output[300] == pytest.approx(0.094, abs=5e-4)


def test_cross_entropy_from_2_2_has_no_plateau():
    run = neuron.simulate(2.0, 2.0, loss="cross_entropy")
    assert run.output[50] == pytest.approx(0.099, abs=5e-4)
    assert run.epochs_to_learn() < 20


def test_correct_gradient_at_nielsens_tiny_eta_is_slow():
    # Nielsen's animation used η = 0.005 with ∂C/∂a; with the right gradient that η is
    # far too small: after 300 epochs the output is still 0.780.
    run = neuron.simulate(2.0, 2.0, loss="cross_entropy", eta=0.005)
    assert run.output[300] == pytest.approx(0.780, abs=5e-4)


@pytest.mark.parametrize("loss", ["quadratic", "cross_entropy"])
def test_run_arrays_are_consistent(loss):
    run = neuron.simulate(2.0, 2.0, x=1.5, y=0.2, eta=0.3, epochs=20, loss=loss)
    for name in ("w", "b", "output", "cost", "grad_w", "grad_b"):
        assert getattr(run, name).shape == (21,)
    assert run.w[0] == 2.0 and run.b[0] == 2.0
    O = sigmoid(run.w * 1.5 + run.b)
    np.testing.assert_allclose(run.output, O)
    delta = O * (1 - O) * (O - 0.2) if loss == "quadratic" else O - 0.2
    np.testing.assert_allclose(run.grad_b, delta)
    np.testing.assert_allclose(run.grad_w, delta * 1.5)
    np.testing.assert_allclose(run.w[1:], run.w[:-1] - 0.3 * run.grad_w[:-1])
    np.testing.assert_allclose(run.b[1:], run.b[:-1] - 0.3 * run.grad_b[:-1])
    expected_cost = (0.5 * (O - 0.2) ** 2 if loss == "quadratic"
                     else -(0.2 * np.log(O) + 0.8 * np.log(1 - O)))
    np.testing.assert_allclose(run.cost, expected_cost, rtol=1e-12)


def test_grid_equals_single_runs():
    w0, b0 = np.meshgrid(np.linspace(-3, 3, 4), np.linspace(-2, 2, 3))
    grid = neuron.simulate(w0, b0, loss="quadratic", epochs=40)
    assert grid.output.shape == (41, 3, 4)
    for i in range(3):
        for j in range(4):
            one = neuron.simulate(w0[i, j], b0[i, j], loss="quadratic", epochs=40)
            np.testing.assert_allclose(grid.output[:, i, j], one.output, rtol=1e-14)
            np.testing.assert_allclose(grid.cost[:, i, j], one.cost, rtol=1e-14)


def test_broadcasting_of_starts():
    run = neuron.simulate(np.array([0.6, 2.0]), 2.0, loss="cross_entropy", epochs=3)
    assert run.w.shape == (4, 2) and np.all(run.b[0] == 2.0)


def test_epochs_to_learn_for_a_target_of_one():
    run = neuron.simulate(-2.0, -2.0, y=1.0, loss="cross_entropy", epochs=100)
    k = run.epochs_to_learn()
    assert run.output[k] > 0.5 >= run.output[k - 1]
    never = neuron.simulate(2.0, 2.0, loss="quadratic", epochs=100)
    assert never.epochs_to_learn() == 101  # epochs + 1: not learned within the run


def test_saturated_start_stays_finite():
    run = neuron.simulate(1000.0, 0.0, loss="quadratic", epochs=5)
    assert np.all(np.isfinite(run.cost)) and np.all(run.grad_w == 0)
    run = neuron.simulate(1000.0, 0.0, loss="cross_entropy", epochs=5)
    assert run.cost[0] == 1000.0 and run.grad_w[0] == 1.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(eta=0.0), "eta must be a finite number > 0"),
    (dict(eta=-1.0), "eta must be a finite number > 0"),
    (dict(epochs=-1), "epochs must be an integer >= 0"),
    (dict(y=1.5), r"y must lie in \[0, 1\]"),
    (dict(x=float("nan")), "x must be a finite number"),
    (dict(loss="softmax_cross_entropy"), "loss must have a sigmoid output"),
    (dict(loss="hinge"), "loss must be one of"),
])
def test_bad_input(kwargs, message):
    kwargs = {"loss": "quadratic", **kwargs}
    with pytest.raises(ValueError, match=message):
        neuron.simulate(2.0, 2.0, **kwargs)


def test_non_finite_start():
    with pytest.raises(ValueError, match="w0 contains NaN or inf"):
        neuron.simulate(np.array([1.0, np.inf]), 0.0, loss="quadratic")
    with pytest.raises(ValueError, match="b0 contains NaN or inf"):
        neuron.simulate(1.0, np.nan, loss="quadratic")


@pytest.mark.parametrize("kwargs, message", [
    (dict(x="1"), "x must be a finite number"),
    (dict(x=True), "x must be a finite number"),
    (dict(y=np.True_), "y must be a finite number"),
    (dict(eta="1"), "eta must be a finite number > 0"),
    (dict(eta=True), "eta must be a finite number > 0"),
    (dict(x=1e300), r"x = 1e\+300 is too large for this run: θ = w x \+ b overflows"),
])
def test_odd_scalars_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        neuron.simulate(2.0, 2.0, loss="cross_entropy", **kwargs)


def test_large_x_that_stays_finite_gives_finite_costs():
    run = neuron.simulate(0.0, 0.0, x=1e150, epochs=5, loss="cross_entropy")
    assert np.isfinite(run.cost).all()


@pytest.mark.parametrize("w0, b0, message", [
    ([], 0.0, r"w0 and b0 must give at least one starting point, got shapes \(0,\)"),
    (1.0, np.zeros((2, 0)), "w0 and b0 must give at least one starting point"),
    (1 + 1j, 0.0, "w0 must be real, got complex values"),
    ("1", 0.0, "w0 must be a numeric array"),
    (np.zeros(2), np.zeros(3), r"w0 and b0 must broadcast together, got shapes \(2,\) and "),
])
def test_bad_starts_are_named(w0, b0, message):
    with pytest.raises(ValueError, match=message):
        neuron.simulate(w0, b0, loss="quadratic")
