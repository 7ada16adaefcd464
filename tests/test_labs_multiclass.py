"""Notebook 04: the slides' multiclass formula, their misprint, the labs and the exercises."""

from functools import partial

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecture_mlp import MLP, SoftmaxCrossEntropyLoss, gradcheck, sigmoid
from lecture_mlp.data import decision_grid, three_class_problem
from lecture_mlp.exercises import multiclass as ex
from lecture_mlp.labs.multiclass import (
    TARGETS,
    LogitLab,
    ThreeClassLab,
    compare_losses,
    compare_outputs,
    formula_gradient_error,
    logit_targets,
    misclassified_outputs,
    misprinted_cross_entropy,
    misprinted_delta,
    plot_loss_comparison,
    region_image,
    slide_weight_gradient,
    train_three_class,
)
from lecture_mlp.losses import LinearQuadraticLoss


@pytest.fixture
def small_problem():
    X, t = three_class_problem(12, seed=1)
    return X, t


# ------------------------------------------------------------ the slides' formula
@pytest.mark.parametrize("loss", ["cross_entropy", "softmax_cross_entropy"])
def test_slide_formula_is_the_gradient(small_problem, loss):
    X, t = small_problem
    net = MLP([2, 4, 3], loss, seed=0)
    O = net.forward(X)
    formula = slide_weight_gradient(O[-2], O[-1], t)
    assert formula.shape == net.weights[-1].shape
    assert gradcheck.rel_error(formula, net.gradients(X, t)[0][-1]) < 1e-7
    assert formula_gradient_error(net, X, t, net.loss_fn.value) < 1e-7


def test_slide_formula_by_explicit_sums(small_problem):
    X, t = small_problem
    rng = np.random.default_rng(0)
    O_prev, O = rng.random((12, 4)), rng.random((12, 3))
    by_loop = np.array([[np.mean(O_prev[:, i] * (O[:, j] - t[:, j])) for j in range(3)]
                        for i in range(4)])
    np.testing.assert_allclose(slide_weight_gradient(O_prev, O, t), by_loop, rtol=1e-12)


@pytest.mark.parametrize("i", [0, 1, 2])
def test_misprint_breaks_the_formula(small_problem, i):
    X, t = small_problem
    net = MLP([2, 4, 3], "cross_entropy", seed=0)
    assert formula_gradient_error(net, X, t, partial(misprinted_cross_entropy, i=i)) > 0.1
    theta = net.theta(X)
    numeric = gradcheck.numerical_gradient(lambda: misprinted_cross_entropy(theta, t, i), theta)
    assert gradcheck.rel_error(misprinted_delta(theta, t, i) / len(X), numeric) < 1e-7


def test_misprint_equals_the_loss_when_all_targets_agree():
    theta = np.random.default_rng(2).standard_normal((5, 3))
    for t in (np.zeros((5, 3)), np.ones((5, 3))):
        correct = MLP([1, 3], "cross_entropy").loss_fn.value(theta, t)
        assert misprinted_cross_entropy(theta, t, 1) == pytest.approx(correct, rel=1e-12)


# ----------------------------------------------------------------------- LogitLab
def test_logit_targets():
    y_sig, y_soft = logit_targets((0, 2))
    np.testing.assert_array_equal(y_sig, [[1, 0, 1]])
    np.testing.assert_array_equal(y_soft, [[0.5, 0, 0.5]])


def assert_logit_lab_shows(lab):
    v = lab.values()
    theta = [v["theta1"], v["theta2"], v["theta3"]]
    both = compare_outputs(theta, TARGETS[v["target"]])
    theta_row = np.array([theta])
    np.testing.assert_allclose(both["sigmoid"]["o"], sigmoid(theta_row)[0])
    softmax = SoftmaxCrossEntropyLoss().output(theta_row)[0]
    np.testing.assert_allclose(both["softmax"]["o"], softmax)
    for name, r in both.items():
        np.testing.assert_allclose([b.get_height() for b in lab.bars[name]], r["o"])
        np.testing.assert_allclose([b.get_height() for b in lab.grad_bars[name]],
                                   r["o"] - r["y"], atol=1e-15)
        np.testing.assert_allclose(lab.target_marks[name].get_ydata(), r["y"])
        assert np.isfinite(r["C"]) and r["C"] >= 0
    read = lab.readout_values()
    assert read["Σ_j softmax_j"] == "1.0000"
    assert read["Σ_j σ(θ_j) (need not be 1)"] == f"{sigmoid(theta_row).sum():.4f}"
    assert read["softmax cross entropy C"] == f"{both['softmax']['C']:.4f}"
    assert read["sigmoid cross entropy C"] == f"{both['sigmoid']['C']:.4f}"
    grad = both["sigmoid"]["grad"]
    assert read["sigmoid ∂C/∂θ = o − y"] == "(" + ", ".join(f"{g:+.3f}" for g in grad) + ")"


def test_logit_lab_every_slider_and_target():
    lab = LogitLab()
    assert_logit_lab_shows(lab)
    for name in ("theta1", "theta2", "theta3"):
        slider = lab.controls[name]
        for value in (slider.min, slider.max, 0.0):
            slider.value = value
            assert_logit_lab_shows(lab)
    for target in TARGETS:
        lab.controls["target"].value = target
        assert_logit_lab_shows(lab)
    lab.set(theta1=8.0, theta2=8.0, theta3=8.0, target="all three")
    assert_logit_lab_shows(lab)
    assert lab.readout_values()["sigmoid targets y"] == "(1.00, 1.00, 1.00)"
    assert lab.readout_values()["softmax targets y"] == "(0.33, 0.33, 0.33)"
    lab.close()


def test_logit_lab_multilabel_example():
    # θ = (8, −8, 8), true classes 1 and 3: the sigmoids get both right (tiny loss),
    # the softmax can give each at most its share of 1.
    lab = LogitLab(theta1=8.0, theta2=-8.0, theta3=8.0, target="classes 1 and 3")
    read = lab.readout_values()
    assert float(read["Σ_j σ(θ_j) (need not be 1)"]) > 1.99
    assert float(read["sigmoid cross entropy C"]) < 0.01
    assert float(read["softmax cross entropy C"]) == pytest.approx(np.log(2), abs=1e-3)
    lab.close()


# -------------------------------------------------------------------- ThreeClassLab
def assert_training_lab_shows(lab):
    v = lab.values()
    net, history = train_three_class(v["loss"], lab.X, lab.t, hidden=v["hidden"],
                                     eta=v["eta"], epochs=v["epochs"])
    np.testing.assert_array_equal(lab.loss_line.get_xdata(), np.arange(v["epochs"] + 1))
    np.testing.assert_allclose(lab.loss_line.get_ydata(), history.loss)
    np.testing.assert_allclose(lab.acc_line.get_ydata(), history.accuracy)
    O = decision_grid(net, lab.X, resolution=lab.resolution)[2]
    np.testing.assert_allclose(lab.image.get_array(), region_image(O))
    assert lab.axes[0].get_ylim()[1] >= max(history.loss)
    read = lab.readout_values()
    symbol = "E" if v["loss"] == "quadratic" else "C"  # the lecture's name for that loss
    assert read[f"{symbol} after training"] == f"{history.loss[-1]:.4f}"
    assert read["accuracy after training"] == f"{history.accuracy[-1]:.3f}"
    assert read[f"{symbol} before training"] == f"{history.loss[0]:.4f}"
    reached = [e for e, a in enumerate(history.accuracy) if a >= 0.9]
    assert read["first epoch with accuracy ≥ 0.9"] == (str(reached[0]) if reached
                                                        else "not reached")


def test_training_lab_every_slider():
    lab = ThreeClassLab(epochs=50)
    assert lab.X.shape == (300, 2)
    assert_training_lab_shows(lab)
    for name in ("eta", "hidden", "epochs"):
        slider = lab.controls[name]
        for value in (slider.min, slider.max):
            slider.value = value
            assert_training_lab_shows(lab)
        slider.value = {"eta": 2.0, "hidden": 10, "epochs": 50}[name]
    for loss in ("quadratic", "cross_entropy", "softmax_cross_entropy"):
        lab.controls["loss"].value = loss
        assert_training_lab_shows(lab)
        lab.set(eta=100.0, hidden=2, epochs=lab.max_epochs)  # diverging, saturated nets
        assert_training_lab_shows(lab)
        lab.set(eta=2.0, hidden=10, epochs=50)
    lab.close()


def test_training_lab_default_learns():
    lab = ThreeClassLab()
    assert float(lab.readout_values()["accuracy after training"]) > 0.95
    lab.close()


def test_region_image_is_white_where_no_output_fires():
    O = np.array([[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    image = region_image(O)
    np.testing.assert_allclose(image[0, 0], [1, 1, 1])
    assert image.min() >= 0 and image.max() <= 1


# --------------------------------------------------------------- static comparison
def test_compare_losses_same_start_and_figure():
    X, t = three_class_problem(60, seed=0)
    results = compare_losses(X, t, hidden=5, eta=2.0, epochs=20, seed=3)
    assert list(results) == ["quadratic", "cross_entropy", "softmax_cross_entropy"]
    first_layers = [MLP([2, 5, 3], name, seed=3).weights[0] for name in results]
    for W in first_layers[1:]:
        np.testing.assert_array_equal(W, first_layers[0])  # same initial weights
    for _, history in results.values():
        assert len(history.loss) == 21
    fig = plot_loss_comparison(results, X, t, resolution=20)
    assert isinstance(fig, Figure)
    loss_axis = fig.axes[0]
    np.testing.assert_allclose(loss_axis.lines[1].get_ydata(), results["cross_entropy"][1].loss)


# ---------------------------------------------------------------------- exercises
def not_written(*args):
    raise NotImplementedError


def test_cross_entropy_delta_check():
    assert ex.check_cross_entropy_delta(lambda O, y: O - y).ok
    assert "not written yet" in ex.check_cross_entropy_delta(not_written).message
    assert "kept σ'" in ex.check_cross_entropy_delta(lambda O, y: O * (1 - O) * (O - y)).message
    assert "sign flip" in ex.check_cross_entropy_delta(lambda O, y: y - O).message


def test_output_weight_gradient_check():
    def by_loops(O_prev, O, y, target_index="j"):
        N, n, M = O.shape[0], O_prev.shape[1], O.shape[1]
        grad = np.zeros((n, M))
        for i in range(n):
            for j in range(M):
                y_col = y[:, j] if target_index == "j" else y[:, i]
                grad[i, j] = np.sum(O_prev[:, i] * (O[:, j] - y_col)) / N
        return grad

    assert ex.check_output_weight_gradient(by_loops).ok
    assert ex.check_output_weight_gradient(lambda a, O, y: a.T @ (O - y) / len(O)).ok
    wrong = {
        "used y_i instead of y_j": partial(by_loops, target_index="i"),
        "transposed W": lambda a, O, y: (O - y).T @ a / len(O),
        "kept σ'": lambda a, O, y: a.T @ (O * (1 - O) * (O - y)) / len(O),
        "sign flip": lambda a, O, y: a.T @ (y - O) / len(O),
        "forgot 1/N": lambda a, O, y: a.T @ (O - y),
    }
    for name, f in wrong.items():
        feedback = ex.check_output_weight_gradient(f)
        assert not feedback.ok and feedback.message.startswith(name), (name, feedback)
    assert "not written yet" in ex.check_output_weight_gradient(not_written).message


def test_softmax_check():
    def stable(theta):
        e = np.exp(theta - theta.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def naive(theta):
        return np.exp(theta) / np.exp(theta).sum(axis=1, keepdims=True)

    def global_shift(theta):
        e = np.exp(theta - np.max(theta))
        return e / np.sum(e, axis=1, keepdims=True)

    def columns(theta):
        e = np.exp(theta - theta.max(axis=0))
        return e / e.sum(axis=0)

    assert ex.check_softmax(stable).ok
    assert ex.check_softmax(SoftmaxCrossEntropyLoss().output).ok
    # Runs under filterwarnings=error: the overflow must not escape as a warning.
    assert ex.check_softmax(naive).message.startswith("no max shift: overflow")
    assert ex.check_softmax(global_shift).message.startswith("shifted by the global max")
    assert ex.check_softmax(columns).message.startswith("normalised over the wrong axis")
    assert not ex.check_softmax(lambda theta: theta / theta.sum(axis=1, keepdims=True)).ok
    assert "not written yet" in ex.check_softmax(not_written).message


# ------------------------------------------------- output units and their losses
def test_linear_quadratic_loss_delta_is_o_minus_t():
    rng = np.random.default_rng(3)
    theta, t = 5 * rng.standard_normal((6, 2)), 3 * rng.standard_normal((6, 2))  # t real
    loss = LinearQuadraticLoss()
    np.testing.assert_array_equal(loss.output(theta), theta)
    np.testing.assert_allclose(loss.delta(theta, t), theta - t, rtol=0, atol=0)
    assert loss.value(theta, t) == pytest.approx(0.5 * np.sum((theta - t) ** 2) / 6, rel=1e-12)
    assert gradcheck.check_loss(loss, theta, t) < 1e-7
    with pytest.raises(ValueError, match="t"):
        loss.value(theta, np.full((6, 2), np.nan))


def test_misclassified_outputs():
    X, y = three_class_problem(60, seed=0)
    net, _ = train_three_class("quadratic", X, y, hidden=4, eta=2.0, epochs=5)
    wrong = misclassified_outputs(net, X, y)
    O = net.predict(X)
    expected = [n for n in range(60) if O[n].argmax() != y[n].argmax()]
    assert list(wrong["index"]) == expected and expected
    for k, n in enumerate(expected):
        assert wrong["true"][k] == O[n, y[n].argmax()]
        assert wrong["winner"][k] == O[n].max() > wrong["true"][k]
