"""Notebook 01's figures, TrainingLab and exercise checks draw what the package computes."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from lecture_mlp import MLP
from lecture_mlp.data import decision_grid
from lecture_mlp.exercises import backprop as ex
from lecture_mlp.labs.backprop import (
    TrainingLab,
    first_epoch_above,
    format_matrix,
    plot_network,
    plot_training,
    train_network,
    xor_data,
)


@pytest.fixture
def lab():
    lab = TrainingLab()
    yield lab
    lab.close()


def assert_pixels_centred_on_grid(image, xx, yy):
    """Pixel (r, c) of the image sits on the grid point (xx[r, c], yy[r, c])."""
    left, right, bottom, top = image.get_extent()
    n_rows, n_cols = xx.shape
    centres_x = left + (np.arange(n_cols) + 0.5) * (right - left) / n_cols
    centres_y = bottom + (np.arange(n_rows) + 0.5) * (top - bottom) / n_rows
    np.testing.assert_allclose(centres_x, xx[0], atol=1e-12)
    np.testing.assert_allclose(centres_y, yy[:, 0], atol=1e-12)


def assert_lab_shows(lab, eta, width, epochs, loss):
    """The loss line, the decision-region image and the readout equal a fresh net
    trained by the package with the same values."""
    X, t = xor_data()
    net = MLP([2, width, 1], loss, seed=0)
    history = net.train(X, t, eta=eta, epochs=epochs)
    x, y = lab.loss_line.get_data()
    np.testing.assert_array_equal(x, np.arange(epochs + 1))
    np.testing.assert_allclose(y, history.loss, rtol=1e-12)
    xx, yy, O = decision_grid(net, X, resolution=lab.resolution)
    np.testing.assert_allclose(np.asarray(lab.image.get_array()), O[:, :, 0], rtol=1e-12)
    assert_pixels_centred_on_grid(lab.image, xx, yy)
    assert lab.ax_loss.get_xlim() == (0, epochs)
    lo, hi = lab.ax_loss.get_ylim()
    assert lo <= min(history.loss) and max(history.loss) <= hi
    values = lab.readout_values()
    assert values == {"loss before training": f"{history.loss[0]:.4f}",
                      "final loss": f"{history.loss[-1]:.4f}",
                      "final accuracy": f"{history.accuracy[-1]:.1%}",
                      "first epoch above 90 % accuracy": first_epoch_above(history.accuracy,
                                                                            0.9)}
    assert np.isfinite(y).all() and np.isfinite(O).all()


def test_default_state(lab):
    v = lab.values()
    assert v == {"eta": 2.0, "width": 4, "epochs": 500, "loss": "quadratic"}
    assert_lab_shows(lab, **v)


@pytest.mark.parametrize("name, extreme", [
    ("eta", "min"), ("eta", "max"), ("width", "min"), ("width", "max"),
    ("epochs", "min"), ("epochs", "max"),
])
def test_every_slider_at_its_extremes(lab, name, extreme):
    control = lab.controls[name]
    bound = getattr(control, extreme)
    if name == "eta":  # a FloatLogSlider's min/max are exponents of its base
        bound = control.base ** bound
    control.value = bound
    assert_lab_shows(lab, **lab.values())


@pytest.mark.parametrize("loss", ["quadratic", "cross_entropy"])
def test_loss_selector_at_the_corners(lab, loss):
    """Both losses at the largest η, widest net and most epochs, and at the smallest."""
    lab.set(loss=loss, eta=10 ** 1.5, width=16, epochs=1000)
    assert_lab_shows(lab, **lab.values())
    lab.set(eta=0.01, width=1, epochs=10)
    assert_lab_shows(lab, **lab.values())
    assert lab.ax_loss.get_title() == {"quadratic": "quadratic E = ½(O − t)²",
                                       "cross_entropy": "cross entropy C"}[loss]


def test_lab_updates_in_place(lab):
    artists = (lab.loss_line, lab.image, len(lab.fig.axes), len(lab.ax_reg.images))
    lab.controls["width"].value = 9
    lab.controls["loss"].value = "cross_entropy"
    assert (lab.loss_line, lab.image, len(lab.fig.axes), len(lab.ax_reg.images)) == artists


def test_lab_rejects_unknown_controls():
    with pytest.raises(ValueError, match="unknown control"):
        TrainingLab(theta=1.0)


def test_lab_readout_is_deterministic():
    a, b = TrainingLab(eta=0.5, width=7), TrainingLab()
    b.set(eta=0.5, width=7)
    try:
        assert a.readout.value == b.readout.value
    finally:
        a.close()
        b.close()


def test_train_network_is_mlp_train():
    X, t = xor_data()
    net, history = train_network(X, t, loss="cross_entropy", eta=1.0, width=3, epochs=20)
    twin = MLP([2, 3, 1], "cross_entropy", seed=0)
    assert twin.train(X, t, eta=1.0, epochs=20).loss == history.loss
    for W, W_twin in zip(net.weights, twin.weights):
        np.testing.assert_array_equal(W, W_twin)


def test_plot_training_shows_the_history_and_the_regions():
    X, t = xor_data()
    net, history = train_network(X, t, eta=2.0, width=8, epochs=50)
    fig = plot_training(net, X, t, history, resolution=40)
    assert isinstance(fig, Figure)
    ax_loss, ax_reg = fig.axes[:2]
    np.testing.assert_allclose(ax_loss.lines[0].get_ydata(), history.loss)
    xx, yy, O = decision_grid(net, X, resolution=40)
    np.testing.assert_allclose(np.asarray(ax_reg.images[0].get_array()), O[:, :, 0])
    assert_pixels_centred_on_grid(ax_reg.images[0], xx, yy)
    assert f"{history.accuracy[-1]:.1%}" in ax_loss.get_title()
    assert not plt.get_fignums()  # built outside pyplot: nothing left open


def test_plot_network_writes_out_every_weight():
    net = MLP([2, 3, 1], "quadratic", seed=1)
    fig = plot_network(net)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    for W, b in zip(net.weights, net.biases):
        for v in (*W.ravel(), *b):
            assert f"{v:+.2f}" in text
    edges = [line for line in fig.axes[0].lines]
    assert len(edges) == 2 * 3 + 3 * 1


def test_decade_limits_bracket_the_losses():
    from lecture_mlp.labs.backprop import _decade_limits

    assert _decade_limits([0.125, 0.0121]) == (0.01, 1.0)
    assert _decade_limits([0.1, 0.1]) == (0.1, 1.0)  # never two equal limits
    lo, hi = _decade_limits([0.0, 0.5])  # a loss that underflowed to 0: still finite
    assert 0 < lo < hi == 1.0


def test_first_epoch_above():
    assert first_epoch_above([0.5, 0.9, 0.95, 0.8], 0.9) == "2"  # strictly above
    assert first_epoch_above([0.5, 0.6], 0.9) == "never"


def test_format_matrix():
    assert format_matrix([[0.5, -1.0], [2.0, 0.0]]) == "+0.5000  -1.0000\n+2.0000  +0.0000"
    assert format_matrix([1.0, 2.0], fmt="{:.1f}") == "1.0  2.0"


# ------------------------------------------------------------------- exercise checks
def not_written(*args):
    raise NotImplementedError


@pytest.mark.parametrize("check, reference, mistakes", [
    (ex.check_quadratic_delta, ex.quadratic_delta_reference, ex.QUADRATIC_DELTA_MISTAKES),
    (ex.check_hidden_delta, ex.hidden_delta_reference, ex.HIDDEN_DELTA_MISTAKES),
    (ex.check_weight_step, ex.weight_step_reference, ex.WEIGHT_STEP_MISTAKES),
])
def test_each_check_names_each_mistake(check, reference, mistakes):
    assert check(reference).ok
    assert "not written yet" in check(not_written).message
    for message, wrong in mistakes.items():
        feedback = check(wrong)
        assert not feedback.ok and feedback.message == message


def test_the_named_mistakes_of_the_brief():
    O_t = ex.check_quadratic_delta
    assert O_t(lambda O, t: O - t).message.startswith("missing σ'(θ)")
    assert O_t(lambda O, t: O * (1 - O) * (t - O)).message.startswith("sign flip (t − O)")
    hid = ex.check_hidden_delta
    assert hid(lambda O, W, d: O * (1 - O) * (d @ W)).message.startswith(
        "used W instead of Wᵀ / wrong index")
    assert hid(lambda O, W, d: d @ W.T).message.startswith("missing σ'(θ^k)")
    step = ex.check_weight_step
    assert step(lambda W, O, d, eta: W - eta * O.T @ d).message.startswith("missing 1/N")


def test_reference_solutions_agree_with_the_package():
    """The exercises' formulas are the package's backprop: δ^K, δ^k and one step."""
    X, t = xor_data(n=8)
    net = MLP([2, 3, 1], "quadratic", seed=3)
    O0, O1, O2 = net.forward(X)
    delta2 = ex.quadratic_delta_reference(O2, t)
    np.testing.assert_allclose(delta2, net.loss_fn.delta(net.theta(X), t))
    delta1 = ex.hidden_delta_reference(O1, net.weights[1], delta2)
    grad_W, _ = net.gradients(X, t)
    np.testing.assert_allclose(O0.T @ delta1 / len(X), grad_W[0])
    stepped = net.copy()
    stepped.epoch(X, t, eta=0.7)
    np.testing.assert_allclose(ex.weight_step_reference(net.weights[1], O1, delta2, 0.7),
                               stepped.weights[1])


def test_solution_variants_that_are_right_pass():
    """Equivalent ways of writing the right answer are accepted."""
    from lecture_mlp import sigmoid_prime

    assert ex.check_quadratic_delta(lambda O, t: (O - t) * O - (O - t) * O ** 2).ok
    assert ex.check_hidden_delta(lambda O, W, d: np.einsum("ij,nj->ni", W, d) * O * (1 - O)).ok
    assert ex.check_weight_step(
        lambda W, O, d, eta: W - eta * np.mean(O[:, :, None] * d[:, None, :], axis=0)).ok
    # σ'(θ) from θ is right too, when θ is recovered from O
    assert ex.check_quadratic_delta(
        lambda O, t: sigmoid_prime(np.log(O / (1 - O))) * (O - t)).ok
