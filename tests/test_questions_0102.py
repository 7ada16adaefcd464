"""Every "Things to try" of notebooks 01 and 02 is answerable with its lab's controls.

Each test sets the controls the question implies, the way a reader would (the lab's
own sliders, kernel-less under Agg), and reads the answer off what the reader sees:
the readout and the figure's data. The numbers are the ones the notebooks' prose
states (and asserts again with the package, in the notebooks' answer cells).
"""

import numpy as np
import pytest

from lecture_mlp.labs.backprop import TrainingLab
from lecture_mlp.labs.slowdown import GridLab, SingleNeuronLab, ThetaLab

QUAD, CE = "(quadratic)", "(cross entropy)"


@pytest.fixture
def training_lab():
    lab = TrainingLab()
    yield lab
    lab.close()


# ------------------------------------------------------------ notebook 01, TrainingLab
def test_01_default_plateau_and_cross_entropy_passes_90_percent_in_a_quarter(training_lab):
    lab = training_lab
    r = lab.readout_values()
    assert r["first epoch above 90 % accuracy"] == "449"
    losses = np.asarray(lab.loss_line.get_ydata())
    assert int(np.argmax(losses < 0.12)) == 382  # "on the 0.125 plateau for about 400 epochs"
    lab.controls["loss"].value = "cross_entropy"
    assert lab.readout_values()["first epoch above 90 % accuracy"] == "115"
    assert 0.2 < 115 / 449 < 0.3  # "about a quarter of the epochs"


def test_01_one_hidden_unit_depends_on_the_loss(training_lab):
    lab = training_lab
    lab.controls["width"].value = 1
    r = lab.readout_values()
    assert (r["final accuracy"], r["final loss"]) == ("50.0%", "0.1250")  # quadratic: plateau
    lab.controls["loss"].value = "cross_entropy"
    assert lab.readout_values()["final accuracy"] == "73.5%"
    lab.controls["epochs"].value = 1000
    assert lab.readout_values()["final accuracy"] == "74.5%"  # below the best line's 75 %


def test_01_tiny_eta_only_creeps(training_lab):
    lab = training_lab
    lab.set(eta=0.01, epochs=1000)
    r = lab.readout_values()
    assert (r["final loss"], r["final accuracy"]) == ("0.1262", "50.0%")
    lab.controls["loss"].value = "cross_entropy"
    r = lab.readout_values()
    assert (r["final loss"], r["final accuracy"]) == ("0.6931", "51.5%")


def test_01_largest_eta_cross_entropy_jumps_quadratic_hardly_rises(training_lab):
    lab = training_lab
    eta = lab.controls["eta"]
    eta.value = eta.base ** eta.max  # the slider's largest η, about 32
    assert round(eta.value) == 32
    losses = np.asarray(lab.loss_line.get_ydata())
    assert (round(losses[0], 3), round(losses.max(), 3)) == (0.137, 0.179)
    lab.controls["loss"].value = "cross_entropy"
    losses = np.asarray(lab.loss_line.get_ydata())
    assert (round(losses[0], 3), round(losses.max(), 3)) == (0.744, 5.472)
    assert int(np.argmax(losses)) <= 5  # "in the first epochs"


# ------------------------------------------------------------ notebook 02, ThetaLab
def test_02_theta_lab_default_and_largest_quadratic_delta():
    lab = ThetaLab()
    try:
        r = lab.readout_values()
        assert r["cross-entropy δ = O − t"] == "+0.982"
        assert r["quadratic δ = (O − t)σ'(θ)"] == "+0.01735"
        # With t = 0, every θ the slider offers: the largest quadratic δ is at θ = 0.7.
        lab.controls["t"].value = 0.0
        slider = lab.controls["theta"]
        shown = {}
        for tenth in range(-20, 21):  # θ in [−2, 2]; beyond it the delta only falls
            slider.value = tenth / 10
            shown[tenth / 10] = float(lab.readout_values()["quadratic δ = (O − t)σ'(θ)"])
        best = max(shown, key=shown.get)
        assert best == 0.7 and f"{shown[best]:.4f}" == "0.1481"
        curve = lab.curves["quadratic"].get_ydata()  # the whole curve agrees
        assert abs(curve.max() - 4 / 27) < 1e-3
        slider.value = -4.0
        r = lab.readout_values()
        assert float(r["cross-entropy δ = O − t"]) == pytest.approx(0.018, abs=5e-4)
        assert float(r["quadratic δ = (O − t)σ'(θ)"]) == pytest.approx(0.00032, abs=5e-6)
        # t = 1 mirrors; t = 0.5 puts both zeros at θ = 0
        q0 = lab.curves["quadratic"].get_ydata().copy()
        lab.controls["t"].value = 1.0
        np.testing.assert_allclose(lab.curves["quadratic"].get_ydata(), -q0[::-1], atol=1e-15)
        lab.controls["t"].value = 0.5
        grid = lab.grid
        for name in ("quadratic", "cross_entropy"):
            y = lab.curves[name].get_ydata()
            assert y[grid == 0.0][0] == 0 and np.all(y[grid < 0] < 0) and np.all(y[grid > 0] > 0)
    finally:
        lab.close()


# ------------------------------------------------------------ notebook 02, SingleNeuronLab
@pytest.fixture
def neuron_lab():
    lab = SingleNeuronLab()
    yield lab
    lab.close()


def test_02_quadratic_gradient_peaks_at_215_and_crosses_at_111(neuron_lab):
    lab = neuron_lab
    grad_q = lab.lines["grad_w", "quadratic"].get_ydata()
    grad_c = lab.lines["grad_w", "cross_entropy"].get_ydata()
    assert int(np.argmax(grad_q)) == 215
    assert int(np.argmax(grad_q > grad_c)) == 111 and round(grad_c[0] / grad_q[0]) == 57
    lab.controls["epoch"].value = 215
    assert lab.readout_values()[f"O = σ(θ) {QUAD}"] == "0.6637"  # O passes 2/3 here


def test_02_eta_one(neuron_lab):
    neuron_lab.controls["eta"].value = 1.0
    r = neuron_lab.readout_values()
    label = "epochs until O is on t's side of 0.5"
    assert (r[f"{label} {QUAD}"], r[f"{label} {CE}"]) == ("36", "3")


def test_02_saturated_start_quadratic_barely_moves(neuron_lab):
    lab = neuron_lab
    lab.set(w0=-6.0, b0=-6.0, x=2.0, t=1.0, eta=10.0, epochs=1000, epoch=0)
    r = lab.readout_values()
    assert r[f"θ = w x + b {QUAD}"] == "-18.0000"
    assert float(r[f"σ'(θ) = O(1 − O) {QUAD}"]) == pytest.approx(1.5e-8, rel=0.02)
    lab.controls["epoch"].value = 1000
    theta_1000 = float(lab.readout_values()[f"θ = w x + b {QUAD}"])
    assert theta_1000 == -17.9992 and theta_1000 + 18 < 0.001
    lab.controls["epoch"].value = 1
    assert lab.readout_values()[f"θ = w x + b {CE}"] == "32.0000"


def test_02_zero_input_and_half_target(neuron_lab):
    lab = neuron_lab
    lab.controls["x"].value = 0.0
    for loss in ("quadratic", "cross_entropy"):
        assert not np.any(lab.lines["grad_w", loss].get_ydata())
    lab.set(x=1.0, t=0.5)
    cost = lab.lines["cost", "cross_entropy"].get_ydata()
    assert round(cost[-1], 3) == round(np.log(2), 3) == 0.693
    assert lab.lines["grad_w", "cross_entropy"].get_ydata()[-1] < 1e-9


# ------------------------------------------------------------ notebook 02, GridLab
def test_02_grid_lab_questions():
    lab = GridLab()
    try:
        r = lab.readout_values()
        share = "starts not learned within the budget"
        assert (r[f"{share} {QUAD}"], r[f"{share} {CE}"]) == ("11%", "0%")
        assert r[f"slowest start that learned {CE}"] == "30 epochs"
        # constant along x w0 + b0 = const: with x = 1, one step right and one down. On
        # the line θ0 = 0 itself O = ½ exactly, and rounding decides between 0 and 1 epoch.
        image = np.asarray(lab.images["quadratic"].get_array())
        off_boundary = np.abs(lab.w0 + lab.b0)[1:, :-1] > 1e-9
        np.testing.assert_array_equal(image[1:, :-1][off_boundary], image[:-1, 1:][off_boundary])
        lab.controls["x"].value = 0.5  # the bands turn: now the diagonal is not constant
        image = np.asarray(lab.images["quadratic"].get_array())
        assert np.any(image[1:, :-1] != image[:-1, 1:])
        lab.set(x=1.0, eta=0.01, epochs=50)
        r = lab.readout_values()
        assert (r[f"{share} {QUAD}"], r[f"{share} {CE}"]) == ("49%", "43%")
        lab.controls["epochs"].value = 1000
        r = lab.readout_values()
        assert (r[f"{share} {QUAD}"], r[f"{share} {CE}"]) == ("25%", "0%")
    finally:
        lab.close()
