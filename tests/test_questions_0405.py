"""Every question notebooks 04 and 05 ask of a lab is answerable with that lab's controls.

Each test sets the controls the question names, to values the sliders can take (the log
sliders move on a grid of 10^(step·n), so η "about 0.3" is 10^−0.5 = 0.316), and reads
the answer from what the lab shows: its readout, its bars and lines, its image.
Kernel-less, with the Agg backend, as the other lab tests.
"""

import numpy as np
import pytest

from lecture_mlp.labs.beyond import GradientNormLab, StabilityLab
from lecture_mlp.labs.multiclass import CLASS_COLOURS, LogitLab, ThreeClassLab


def on_grid(slider, value):
    """``value`` is one the log slider can reach: 10^(min + n·step)."""
    n = (np.log10(value) - slider.min) / slider.step
    return abs(n - round(n)) < 1e-9 and slider.min <= np.log10(value) <= slider.max


def numbers(text):
    """'(0.731, +0.259, …)' → array of floats."""
    return np.array([float(x) for x in text.strip("()").split(",")])


# ------------------------------------------------------------------- 04 · LogitLab
@pytest.fixture
def logit_lab():
    lab = LogitLab()
    yield lab
    lab.close()


def test_04_default_sums_and_which_loss_pushes_o2_harder(logit_lab):
    read = logit_lab.readout_values()
    assert read["Σ_j σ(θ_j) (need not be 1)"].startswith("1.88")
    assert read["Σ_j softmax_j"] == "1.0000"
    # "Which of the two penalises the confident o_2 more?": the sigmoids, by their gradient.
    sigmoid_grad, softmax_grad = (numbers(read[f"{name} ∂C/∂θ = o − y"])
                                  for name in ("sigmoid", "softmax"))
    assert sigmoid_grad[1] > 2 * softmax_grad[1] > 0
    heights = {name: [bar.get_height() for bar in logit_lab.grad_bars[name]]
               for name in ("sigmoid", "softmax")}
    assert heights["sigmoid"][1] > heights["softmax"][1]


def test_04_two_true_classes_softmax_cannot_go_below_log2(logit_lab):
    logit_lab.controls["target"].value = "classes 1 and 3"
    for theta1, theta2, theta3 in ((4.0, -4.0, 4.0), (8.0, -8.0, 8.0)):
        logit_lab.set(theta1=theta1, theta2=theta2, theta3=theta3)
        read = logit_lab.readout_values()
        assert float(read["softmax cross entropy C"]) >= np.log(2) - 1e-4
    assert float(read["sigmoid cross entropy C"]) < 0.01
    assert float(read["softmax cross entropy C"]) == pytest.approx(np.log(2), abs=1e-3)


def test_04_equal_logits_moved_together(logit_lab):
    seen = []
    for value in (-5.0, 0.0, 5.0):
        logit_lab.set(theta1=value, theta2=value, theta3=value)
        read = logit_lab.readout_values()
        seen.append((read["softmax outputs"], read["sigmoid outputs σ(θ_j)"]))
    assert len({softmax for softmax, _ in seen}) == 1  # softmax unchanged
    assert numbers(seen[0][0]) == pytest.approx([1 / 3] * 3, abs=1e-3)
    assert len({sigmoids for _, sigmoids in seen}) == 3  # every sigmoid moved


def test_04_a_wrong_class_pushed_to_8_gets_gradient_near_plus_1(logit_lab):
    logit_lab.set(theta3=8.0)  # class 1 is true, class 3 is wrong
    read = logit_lab.readout_values()
    for name in ("sigmoid", "softmax"):
        assert numbers(read[f"{name} ∂C/∂θ = o − y"])[2] > 0.99


# --------------------------------------------------------------- 04 · ThreeClassLab
@pytest.fixture(scope="module")
def training_lab():
    lab = ThreeClassLab()
    yield lab
    lab.close()


def accuracy(lab, **values):
    lab.set(**values)
    return float(lab.readout_values()["accuracy after training"])


def test_04_small_eta_is_slow_for_every_loss(training_lab):
    eta = 10 ** -0.5
    assert on_grid(training_lab.controls["eta"], eta)
    assert training_lab.readout_values()["η"] == "2"
    for loss in ("quadratic", "cross_entropy", "softmax_cross_entropy"):
        acc = accuracy(training_lab, loss=loss, eta=eta, epochs=500, hidden=20)
        assert 0.78 <= acc <= 0.86, (loss, acc)  # none far past 80 %
    assert training_lab.readout_values()["η"] == "0.316"


def test_04_larger_eta_rescues_then_breaks_the_quadratic_loss(training_lab):
    slider = training_lab.controls["eta"]
    q = {eta: accuracy(training_lab, loss="quadratic", eta=eta, epochs=300, hidden=20)
         for eta in (2.0, 10 ** 0.8, 10 ** 1.5, 10 ** 1.8)}
    assert all(on_grid(slider, eta) for eta in q if eta != 2.0)  # 2 is the default
    assert q[2.0] < 0.85                  # the default stalls
    assert q[10 ** 0.8] > 0.95            # η = 6.31 separates the arms
    assert 0.6 < q[10 ** 1.5] < 0.7       # η = 31.6 breaks down to 0.67
    assert q[10 ** 1.8] < 0.34            # η = 63.1: chance, 1/3
    for loss in ("cross_entropy", "softmax_cross_entropy"):  # the cross entropies hold on
        for eta in (10 ** 1.5, 10 ** 1.6):
            assert accuracy(training_lab, loss=loss, eta=eta, epochs=300, hidden=20) > 0.9


def test_04_a_network_too_small_for_the_spirals(training_lab):
    acc = {(loss, n1): accuracy(training_lab, loss=loss, eta=2.0, epochs=300, hidden=n1)
           for loss in ("quadratic", "cross_entropy", "softmax_cross_entropy") for n1 in (2, 3)}
    for n1 in (2, 3):  # both cross entropies cope better than the quadratic loss
        assert min(acc["cross_entropy", n1], acc["softmax_cross_entropy", n1]) > \
            acc["quadratic", n1] + 0.05
    assert acc["softmax_cross_entropy", 2] > acc["cross_entropy", 2]  # softmax best at n₁ = 2


def test_04_pale_regions_only_for_sigmoid_outputs(training_lab):
    def palest(loss):
        training_lab.set(loss=loss, eta=2.0, epochs=300, hidden=20)
        # the palest pixel's darkest channel
        return training_lab.image.get_array().min(axis=-1).max()

    # A pixel is 1 − 0.6·max_j o_j·(1 − class colour). A softmax's largest output is ≥ 1/3,
    # so its palest pixel keeps at least this much colour:
    softmax_bound = 1 - 0.6 / 3 * (1 - CLASS_COLOURS.min(axis=1)).min()
    assert palest("softmax_cross_entropy") <= softmax_bound
    # The sigmoid nets have regions where no output is sure of any class, paler than that.
    assert palest("cross_entropy") > softmax_bound + 0.03
    assert palest("quadratic") > softmax_bound + 0.03


# ------------------------------------------------------------ 05 · GradientNormLab
@pytest.fixture
def gradient_lab():
    lab = GradientNormLab()
    yield lab
    lab.close()


def read_gradients(lab):
    read = lab.readout_values()
    K = lab.controls["K"].value
    return read, float(read["mean |∂C/∂W^1|"]), float(read[f"mean |∂C/∂W^{K}| (output layer)"])


def test_05_default_ratio(gradient_lab):
    read, g1, gK = read_gradients(gradient_lab)
    assert read["ratio W^1 / W^K"] == "2.143e-02"
    assert round(gK / g1) == 47


def test_05_small_scale_deep_net_parallel_curves(gradient_lab):
    gradient_lab.set(scale=0.1)
    gradient_lab.controls["K"].value = 10
    selected, other = gradient_lab.line.get_ydata(), gradient_lab.other.get_ydata()
    assert len(selected) == 10
    assert np.allclose(selected / other, 4.06, atol=0.03)  # 4.1× apart in every layer
    read, g1, gK = read_gradients(gradient_lab)
    assert read["ratio W^1 / W^K"].startswith("7.1") and read["ratio W^1 / W^K"].endswith("e-10")


def test_05_scale_316_quadratic_output_saturates(gradient_lab):
    scale = 10 ** 0.5
    assert on_grid(gradient_lab.controls["scale"], scale)
    gradient_lab.set(scale=scale, K=4)
    read = gradient_lab.readout_values()
    assert read["mean σ'(θ^1)"].startswith("4.3") and read["mean σ'(θ^1)"].endswith("e-02")
    ce, quadratic = gradient_lab.line.get_ydata(), gradient_lab.other.get_ydata()
    assert round(ce[-1] / quadratic[-1]) == 76
    gradient_lab.set(scale=10.0)
    ce, quadratic = gradient_lab.line.get_ydata(), gradient_lab.other.get_ydata()
    assert round(ce[-1] / quadratic[-1]) == 243  # larger s widens the gap


def test_05_huge_scale_narrow_deep_net(gradient_lab):
    gradient_lab.set(scale=100.0, K=10, width=2)
    assert gradient_lab.readout_values()["mean |∂C/∂W^1|"].startswith("8.1")
    assert gradient_lab.readout_values()["mean |∂C/∂W^1|"].endswith("e-65")
    gradient_lab.controls["loss"].value = "quadratic"
    assert gradient_lab.readout_values()["mean |∂C/∂W^1|"].endswith("e-75")
    assert gradient_lab.readout_values()["mean |∂C/∂W^1|"].startswith("4.")


# --------------------------------------------------------------- 05 · StabilityLab
@pytest.fixture
def stability_lab():
    lab = StabilityLab()
    yield lab
    lab.close()


def test_05_stability_default_and_float32(stability_lab):
    read = stability_lab.readout_values()
    assert (read["naive"], read["ε-clipped"][:4], read["clamped at −100"],
            read["from θ (package)"]) == ("inf", "16.1", "100", "40")
    stability_lab.controls["dtype"].value = "float32"
    assert stability_lab.readout_values()["ε-clipped"][:4] == "15.9"
    # the naive curve stops at θ = 17 in float32 (finite at 16.5, inf at 17)
    stability_lab.controls["theta"].value = 16.5
    assert stability_lab.readout_values()["naive"] != "inf"
    stability_lab.controls["theta"].value = 17.0
    assert stability_lab.readout_values()["naive"] == "inf"
    # the softmax without the shift is NaN for y = 1 from θ = 89 (e^θ overflows float32)
    stability_lab.set(theta=88.5, y=1)
    assert stability_lab.readout_values()["no max shift"] == "0"
    stability_lab.controls["theta"].value = 89.0
    assert stability_lab.readout_values()["no max shift"] == "nan"


def test_05_stability_right_output_is_nan_naively(stability_lab):
    stability_lab.controls["y"].value = 1
    assert stability_lab.readout_values()["naive"] == "nan"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_05_stability_wrong_but_not_very(stability_lab, dtype):
    stability_lab.set(theta=-1000.0, y=1, dtype=dtype)
    read = stability_lab.readout_values()
    assert (read["from θ (package)"], read["ε-clipped"][:4], read["clamped at −100"]) == \
        ("1000", "16.1", "100")


def test_05_stability_softmax_at_1000(stability_lab):
    stability_lab.set(theta=1000.0, y=1)
    read = stability_lab.readout_values()
    assert (read["no max shift"], read["max shift, then log"]) == ("nan", "0")
    stability_lab.controls["y"].value = 0
    read = stability_lab.readout_values()
    assert (read["max shift, then log"], read["log-softmax (package)"]) == ("inf", "1000")
