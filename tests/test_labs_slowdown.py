"""Labs, figures and exercise checks of notebook 02 (the problem with the quadratic loss).

Every plotted array is compared with what the package computes for the same control
values, at the defaults and at every slider's extremes; pytest turns warnings into
errors, so a slider position that warns fails here.
"""


import numpy as np
import pytest

from lecture_mlp import CrossEntropyLoss, QuadraticLoss, sigmoid, sigmoid_prime
from lecture_mlp.exercises import slowdown as ex
from lecture_mlp.labs.slowdown import (
    LOSSES,
    STARTS,
    GridLab,
    SingleNeuronLab,
    ThetaLab,
    dC_dO,
    epochs_to_learn_grid,
    gradient_split,
    sigmoid_figure,
    theta_factors,
    training_figure,
)
from lecture_mlp.neuron import simulate


def extremes(lab):
    """(name, value) for the min and max of every slider of ``lab``."""
    return [(name, getattr(c, bound)) for name, c in lab.controls.items()
            for bound in ("min", "max")]


# --------------------------------------------------------------------------- maths
def test_theta_factors_against_the_losses():
    theta = np.linspace(-12, 12, 97)
    for t in (0.0, 0.3, 1.0):
        f = theta_factors(theta, t)
        T = np.full((theta.size, 1), t)
        np.testing.assert_allclose(f["quadratic"][:, None],
                                   QuadraticLoss().delta(theta[:, None], T))
        np.testing.assert_allclose(f["cross_entropy"][:, None],
                                   CrossEntropyLoss().delta(theta[:, None], T))
        np.testing.assert_allclose(f["quadratic"], f["cross_entropy"] * f["sigma_prime"])
    assert theta_factors(0.0, 0)["sigma_prime"] == 0.25


@pytest.mark.parametrize("loss", LOSSES)
def test_dC_dO_times_sigma_prime_is_the_package_delta(loss):
    O = np.array([0.01, 0.2, 0.5, 0.9, 0.999])
    for t in (0.0, 0.4, 1.0):
        expected = {"quadratic": QuadraticLoss(), "cross_entropy": CrossEntropyLoss()}[loss]
        np.testing.assert_allclose(dC_dO(loss, O, t) * O * (1 - O),
                                   expected.delta_from_output(O, np.full_like(O, t)))
    with pytest.raises(ValueError, match="quadratic"):
        dC_dO("softmax_cross_entropy", O, 0.0)


@pytest.mark.parametrize("loss", LOSSES)
def test_gradient_split_multiplies_to_the_runs_gradient(loss):
    run = simulate(2.0, 2.0, x=-1.3, y=0.2, eta=0.5, epochs=60, loss=loss)
    for e in (0, 1, 30, 60):
        split = gradient_split(run, e)
        assert split["product"] == pytest.approx(split["grad_w"], rel=1e-12, abs=1e-15)
        assert split["grad_w"] == run.grad_w[e]
        assert split["sigma_prime"] == pytest.approx(split["O"] * (1 - split["O"]))
        if loss == "cross_entropy":  # σ'(θ) cancels: the product is (O − t) x
            assert split["product"] == pytest.approx(split["error_x"], rel=1e-12)
        else:
            assert split["product"] == pytest.approx(split["error_x"] * split["sigma_prime"])


def test_canonical_numbers():
    q = {name: simulate(w, b, loss="quadratic") for name, (w, b) in STARTS.items()}
    assert int(q["(0.6, 0.9)"].epochs_to_learn()) == 36
    assert int(q["(2, 2)"].epochs_to_learn()) == 232
    assert round(float(q["(0.6, 0.9)"].output[300]), 3) == 0.094
    assert round(float(q["(2, 2)"].output[300]), 3) == 0.203
    assert round(float(simulate(2, 2, loss="cross_entropy").output[50]), 3) == 0.099


def test_epochs_to_learn_grid_matches_single_runs():
    w0, b0 = np.meshgrid([-1.0, 0.6, 2.0], [0.9, 2.0])
    grid = epochs_to_learn_grid(w0, b0, x=0.7, eta=0.3, epochs=120)
    for loss in LOSSES:
        for i, j in np.ndindex(w0.shape):
            run = simulate(w0[i, j], b0[i, j], x=0.7, eta=0.3, epochs=120, loss=loss)
            assert grid[loss][i, j] == run.epochs_to_learn()


def test_static_figures():
    fig = sigmoid_figure()
    ax_s, ax_p = fig.axes
    theta, s = ax_p.lines[0].get_data()
    np.testing.assert_allclose(s, sigmoid_prime(theta))
    np.testing.assert_allclose(ax_s.lines[0].get_ydata(), sigmoid(theta))
    runs = {"quadratic, (2, 2)": simulate(2, 2, loss="quadratic"),
            "cross entropy, (2, 2)": simulate(2, 2, loss="cross_entropy")}
    fig = training_figure(runs)
    ax_o, ax_c = fig.axes
    for k, run in enumerate(runs.values()):
        np.testing.assert_array_equal(ax_o.lines[2 * k].get_ydata(), run.output)
        np.testing.assert_array_equal(ax_c.lines[k].get_ydata(), run.cost)
    # The dots sit at the first epoch below 0.5: 232 (quadratic) and 17 (cross entropy).
    assert ax_o.lines[1].get_xdata()[0] == 232
    assert ax_o.lines[3].get_xdata()[0] == 17


# --------------------------------------------------------------------------- ThetaLab
def check_theta_lab(lab):
    theta, t = lab.controls["theta"].value, lab.controls["t"].value
    grid = lab.grid
    O, s = sigmoid(grid), sigmoid_prime(grid)
    np.testing.assert_allclose(lab.curves["quadratic"].get_ydata(), (O - t) * s)
    np.testing.assert_allclose(lab.curves["cross_entropy"].get_ydata(), O - t)
    O0, s0 = float(sigmoid(theta)), float(sigmoid_prime(theta))
    want = {"O": O0, "sigma_prime": s0, "quadratic": (O0 - t) * s0, "cross_entropy": O0 - t}
    for name, value in want.items():
        x, y = lab.markers[name].get_data()
        assert x[0] == theta and y[0] == pytest.approx(value)
    r = lab.readout_values()
    assert r["O = σ(θ)"] == f"{O0:.4f}"
    assert r["σ'(θ) = O(1 − O)"] == f"{s0:.4g}"
    assert r["quadratic δ = (O − t)σ'(θ)"] == f"{(O0 - t) * s0:+.4g}"
    assert r["cross-entropy δ = O − t"] == f"{O0 - t:+.4g}"


def test_theta_lab_every_slider():
    lab = ThetaLab()
    check_theta_lab(lab)
    assert lab.readout_values()["σ'(θ) = O(1 − O)"] == "0.01766"  # the (2, 2) start: θ = 4
    for name, value in extremes(lab) + [("theta", 0.0), ("t", 0.35), ("theta", -3.7)]:
        lab.controls[name].value = value
        check_theta_lab(lab)
    lab.close()


# --------------------------------------------------------------------------- SingleNeuronLab
def check_neuron_lab(lab):
    v = lab.values()
    epoch = v["epoch"]
    assert epoch <= v["epochs"] == lab.controls["epoch"].max
    r = lab.readout_values()
    for loss in LOSSES:
        run = simulate(v["w0"], v["b0"], x=v["x"], y=v["t"], eta=v["eta"], epochs=v["epochs"],
                       loss=loss)
        want = {"output": run.output, "cost": run.cost, "grad_w": np.abs(run.grad_w)}
        for panel, data in want.items():
            np.testing.assert_array_equal(lab.lines[panel, loss].get_ydata(), data)
            np.testing.assert_array_equal(lab.lines[panel, loss].get_xdata(),
                                          np.arange(v["epochs"] + 1))
            assert lab.dots[panel, loss].get_ydata()[0] == data[epoch]
        split = gradient_split(run, epoch)
        label = {"quadratic": "(quadratic)", "cross_entropy": "(cross entropy)"}[loss]
        assert r[f"O = σ(θ) {label}"] == f"{split['O']:.4f}"
        assert r[f"σ'(θ) = O(1 − O) {label}"] == f"{split['sigma_prime']:.4g}"
        assert r[f"∂L/∂w = ∂L/∂O · σ'(θ) · x {label}"] == f"{split['product']:+.4g}"
        # Equal up to rounding: the run's δ uses O(1 − O), whose 1 − O carries an absolute
        # rounding error of about 1e-16 (relative error large only where σ' ≈ 0), while
        # sigmoid_prime computes σ(θ)σ(−θ) accurately; |∂C/∂O · x| ≤ 2 scales it.
        assert split["product"] == pytest.approx(run.grad_w[epoch], rel=1e-9, abs=1e-15)
        e = int(run.epochs_to_learn())
        assert r[f"epochs until O is on t's side of 0.5 {label}"] == (
            str(e) if e <= v["epochs"] else f"not within {v['epochs']}")
    for text in r.values():
        assert "nan" not in text and "inf" not in text
    for line in lab.epoch_lines:
        assert list(line.get_xdata()) == [epoch, epoch]
    for ax in lab.axes.values():
        assert ax.get_xlim() == (0, v["epochs"])
        lo, hi = ax.get_ylim()
        assert np.isfinite(lo) and np.isfinite(hi) and hi > lo


def test_single_neuron_lab_defaults_are_the_2_2_start():
    lab = SingleNeuronLab()
    check_neuron_lab(lab)
    r = lab.readout_values()
    assert r["σ'(θ) = O(1 − O) (quadratic)"] == "0.01766"
    assert r["epochs until O is on t's side of 0.5 (quadratic)"] == "232"
    assert r["epochs until O is on t's side of 0.5 (cross entropy)"] == "17"
    lab.controls["epoch"].value = 50
    assert lab.readout_values()["O = σ(θ) (cross entropy)"] == "0.0985"
    lab.controls["epoch"].value = 300
    assert lab.readout_values()["O = σ(θ) (quadratic)"] == "0.2028"
    lab.close()


def test_single_neuron_lab_every_slider_extreme():
    lab = SingleNeuronLab()
    for name, value in extremes(lab):
        lab.controls[name].value = value
        check_neuron_lab(lab)
    lab.close()


def test_single_neuron_lab_corners_and_random_settings():
    """The saturating corners (|θ| = 18, η = 10) and seeded random settings stay finite."""
    lab = SingleNeuronLab()
    for w0, b0, x, t in [(-6, -6, 2, 1), (6, 6, 2, 0), (-6, -6, 2, 0.95), (6, 6, -2, 0.5)]:
        lab.set(w0=w0, b0=b0, x=x, t=t, eta=10.0, epochs=1000, epoch=3)
        check_neuron_lab(lab)
    rng = np.random.default_rng(0)
    for _ in range(12):
        epochs = int(rng.integers(1, 101)) * 10
        lab.set(w0=round(rng.uniform(-6, 6), 1), b0=round(rng.uniform(-6, 6), 1),
                x=round(rng.uniform(-2, 2), 1), t=round(rng.uniform(0, 1) / 0.05) * 0.05,
                eta=float(10 ** rng.uniform(-3, 1)), epochs=epochs,
                epoch=int(rng.integers(0, epochs + 1)))
        check_neuron_lab(lab)
    lab.close()


def test_single_neuron_lab_epoch_follows_epochs_and_presets():
    lab = SingleNeuronLab(epochs=500, epoch=400)  # initial values are kept in order
    assert lab.controls["epoch"].value == 400 and lab.controls["epoch"].max == 500
    lab.controls["epochs"].value = 100  # the epoch marker is clamped to the last epoch
    assert lab.controls["epoch"].value == 100
    check_neuron_lab(lab)
    for order in (("epochs", "epoch"), ("epoch", "epochs")):  # a larger budget and epoch
        lab.set(**{name: {"epochs": 300, "epoch": 250}[name] for name in order})
        assert lab.controls["epoch"].value == 250 and lab.controls["epoch"].max == 300
        check_neuron_lab(lab)
        lab.set(epochs=100)
        assert lab.controls["epoch"].value == 100
    buttons = lab.widget.children[0].children
    buttons[0].click()  # start (0.6, 0.9): the canonical example
    assert lab.values() == {"w0": 0.6, "b0": 0.9, "x": 1.0, "t": 0.0, "eta": 0.15,
                            "epochs": 300, "epoch": 0}
    check_neuron_lab(lab)
    assert lab.readout_values()["epochs until O is on t's side of 0.5 (quadratic)"] == "36"
    lab.set(w0=-3.0, x=0.5, eta=2.0)
    buttons[1].click()
    assert lab.values()["w0"] == 2.0 and lab.values()["b0"] == 2.0
    check_neuron_lab(lab)
    lab.close()
    small = SingleNeuronLab(epochs=50, epoch=400)  # the marker is clamped at construction
    assert small.controls["epoch"].value == 50 and small.controls["epoch"].max == 50
    check_neuron_lab(small)
    small.close()


def test_single_neuron_lab_readout_is_deterministic():
    values = {"w0": 1.3, "b0": -2.2, "x": 0.7, "t": 0.65, "eta": 0.42, "epochs": 240,
              "epoch": 77}
    a = SingleNeuronLab(**values)
    readout = a.readout.value
    a.close()
    b = SingleNeuronLab()  # one live lab per class: b is built after a is closed
    for name, value in values.items():
        b.controls[name].value = value
    assert readout == b.readout.value
    b.close()


# --------------------------------------------------------------------------- GridLab
def check_grid_lab(lab):
    v = lab.values()
    want = {loss: simulate(lab.w0, lab.b0, x=v["x"], eta=v["eta"], epochs=v["epochs"],
                           loss=loss).epochs_to_learn() for loss in LOSSES}
    for loss, image in lab.images.items():
        np.testing.assert_array_equal(image.get_array(), want[loss])
        assert image.norm is lab.norm  # one colour scale for both panels
    assert lab.norm.vmin == 0 and lab.norm.vmax == v["epochs"]
    r = lab.readout_values()
    for name, (w, b) in STARTS.items():
        for loss in LOSSES:
            e = int(simulate(w, b, x=v["x"], eta=v["eta"], epochs=v["epochs"],
                             loss=loss).epochs_to_learn())
            label = {"quadratic": "quadratic", "cross_entropy": "cross entropy"}[loss]
            assert r[f"from {name} ({label})"] == (
                str(e) if e <= v["epochs"] else f"not within {v['epochs']}")
    return r


def test_grid_lab_defaults_and_every_slider_extreme():
    lab = GridLab()
    assert lab.w0.shape == (50, 50) and lab.w0[0, 0] == -3.92 and lab.b0[-1, 0] == 3.92
    r = check_grid_lab(lab)
    assert r["from (2, 2) (quadratic)"] == "232"
    assert r["from (2, 2) (cross entropy)"] == "17"
    assert r["starts not learned within the budget (cross entropy)"] == "0%"
    for name, value in extremes(lab):
        lab.controls[name].value = value
        check_grid_lab(lab)
    lab.close()


# --------------------------------------------------------------------------- exercises
def _stub(*args):
    raise NotImplementedError


CASES = {
    "quadratic_delta": (ex.check_quadratic_delta, lambda O, t: O * (1 - O) * (O - t), {
        "missing σ'(θ)": lambda O, t: O - t,
        "sign flipped (t − O)": lambda O, t: O * (1 - O) * (t - O),
        "missing σ'(θ) and sign flipped": lambda O, t: t - O,
        "σ'(θ) written as (1 − O)²": lambda O, t: (1 - O) ** 2 * (O - t),
    }),
    "cross_entropy_delta": (ex.check_cross_entropy_delta, lambda O, y: O - y, {
        "σ'(θ) kept: that's the quadratic delta shape": lambda O, y: O * (1 - O) * (O - y),
        "sign flipped (y − O)": lambda O, y: y - O,
        "that is ∂C/∂O": lambda O, y: (O - y) / (O * (1 - O)),
    }),
    "cross_entropy_grad_w": (ex.check_cross_entropy_grad_w, lambda O, y, x: (O - y) * x, {
        "missing x": lambda O, y, x: O - y,
        "σ'(θ) kept": lambda O, y, x: O * (1 - O) * (O - y) * x,
        "sign flipped (y − O)": lambda O, y, x: (y - O) * x,
    }),
}


@pytest.mark.parametrize("name", CASES)
def test_exercise_checks(name):
    check, right, wrong = CASES[name]
    feedback = check(right)
    assert feedback.ok and repr(feedback).startswith("Correct: ")
    stub = check(_stub)
    assert not stub.ok and "not written yet" in stub.message
    for message, fn in wrong.items():
        feedback = check(fn)
        assert not feedback.ok and feedback.message.startswith(message), (message, feedback)
    feedback = check(lambda *args: 2 * right(*args))
    assert not feedback.ok and "differs from the expected values" in feedback.message


def test_nice_ceiling_is_a_small_step_above():
    from lecture_mlp.labs.slowdown import _nice_ceiling

    for value in [1e-7, 0.0031, 0.099, 0.1, 0.97, 1.0, 1.01, 4.2, 7.9, 8.0, 8.01, 12345.0]:
        top = _nice_ceiling(value)
        assert value <= top <= value * 4 / 3 * (1 + 1e-12)  # steps of at most 4/3
    assert _nice_ceiling(4.2) == 5 and _nice_ceiling(0.0031) == 0.004


def test_single_neuron_lab_blits_small_moves():
    # A drag moves w₀ by 0.1 at a time: most steps keep the axes and blit.
    lab = SingleNeuronLab()
    try:
        lab.fig.canvas.draw()
        renders = []
        lab.fig.canvas.mpl_connect("draw_event", renders.append)
        for w0 in np.arange(2.1, 3.05, 0.1):
            lab.controls["w0"].value = round(float(w0), 1)
        assert len(renders) <= 3  # of 10 steps
    finally:
        lab.close()
