"""Every question notebook 03 asks of a lab, answered with that lab's controls.

Each test drives a lab as a reader would (slider and checkbox values, no kernel, Agg)
and reads the answer off the lab's readout or its plotted data. A question that the
controls cannot answer fails here (from (5, 5) the quadratic neuron needs η ≈ 38 to get
below 0.5 in 300 epochs: with the η slider ending at 10, as it once did, the CompareLab
test of question 3 fails).
"""

import pathlib
import re

import nbformat
import numpy as np
import pytest

from lecture_mlp.labs import two_class as tc
from lecture_mlp.neuron import simulate

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / \
    "03_cross_entropy_two_class.ipynb"


@pytest.fixture(scope="module")
def markdown():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = " ".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    return " ".join(text.split())  # line breaks are layout, not content


def slider_value(control, value):
    """Set a control as a reader can (a value on its track), and check it took."""
    control.value = value
    assert control.value == pytest.approx(value, rel=1e-12), (control.description, value)


def readout_number(lab, label):
    return float(lab.readout_values()[label])


def learned(lab, label):
    """The CompareLab's 'first epoch with o < 0.5' readout as a number, or None."""
    text = lab.readout_values()[f"{label}: first epoch with o < 0.5"]
    return None if text.startswith("not in") else int(text)


def end_point(lab, label, epochs):
    text = lab.readout_values()[f"{label}: (w, b) after {epochs} epochs"]
    w, b = (float(v) for v in re.match(r"\(([-+0-9.]+), ([-+0-9.]+)\)", text).groups())
    return w, b


def eta_below(eta):
    """The slider's value one step below ``eta``."""
    values = tc.eta_values()
    return float(values[values < eta * (1 - 1e-9)][-1])


# --- section 1: LikelihoodLab ----------------------------------------------------------

def test_the_likelihood_questions_are_asked(markdown):
    assert "for $y = 1$, what does $C$ do as $o \\to 0$" in markdown
    assert "where is the likelihood largest?" in markdown


def test_likelihood_lab_c_grows_without_bound_as_o_goes_to_0_for_y_1():
    lab = tc.LikelihoodLab()
    try:
        slider_value(lab.controls["y"], 1.0)
        C = []
        for o in (0.5, 0.1, 0.01, lab.controls["o"].min):
            slider_value(lab.controls["o"], o)
            C.append(readout_number(lab, "C = −log-likelihood"))
        assert np.all(np.diff(C) > 0)
        # At the slider's end C = −ln 0.001 = 6.9: far above the quadratic loss's ½.
        assert C[-1] == pytest.approx(-np.log(0.001), abs=1e-4) and C[-1] > 10 * 0.5
    finally:
        lab.close()


@pytest.mark.parametrize("y", [0.35, 0.8])
def test_likelihood_lab_soft_label_likelihood_is_largest_at_o_equal_y(y):
    lab = tc.LikelihoodLab()
    try:
        slider_value(lab.controls["y"], y)

        def likelihood_at(o):
            # The green dot's height: the readout's 4 decimals are flat near the top.
            slider_value(lab.controls["o"], o)
            shown = lab.mark_l.get_ydata()[0]
            assert lab.readout_values()["likelihood o^y (1 − o)^(1−y)"] == f"{shown:.4f}"
            return shown

        coarse = np.round(np.arange(0.05, 0.951, 0.05), 3)
        best = coarse[np.argmax([likelihood_at(o) for o in coarse])]
        fine = np.round(np.arange(best - 0.01, best + 0.0101, 0.001), 3)
        values = [likelihood_at(o) for o in fine]
        assert fine[np.argmax(values)] == pytest.approx(y, abs=1e-9)
        assert lab.best[0].get_xdata()[0] == y  # the dotted line the notebook names
    finally:
        lab.close()


# --- section 5: CompareLab -------------------------------------------------------------

def test_the_compare_lab_questions_are_asked(markdown):
    assert "how long is the quadratic loss's plateau" in markdown
    assert 'Tick "cross-entropy η ÷ 6"' in markdown
    assert "start at $(w_0, b_0) = (5, 5)$ and raise $\\eta$ (the slider goes up to 100)" in \
        markdown
    assert "within 300 epochs" in markdown


def test_compare_lab_q1_plateau_length_and_step_size():
    lab = tc.CompareLab()
    try:
        assert lab.values()["w0"] == 2.0 and lab.values()["b0"] == 2.0
        assert learned(lab, "quadratic") == 232
        step = lab.lines_s["quadratic"].get_ydata()
        assert step[0] < 0.003 and np.all(np.diff(step[:200]) > 0)
        assert step[:232].max() < 0.025 < lab.lines_s["cross_entropy"].get_ydata()[0]
    finally:
        lab.close()


def test_compare_lab_q2_cross_entropy_still_first_with_eta_over_6():
    lab = tc.CompareLab()
    try:
        lab.controls["divide_by_6"].value = True
        assert lab.readout_values()["cross entropy: η"] == "0.025"
        assert learned(lab, "cross entropy") == 100 < learned(lab, "quadratic") == 232
    finally:
        lab.close()


def test_compare_lab_q3_eta_needed_from_5_5_is_on_the_slider():
    lab = tc.CompareLab()
    try:
        slider_value(lab.controls["w0"], 5.0)
        slider_value(lab.controls["b0"], 5.0)
        eta = lab.controls["eta"]
        assert eta.max == 2  # the track ends at 10² = 100
        slider_value(eta, 10.0)  # the old track's end: not enough
        assert learned(lab, "quadratic") is None
        answer = tc.smallest_eta(lambda e: simulate(
            5.0, 5.0, eta=e, epochs=300, loss="quadratic").epochs_to_learn() <= 300)
        assert answer == pytest.approx(10 ** 1.58, rel=1e-12)  # a value on the track
        slider_value(eta, answer)
        assert learned(lab, "quadratic") is not None and learned(lab, "quadratic") <= 300
        slider_value(eta, eta_below(answer))
        assert learned(lab, "quadratic") is None
        assert f"{answer:.0f}" == "38"  # the notebook's computed answer
    finally:
        lab.close()


# --- section 6: LandscapeLab -----------------------------------------------------------

def test_the_landscape_lab_questions_are_asked(markdown):
    assert "At $\\eta = 0.15$ and 600 epochs, where do the two paths end?" in markdown
    assert "which $\\eta$ gets the quadratic path out of the hatching within 600 epochs?" \
        in markdown


def test_landscape_lab_q1_where_the_paths_end_from_5_5():
    lab = tc.LandscapeLab()
    try:
        for name, value in (("w0", 5.0), ("b0", 5.0), ("eta", 0.15), ("epochs", 600)):
            slider_value(lab.controls[name], value)
        w, b = end_point(lab, "quadratic", 600)
        assert tc.plateau_mask(w, b) and abs(w - 5.0) < 0.01 and w == b  # barely moved
        w, b = end_point(lab, "cross entropy", 600)
        assert not tc.plateau_mask(w, b) and w == b == pytest.approx(-2.555, abs=1e-3)
        assert readout_number(lab, "cross entropy: o") < 0.01
    finally:
        lab.close()


def test_landscape_lab_q2_eta_that_leaves_the_hatching_in_600_epochs():
    lab = tc.LandscapeLab()
    try:
        for name, value in (("w0", 5.0), ("b0", 5.0), ("epochs", 600)):
            slider_value(lab.controls[name], value)
        def leaves(e):
            run = simulate(5.0, 5.0, eta=e, epochs=600, loss="quadratic")
            return not tc.plateau_mask(run.w[-1], run.b[-1])

        answer = tc.smallest_eta(leaves)
        assert answer == pytest.approx(10 ** 1.27, rel=1e-12)
        slider_value(lab.controls["eta"], answer)
        assert not tc.plateau_mask(*end_point(lab, "quadratic", 600))
        slider_value(lab.controls["eta"], eta_below(answer))
        assert tc.plateau_mask(*end_point(lab, "quadratic", 600))
        assert f"{answer:.0f}" == "19"
    finally:
        lab.close()


def test_landscape_lab_shows_where_the_quadratic_loss_is_not_convex(markdown):
    assert "the orange dashes on the quadratic panel are where its smallest eigenvalue" in \
        markdown
    lab = tc.LandscapeLab()
    try:
        theta = lab.w_grid + lab.b_grid
        away = np.abs(theta - np.log(2)) > 0.05
        assert np.array_equal(lab.not_convex[away], (theta > np.log(2))[away])
    finally:
        lab.close()


# --- Exercise 4 (no check): a start and η where only the cross entropy escapes ---------

def test_exercise_4_has_an_answer_in_both_labs():
    landscape = tc.LandscapeLab()
    try:
        for name, value in (("w0", 5.0), ("b0", 5.0), ("eta", 0.15), ("epochs", 100)):
            slider_value(landscape.controls[name], value)
        assert not tc.plateau_mask(*end_point(landscape, "cross entropy", 100))
        slider_value(landscape.controls["epochs"], 600)
        assert tc.plateau_mask(*end_point(landscape, "quadratic", 600))
    finally:
        landscape.close()
    compare = tc.CompareLab()
    try:
        compare.set(w0=5.0, b0=5.0, eta=0.15)
        compare.controls["divide_by_6"].value = True
        # η ÷ 6 for the cross entropy: it still gets below 0.5, the quadratic does not.
        assert learned(compare, "cross entropy") == 220 and learned(compare, "quadratic") is None
    finally:
        compare.close()
