"""Labs, figures and exercise checks of notebook 03 (two-class cross entropy)."""


import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from lecture_mlp import CrossEntropyLoss, QuadraticLoss, sigmoid, sigmoid_prime
from lecture_mlp.exercises import two_class as ex
from lecture_mlp.gradcheck import numerical_gradient, rel_error
from lecture_mlp.labs import two_class as tc
from lecture_mlp.losses import get_loss
from lecture_mlp.neuron import simulate


def logit(o):
    return np.log(o) - np.log1p(-o)


# --- LikelihoodLab -------------------------------------------------------------------

@pytest.mark.parametrize("o", [0.001, 0.3, 0.7, 0.999])
@pytest.mark.parametrize("y", [0.0, 0.35, 1.0])
def test_likelihood_lab_plots_the_likelihood_and_the_package_cross_entropy(o, y):
    lab = tc.LikelihoodLab()
    lab.controls["o"].value = o
    lab.controls["y"].value = y
    grid = lab.grid
    np.testing.assert_allclose(lab.curve_l.get_ydata(), grid ** y * (1 - grid) ** (1 - y),
                               rtol=1e-12)
    # Independent oracle: the package's loss computed from θ = log(o / (1 − o)).
    C = CrossEntropyLoss().per_sample(logit(grid)[:, None], np.full((grid.size, 1), y))
    np.testing.assert_allclose(lab.curve_c.get_ydata(), C, rtol=1e-9)
    assert np.all(lab.curve_c.get_ydata() < lab.c_max)  # the whole curve is on screen
    L = o ** y * (1 - o) ** (1 - y)
    assert lab.mark_l.get_ydata()[0] == pytest.approx(L)
    assert lab.mark_c.get_ydata()[0] == pytest.approx(-np.log(L))
    assert lab.best[0].get_xdata()[0] == y
    r = lab.readout_values()
    assert r["likelihood o^y (1 − o)^(1−y)"] == f"{L:.4f}"
    assert r["log-likelihood y log o + (1 − y) log(1 − o)"] == f"{np.log(L):+.4f}"
    assert r["C = −log-likelihood"] == f"{-np.log(L):.4f}"
    lab.close()


def test_likelihood_peaks_at_o_equal_y():
    grid = np.linspace(0.001, 0.999, 999)
    for y in (0.2, 0.5, 0.85):
        assert grid[np.argmax(tc.likelihood(grid, y))] == pytest.approx(y, abs=1e-3)


# --- CompareLab ----------------------------------------------------------------------

@pytest.mark.parametrize("values", [
    {}, {"w0": -5.0, "b0": -5.0, "eta": 10.0}, {"w0": 5.0, "b0": 5.0, "eta": 0.001},
    {"w0": 5.0, "b0": -5.0, "eta": 10.0, "divide_by_6": True},
    {"w0": 0.6, "b0": 0.9, "eta": 0.15, "divide_by_6": True},
])
def test_compare_lab_plots_simulate(values):
    lab = tc.CompareLab()
    lab.set(**values)
    v = lab.values()
    r = lab.readout_values()
    for name, loss in (("quadratic", "quadratic"), ("cross_entropy", "cross_entropy")):
        eta = v["eta"] / 6 if (name == "cross_entropy" and v["divide_by_6"]) else v["eta"]
        run = simulate(v["w0"], v["b0"], eta=eta, epochs=300, loss=loss)
        np.testing.assert_array_equal(lab.lines_o[name].get_ydata(), run.output)
        step = lab.lines_s[name].get_ydata()
        np.testing.assert_allclose(step, np.maximum(eta * np.abs(run.grad_w), 1e-12))
        assert np.all((step >= lab.step_limits[0]) & (step <= lab.step_limits[1]))
        label = tc.LOSS_LABELS[name]
        assert r[f"{label}: η"] == f"{eta:.4g}"
        assert r[f"{label}: o after 300 epochs"] == f"{run.output[-1]:.4f}"
    lab.close()


def test_compare_lab_sliders_move_one_at_a_time_and_extremes_clamp():
    lab = tc.CompareLab()
    for name, control in lab.controls.items():
        if name == "divide_by_6":
            control.value = True
            continue
        for value in (control.min, control.max):
            control.value = value
            assert all(np.all(np.isfinite(line.get_ydata())) for line in lab.lines_o.values())
    lab.controls["eta"].value = 1e6  # clamped by the slider
    assert lab.controls["eta"].value == 100
    lab.close()


def test_compare_lab_default_numbers_of_the_notes():
    lab = tc.CompareLab()
    r = lab.readout_values()
    assert r["quadratic: o after 300 epochs"] == "0.2028"
    assert r["quadratic: first epoch with o < 0.5"] == "232"
    assert r["cross entropy: first epoch with o < 0.5"] == "17"
    lab.set(divide_by_6=True)
    r = lab.readout_values()
    assert r["cross entropy: η"] == "0.025"
    assert r["cross entropy: first epoch with o < 0.5"] == "100"
    lab.set(w0=5.0, b0=5.0, eta=0.001, divide_by_6=False)
    assert lab.readout_values()["quadratic: first epoch with o < 0.5"] == "not in 300"
    lab.close()


# --- LandscapeLab --------------------------------------------------------------------

def test_landscape_surfaces_are_the_package_losses():
    lab = tc.LandscapeLab()
    theta = (lab.w_grid + lab.b_grid).reshape(-1, 1)  # x = 1
    t = np.zeros_like(theta)
    for name, loss in (("quadratic", QuadraticLoss()), ("cross_entropy", CrossEntropyLoss())):
        want = loss.per_sample(theta, t).reshape(lab.w_grid.shape)
        np.testing.assert_allclose(lab.surfaces[name], want, rtol=1e-12)
        # The image shows those values through viridis, darkest at the smallest C, and
        # the colour bar beside it has that scale.
        rgba = colormaps["viridis"](Normalize(want.min(), want.max())(want), bytes=True)
        np.testing.assert_array_equal(lab.images[name].get_array(), rgba)
        bar = lab.colorbars[name]
        assert (bar.norm.vmin, bar.norm.vmax) == (want.min(), want.max())
        assert bar.cmap.name == "viridis" and bar.ax in lab.fig.axes
    lab.close()


def test_plateau_mask_is_saturated_and_wrong():
    w, b = np.meshgrid(np.linspace(-6, 6, 61), np.linspace(-6, 6, 61))
    mask = tc.plateau_mask(w, b)
    theta = w + b
    assert np.array_equal(mask, (sigmoid_prime(theta) < 0.01) & (sigmoid(theta) > 0.5))
    assert mask[-1, -1] and not mask[0, 0] and not mask[30, 30]


@pytest.mark.parametrize("values", [
    {}, {"w0": 5.0, "b0": 5.0, "eta": 0.001, "epochs": 600},
    {"w0": 5.0, "b0": 5.0, "eta": 10.0, "epochs": 600},
    {"w0": -5.0, "b0": -5.0, "eta": 10.0, "epochs": 0},
    {"w0": 5.0, "b0": -5.0, "eta": 1.0, "epochs": 10},
    {"w0": 5.0, "b0": -5.0, "eta": 1.0, "epochs": 600},  # leaves the plotted square
])
def test_landscape_lab_paths_are_simulate(values):
    lab = tc.LandscapeLab()
    images = {name: im.get_array().copy() for name, im in lab.images.items()}
    n_artists = [len(ax.get_children()) for ax in lab.fig.axes]
    lab.set(**values)
    v = lab.values()
    r = lab.readout_values()
    for name in tc.LOSS_NAMES:
        run = simulate(v["w0"], v["b0"], eta=v["eta"], epochs=v["epochs"], loss=name)
        np.testing.assert_array_equal(lab.paths[name].get_xdata(), run.w)
        np.testing.assert_array_equal(lab.paths[name].get_ydata(), run.b)
        np.testing.assert_array_equal(lab.dots[name].get_xdata(), run.w[::10])
        assert lab.ends[name].get_xdata()[0] == run.w[-1]
        assert lab.starts[name].get_ydata()[0] == v["b0"]
        label = tc.LOSS_LABELS[name]
        assert r[f"{label}: o"] == f"{run.output[-1]:.4f}"
        assert r[f"{label}: C"] == f"{run.cost[-1]:.4f}"
        end = r[f"{label}: (w, b) after {v['epochs']} epochs"]
        assert end.startswith(f"({run.w[-1]:+.3f}, {run.b[-1]:+.3f})")
        outside = max(abs(run.w[-1]), abs(run.b[-1])) > lab.extent
        assert end.endswith("outside the plotted square") == outside
        # The landscape is computed once: a slider changes only the path.
        np.testing.assert_array_equal(lab.images[name].get_array(), images[name])
    assert [len(ax.get_children()) for ax in lab.fig.axes] == n_artists
    lab.close()


def test_landscape_lab_every_slider_extreme():
    lab = tc.LandscapeLab()
    for control in lab.controls.values():
        for value in (control.min, control.max):
            control.value = value
            for line in lab.paths.values():
                assert np.all(np.isfinite(line.get_xydata()))
    lab.close()


# --- the wrong gradient --------------------------------------------------------------

def test_output_gradient_is_the_right_step_divided_by_sigma_prime():
    run = tc.simulate_output_gradient(2.0, 2.0, eta=0.005, epochs=5)
    O = sigmoid(run.w[:-1] + run.b[:-1])
    dC_dO = 1 / (1 - O)  # y = 0
    np.testing.assert_allclose(run.w[:-1] - run.w[1:], 0.005 * dC_dO, rtol=1e-12)
    np.testing.assert_allclose(run.b[:-1] - run.b[1:], 0.005 * dC_dO, rtol=1e-12)
    right = run.grad_w[:-1]  # the true ∂C/∂w = (O − y)x at the same states
    np.testing.assert_allclose(dC_dO, right / sigmoid_prime(run.w[:-1] + run.b[:-1]),
                               rtol=1e-12)


def test_output_gradient_runs_numbers_of_the_notes():
    runs = tc.output_gradient_runs()
    out = {label: run.output[-1] for label, (_, run) in runs.items()}
    assert f"{out['cross entropy, η = 0.005']:.3f}" == "0.780"
    assert f"{out['quadratic, η = 0.15']:.3f}" == "0.203"
    assert f"{out['WRONG: ∂C/∂o as the step, η = 0.005']:.3f}" == "0.048"
    assert f"{runs['cross entropy, η = 0.15'][1].output[50]:.3f}" == "0.099"
    fig = tc.output_gradient_figure(runs)
    assert isinstance(fig, Figure) and len(fig.axes[0].lines) == len(runs) + 1


# --- exercise checks -----------------------------------------------------------------

def stable_loss(theta, y):
    return float(np.mean(y * np.logaddexp(0, -theta) + (1 - y) * np.logaddexp(0, theta)))


def naive_loss(theta, y):
    o = sigmoid(theta)
    return float(-np.mean(y * np.log(o) + (1 - y) * np.log(1 - o)))


def not_written(*args):
    raise NotImplementedError


def test_cross_entropy_check_accepts_the_stable_version():
    assert ex.check_cross_entropy(stable_loss).ok


def test_cross_entropy_check_names_each_mistake():
    fb = ex.check_cross_entropy(naive_loss)  # would warn (log 0) and fail if not guarded
    assert not fb.ok and fb.message.startswith("naive log gives inf/nan at saturation")
    fb = ex.check_cross_entropy(lambda theta, y: -stable_loss(theta, y))
    assert not fb.ok and fb.message.startswith("missing minus sign")
    fb = ex.check_cross_entropy(lambda theta, y: len(theta) * stable_loss(theta, y))
    assert not fb.ok and fb.message.startswith("sum instead of mean")
    fb = ex.check_cross_entropy(not_written)
    assert not fb.ok and "not written yet" in fb.message


def test_gradient_check_names_each_mistake():
    def right(X, W, y):
        return X.T @ (sigmoid(X @ W) - y) / len(y)

    def sigma_prime_kept(X, W, y):
        o = sigmoid(X @ W)
        return X.T @ ((o - y) * o * (1 - o)) / len(y)

    assert ex.check_gradient(right).ok
    cases = {
        "σ' kept": sigma_prime_kept,
        "sign flip (y − o)": lambda X, W, y: X.T @ (y - sigmoid(X @ W)) / len(y),
        "missing x_i": lambda X, W, y: np.mean(sigmoid(X @ W) - y),  # a scalar
        "sum instead of mean": lambda X, W, y: X.T @ (sigmoid(X @ W) - y),
    }
    for name, wrong in cases.items():
        fb = ex.check_gradient(wrong)
        assert not fb.ok and fb.message.startswith(name), (name, fb.message)
    fb = ex.check_gradient(not_written)
    assert not fb.ok and "not written yet" in fb.message


# --- gradient, Hessian and convexity ------------------------------------------------

def test_loss_gradient_matches_finite_differences_of_the_mean_loss():
    x, y = np.array([1.0, -2.0, 0.5]), np.array([0.0, 1.0, 0.3])
    for loss in ("quadratic", "cross_entropy"):
        for w0, b0 in ((0.3, -0.2), (2.0, 2.0), (-1.5, 0.7)):
            p = np.array([w0, b0])

            def C(p=p, loss=loss):
                theta = (p[0] * x + p[1])[:, None]
                return get_loss(loss).value(theta, y[:, None])

            numeric = numerical_gradient(C, p)
            grad = np.array(tc.loss_gradient(w0, b0, loss, x=x, y=y))
            assert rel_error(grad, numeric) < 1e-7


@pytest.mark.parametrize("x, y", [(1.0, 0.0), (np.array([1.0, -2.0]), np.array([0.0, 1.0])),
                                  (np.array([0.5, 3.0, -1.0]), np.array([0.3, 1.0, 0.0]))])
def test_cross_entropy_hessian_is_sigma_prime_times_outer_x1(x, y):
    w, b = np.meshgrid(np.linspace(-4, 4, 9), np.linspace(-4, 4, 9))
    H = tc.loss_hessian(w, b, "cross_entropy", x=x, y=y)
    x = np.atleast_1d(x)
    theta = w[..., None] * x + b[..., None]
    s = sigmoid_prime(theta)  # ∂²C/∂θ² = σ'(θ) for each sample
    want = np.stack([np.stack([np.mean(s * x * x, -1), np.mean(s * x, -1)], -1),
                     np.stack([np.mean(s * x, -1), np.mean(s, -1)], -1)], -2)
    np.testing.assert_allclose(H, want, atol=1e-8)
    assert tc.hessian_eigenvalues(w, b, "cross_entropy", x=x, y=y).min() > -tc.NOISE


def test_quadratic_hessian_bends_down_beyond_ln_2():
    w, b = np.meshgrid(np.linspace(-6, 6, 25), np.linspace(-6, 6, 25))
    H = tc.loss_hessian(w, b, "quadratic")  # x = 1, y = 0
    s = sigmoid(w + b)
    second = s * s * (1 - s) * (2 - 3 * s)  # d²/dθ² of σ²/2
    np.testing.assert_allclose(H, second[..., None, None] * np.ones((2, 2)), atol=1e-8)
    smallest = tc.hessian_eigenvalues(w, b, "quadratic")[..., 0]
    theta = w + b
    assert np.all(smallest[theta > np.log(2) + 0.05] < -tc.NOISE)
    assert np.all(smallest[theta < np.log(2) - 0.05] > -tc.NOISE)


def test_eta_slider_values_and_bisection():
    values = tc.eta_values()
    assert len(values) == 501 and values[0] == pytest.approx(1e-3) and values[-1] == 100
    lab = tc.CompareLab()
    try:
        slider = lab.controls["eta"]
        assert (slider.base ** slider.min, slider.base ** slider.max) == (0.001, 100)
        for v in values[::50]:
            slider.value = v
            assert slider.value == v  # each is a value on the track
    finally:
        lab.close()
    for threshold in (0.001, 0.0011, 0.5, 37.0, 99.0, 100.0):
        want = next(v for v in values if v >= threshold)
        assert tc.smallest_eta(lambda e, threshold=threshold: e >= threshold) == want
    assert tc.smallest_eta(lambda e: e > 100) is None


# --- exercise 3: o or y inside the log ----------------------------------------------

def test_output_cross_entropy_check_accepts_correct_forms():
    forms = [
        lambda o, y: -(y * np.log(o) + (1 - y) * np.log(1 - o)),
        lambda o, y: -(y * np.log(o) + (1 - y) * np.log1p(-o)),
        lambda o, y: np.where(y == 1, -np.log(o), 0) - np.where(y == 0, np.log(1 - o), 0)
        - np.where((y > 0) & (y < 1), y * np.log(o) + (1 - y) * np.log(1 - o), 0),
    ]
    for form in forms:
        assert ex.check_cross_entropy_of_output(form).ok


def test_output_cross_entropy_check_names_the_swapped_form_and_other_mistakes(recwarn):
    fb = ex.check_cross_entropy_of_output(lambda o, y: -(o * np.log(y) + (1 - o) * np.log(1 - y)))
    assert not fb.ok and fb.message.startswith("o and y swapped") and "+∞" in fb.message
    assert not recwarn.list  # the swapped form's log(0) does not warn in the notebook
    cases = {
        "missing minus sign": lambda o, y: y * np.log(o) + (1 - y) * np.log(1 - o),
        "log base 10": lambda o, y: -(y * np.log10(o) + (1 - y) * np.log10(1 - o)),
        "one term missing": lambda o, y: -y * np.log(o),
    }
    for name, wrong in cases.items():
        fb = ex.check_cross_entropy_of_output(wrong)
        assert not fb.ok and fb.message.startswith(name), (name, fb.message)
    fb = ex.check_cross_entropy_of_output(not_written)
    assert not fb.ok and "not written yet" in fb.message
    fb = ex.check_cross_entropy_of_output(lambda o, y: np.mean(-(y * np.log(o))))
    assert not fb.ok and "shape" in fb.message
