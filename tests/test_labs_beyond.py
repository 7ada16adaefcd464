"""Notebook 05's labs, measurements and exercise checks.

Each lab is built, every control is moved (extremes included), and what is plotted and
read out is compared with an independent computation through the package's public API.
pytest runs with warnings as errors: no slider position may warn.
"""


import numpy as np
import pytest

from lecture_mlp import MLP, CrossEntropyLoss, numerics
from lecture_mlp.exercises import beyond as ex
from lecture_mlp.labs import beyond
from lecture_mlp.labs.beyond import GradientNormLab, StabilityLab


# ------------------------------------------------------------------ measurements
def oracle_statistics(scale, loss, sizes, seeds=range(5), N=100):
    """mean |∂C/∂W^k| and mean σ'(θ^k) through the public API only (MLP.gradients,
    MLP.forward), every layer drawn with init_scale = scale."""
    grads, sp = [], []
    for s in seeds:
        net = MLP(sizes, loss, seed=s, init_scale=scale)
        X, t = beyond.random_batch(N, sizes[0], seed=s + 1000)
        grads.append([np.mean(np.abs(g)) for g in net.gradients(X, t)[0]])
        sp.append([np.mean(O * (1 - O)) for O in net.forward(X)[1:-1]])
    return np.mean(grads, axis=0), np.mean(sp, axis=0)


def test_random_batch_is_seeded():
    X, t = beyond.random_batch(50, 10, seed=3)
    assert X.shape == (50, 10) and t.shape == (50, 1)
    assert set(np.unique(t)) <= {0.0, 1.0}
    np.testing.assert_array_equal(X, beyond.random_batch(50, 10, seed=3)[0])


def test_seeded_net_scales_only_the_first_layer():
    default = MLP([10, 20, 1], "cross_entropy", seed=2)
    net = beyond.seeded_net([10, 20, 1], "cross_entropy", 20.0, seed=2, layers="first")
    np.testing.assert_allclose(net.weights[0], default.weights[0] * 20 * np.sqrt(10))
    np.testing.assert_array_equal(net.weights[1], default.weights[1])
    everywhere = beyond.seeded_net([10, 20, 1], "cross_entropy", 3.0, seed=2)
    np.testing.assert_array_equal(everywhere.weights[1],
                                  MLP([10, 20, 1], "cross_entropy", seed=2,
                                      init_scale=3.0).weights[1])
    with pytest.raises(ValueError, match="layers"):
        beyond.seeded_net([10, 20, 1], "cross_entropy", 1.0, layers="last")


def test_layer_deltas_follow_the_hidden_recursion():
    net = beyond.seeded_net([10, 20, 1], "cross_entropy", 20.0, seed=0, layers="first")
    X, t = beyond.random_batch(8, 10, seed=1000)
    delta_1, delta_2 = beyond.layer_deltas(net, X, t)
    O = net.forward(X)
    # δ^K = O^K − t (no σ'), δ^{K−1} = (δ^K W^Kᵀ) ⊙ O^{K−1}(1 − O^{K−1}) (σ' kept)
    np.testing.assert_allclose(delta_2, O[2] - t, rtol=1e-12)
    np.testing.assert_allclose(delta_1, (delta_2 @ net.weights[1].T) * O[1] * (1 - O[1]),
                               rtol=1e-12)
    np.testing.assert_allclose(delta_1, ex.reference_hidden_delta(O[1], net.weights[1], delta_2))
    # The per-row deltas average to the package's bias gradients.
    np.testing.assert_allclose(delta_1.mean(axis=0), net.gradients(X, t)[1][0], rtol=1e-12)


def test_sigma_prime_rms_over_every_seed():
    seeds = range(3)
    stats = beyond.initial_statistics(5.0, ["cross_entropy"], sizes=[10, 6, 1], seeds=seeds)
    values = []
    for r in seeds:
        X, _ = beyond.random_batch(100, 10, seed=r + 1000)
        O = MLP([10, 6, 1], "cross_entropy", seed=r, init_scale=5.0).forward(X)[1]
        values.append(O * (1 - O))
    values = np.concatenate(values)
    np.testing.assert_allclose(stats["sigma_prime_rms"], [np.sqrt(np.mean(values ** 2))],
                               rtol=1e-12)
    assert stats["sigma_prime_rms"][0] > stats["sigma_prime"][0]  # RMS ≥ mean, = only if flat


def test_initial_statistics_match_the_public_api():
    stats = beyond.initial_statistics(2.0, ["quadratic", "cross_entropy"], sizes=[10, 7, 7, 1])
    for loss in ("quadratic", "cross_entropy"):
        g, sp = oracle_statistics(2.0, loss, [10, 7, 7, 1])
        np.testing.assert_allclose(stats[loss], g, rtol=1e-12)
        np.testing.assert_allclose(stats["sigma_prime"], sp, rtol=1e-12)


def test_first_layer_gradient_falls_several_fold():
    """From first-layer scale 0.1 to 20 (10-20-1, cross entropy), with this measurement
    (10 seeds, N = 100, X ~ N(0, 1), t ~ Bernoulli(½)): 8.0×."""
    g_low, g_high, ratio = beyond.first_layer_scale_ratio("cross_entropy")
    assert g_low > g_high > 0
    assert ratio == pytest.approx(8.0067, abs=1e-3)
    # the output layer's gradient does not fall: the slowdown is in the hidden layer
    g2_low = beyond.mean_abs_gradients(0.1, "cross_entropy", layers="first", seeds=range(10))[1]
    g2_high = beyond.mean_abs_gradients(20, "cross_entropy", layers="first", seeds=range(10))[1]
    assert g2_high > g2_low


def test_plot_first_layer_scale_draws_the_measurement():
    scales = [0.1, 1.0, 20.0]
    fig = beyond.plot_first_layer_scale(scales, seeds=range(2))
    ax_g, ax_s = fig.axes
    lines = ax_g.get_lines()
    assert len(lines) == 4  # W^1 and W^2, quadratic and cross entropy
    want = np.array([beyond.mean_abs_gradients(s, "cross_entropy", layers="first",
                                               seeds=range(2)) for s in scales])
    np.testing.assert_allclose(lines[2].get_ydata(), want[:, 0])
    np.testing.assert_allclose(lines[3].get_ydata(), want[:, 1])
    sp = ax_s.get_lines()[0].get_ydata()
    assert np.all(np.diff(sp) < 0) and sp[0] == pytest.approx(0.25, abs=0.01)


# ------------------------------------------------------------------ gradient-norm lab
GRADIENT_SETTINGS = [
    dict(scale=1.0, K=4, width=20, loss="cross_entropy"),
    dict(scale=0.01, K=2, width=2, loss="quadratic"),
    dict(scale=100.0, K=10, width=64, loss="cross_entropy"),
    dict(scale=100.0, K=10, width=2, loss="quadratic"),
    dict(scale=0.01, K=10, width=64, loss="quadratic"),
    dict(scale=20.0, K=2, width=20, loss="cross_entropy"),
]


@pytest.fixture(scope="module")  # one lab, reused: every test sets the controls it needs
def gradient_lab():
    lab = GradientNormLab()
    yield lab
    lab.close()


@pytest.mark.parametrize("values", GRADIENT_SETTINGS)
def test_gradient_lab_plots_what_the_package_computes(gradient_lab, values):
    lab = gradient_lab
    lab.set(**values)
    K, loss = values["K"], values["loss"]
    other = "quadratic" if loss == "cross_entropy" else "cross_entropy"
    sizes = [10] + [values["width"]] * (K - 1) + [1]
    g, sp = oracle_statistics(values["scale"], loss, sizes)
    g_other, _ = oracle_statistics(values["scale"], other, sizes)
    np.testing.assert_array_equal(lab.line.get_xdata(), np.arange(1, K + 1))
    np.testing.assert_allclose(lab.line.get_ydata(), g, rtol=1e-10)
    np.testing.assert_allclose(lab.other.get_ydata(), g_other, rtol=1e-10)
    np.testing.assert_allclose(lab.sp_line.get_ydata(), sp, rtol=1e-10)
    names = [t.get_text() for t in lab.names]  # the colour-coded loss names above the axes
    assert names[0].endswith(beyond.LOSS_LABELS[loss])
    assert names[1].endswith(beyond.LOSS_LABELS[other])
    low, high = lab.ax_g.get_ylim()
    assert low < min(g.min(), g_other.min()) and max(g.max(), g_other.max()) < high
    low, high = lab.ax_s.get_ylim()
    assert low < sp.min() and sp.max() < high
    r = lab.readout_values()
    assert r["mean |∂C/∂W^1|"] == f"{g[0]:.3e}"
    assert r[f"mean |∂C/∂W^{K}| (output layer)"] == f"{g[-1]:.3e}"
    assert r[f"mean σ'(θ^{K - 1})"] == f"{sp[-1]:.3e}"


def test_gradient_lab_every_slider_position(gradient_lab):
    lab = gradient_lab
    for name, values in (("scale", [0.01, 0.1, 1.0, 10.0, 100.0]), ("K", range(2, 11)),
                         ("width", [2, 7, 64]), ("loss", ["quadratic", "cross_entropy"])):
        for v in values:
            lab.controls[name].value = v
            lab.fig.canvas.draw()
            y = lab.line.get_ydata()
            assert len(y) == lab.controls["K"].value
            assert np.all(np.isfinite(y) & (y > 0)), (name, v)


def test_gradient_lab_shows_the_slowdown_in_the_first_layer(gradient_lab):
    lab = gradient_lab
    lab.set(scale=1.0, K=6, width=20, loss="cross_entropy")
    y = lab.line.get_ydata()
    assert y[0] < y[-1] / 10  # the first layer's gradient is far smaller than the output's


# ------------------------------------------------------------------ stability lab
@pytest.fixture(scope="module")  # one lab, reused: every test sets the controls it needs
def stability_lab():
    lab = StabilityLab()
    yield lab
    lab.close()


STABILITY_SETTINGS = [(theta, dtype, y) for theta in (-1000.0, -745.0, -100.0, -37.0, 0.0, 17.0,
                                                      37.0, 100.0, 709.5, 1000.0)
                      for dtype in ("float64", "float32") for y in (0, 1)]


@pytest.mark.parametrize("theta, dtype, y", STABILITY_SETTINGS)
def test_stability_lab_reads_out_what_numerics_computes(stability_lab, theta, dtype, y):
    lab = stability_lab
    lab.set(theta=theta, dtype=dtype, y=y)
    r = lab.readout_values()
    th = np.asarray(theta, dtype=dtype)
    for i, (name, f) in enumerate(numerics.TWO_CLASS.items()):
        assert r[name] == f"{float(f(th, y)):.6g}", name
        np.testing.assert_array_equal(lab.markers[name].get_ydata(),
                                      [beyond._plotted(f(th, y), i)])
    for i, (name, f) in enumerate(numerics.SOFTMAX.items()):
        assert r[name] == f"{float(f(th, y)):.6g}", name
        np.testing.assert_array_equal(lab.markers[name].get_ydata(),
                                      [beyond._plotted(f(th, y), i)])
    O = numerics.naive_sigmoid(th)
    assert r["1 − σ(θ)"] == f"{float(1 - O):.6g}"
    assert r["nan_to_num (Nielsen)"] == f"{float(numerics.nan_to_num_cross_entropy(O, y)):.6g}"
    # The package's values are always finite and exact.
    assert r["from θ (package)"] not in ("inf", "nan")
    assert float(r["from θ (package)"]) == pytest.approx(float(np.logaddexp(0, -theta if y
                                                                             else theta)),
                                                         rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("theta, dtype, y, name, text", [
    (100.0, "float32", 0, "naive", "inf"),  # NOTES.md: inf at θ = 100 in float32
    (37.0, "float64", 0, "naive", "inf"),  # ... and from θ = 37 in float64
    (36.0, "float64", 0, "naive", "36.0437"),  # just before: finite, 0.04 off
    (37.0, "float64", 1, "naive", "nan"),  # 0 · log 0
    (37.0, "float64", 0, "nan_to_num (Nielsen)", "1.79769e+308"),
    (1000.0, "float64", 0, "ε-clipped", "16.1181"),
    (1000.0, "float64", 0, "clamped at −100", "100"),
    (1000.0, "float64", 0, "from θ (package)", "1000"),
    (1000.0, "float64", 1, "no max shift", "nan"),
    (1000.0, "float64", 0, "max shift, then log", "inf"),
    (1000.0, "float64", 0, "log-softmax (package)", "1000"),
    (37.0, "float64", 0, "1 − σ(θ)", "0"),
])
def test_stability_lab_shows_inf_and_nan_plainly(stability_lab, theta, dtype, y, name, text):
    stability_lab.set(theta=theta, dtype=dtype, y=y)
    assert stability_lab.readout_values()[name] == text


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("y", [0, 1])
def test_stability_lab_curves(stability_lab, dtype, y):
    lab = stability_lab
    lab.set(dtype=dtype, y=y)
    grid = lab.grid.astype(dtype)
    for methods in (numerics.TWO_CLASS, numerics.SOFTMAX):
        for i, (name, f) in enumerate(methods.items()):
            C = f(grid, y).astype(np.float64)
            finite = np.isfinite(C)
            np.testing.assert_array_equal(lab.curves[name].get_xdata(), beyond.squash(lab.grid))
            np.testing.assert_array_equal(lab.curves[name].get_ydata()[finite],
                                          beyond.squash(C[finite]))
            assert np.all(np.isnan(lab.curves[name].get_ydata()[~finite]))
            bad = lab.bad[name].get_ydata()
            np.testing.assert_array_equal(bad[~finite], beyond._plotted(C[~finite], i))
            assert np.all(np.isnan(bad[finite]))
    # the package's curves are never inf or NaN
    for name in ("from θ (package)", "log-softmax (package)"):
        assert np.all(np.isfinite(lab.curves[name].get_ydata()))


def test_stability_lab_every_slider_position(stability_lab):
    lab = stability_lab
    for v in (-1000.0, -745.0, -100.0, -37.0, -0.5, 0.0, 17.0, 37.0, 100.0, 710.0, 1000.0):
        lab.controls["theta"].value = float(v)
        for dtype in ("float32", "float64"):
            lab.controls["dtype"].value = dtype
            lab.fig.canvas.draw()
    lo, hi = beyond.Y_LIMITS
    for name, marker in lab.markers.items():
        assert lo < marker.get_ydata()[0] < hi, name
        np.testing.assert_array_equal(marker.get_xdata(), [beyond.squash(1000.0)])


def test_plotted_puts_nan_and_inf_in_their_bands():
    out = beyond._plotted(np.array([np.nan, np.inf, 999.0, 0.0, -9.0]), 0)
    np.testing.assert_allclose(out, [beyond.Y_NAN, beyond.Y_INF, 3.0, 0.0, -1.0])
    assert beyond._plotted(np.inf, 2) == pytest.approx(beyond.Y_INF + 0.16)


# ------------------------------------------------------------------ exercises
def good_cross_entropy(theta, y):
    theta = np.asarray(theta)
    return y * np.logaddexp(0, -theta) + (1 - y) * np.logaddexp(0, theta)


def good_log_softmax(theta):
    shifted = theta - theta.max(axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def good_hidden_delta(O, W_next, delta_next):
    return (delta_next @ W_next.T) * O * (1 - O)


def not_written(*args):
    raise NotImplementedError


@pytest.mark.parametrize("check, good, mistakes", [
    (ex.check_cross_entropy_from_theta, good_cross_entropy, ex.CROSS_ENTROPY_MISTAKES),
    (ex.check_log_softmax, good_log_softmax, ex.LOG_SOFTMAX_MISTAKES),
    (ex.check_hidden_delta, good_hidden_delta, ex.HIDDEN_DELTA_MISTAKES),
])
def test_exercise_checks(check, good, mistakes):
    assert check(good).ok
    feedback = check(not_written)
    assert not feedback.ok and "not written yet" in feedback.message
    for message, wrong in mistakes.items():
        feedback = check(wrong)
        assert not feedback.ok and feedback.message == message


def test_exercise_names_the_mistakes_the_brief_asks_for():
    def naive(theta, y):  # as a reader would write it, warnings and all
        O = 1 / (1 + np.exp(-theta))
        return -(y * np.log(O) + (1 - y) * np.log(1 - O))

    assert ex.check_cross_entropy_from_theta(naive).message.startswith(
        "naive log: inf at saturation")
    assert ex.check_cross_entropy_from_theta(
        lambda theta, y: -good_cross_entropy(theta, y)).message.startswith("sign flip")

    def no_shift(theta):
        return theta - np.log(np.sum(np.exp(theta), axis=1, keepdims=True))

    assert ex.check_log_softmax(no_shift).message.startswith("no max shift: overflow")
    assert ex.check_hidden_delta(lambda O, W, d: d @ W.T).message.startswith("missing σ'")


def test_reference_log_softmax_is_the_package_loss():
    theta = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -5.0]])
    log_p = ex.reference_log_softmax(theta)
    np.testing.assert_allclose(log_p, good_log_softmax(theta), rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_p).sum(axis=1), 1.0)


def test_cross_entropy_reference_is_the_package_loss():
    theta, y = ex.CROSS_ENTROPY_INPUTS[0]
    np.testing.assert_allclose(numerics.theta_cross_entropy(theta, y),
                               CrossEntropyLoss().per_sample(theta[:, None], y[:, None]))
