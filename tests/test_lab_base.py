"""The machinery every lab shares, driven without a kernel (Agg backend)."""

import base64

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lecture_mlp.labs.slowdown import ThetaLab, theta_factors


@pytest.fixture
def lab():
    lab = ThetaLab()
    yield lab
    lab.close()


def test_slider_change_redraws_the_same_figure(lab):
    figures = plt.get_fignums()
    artists = len(lab.fig.axes[0].lines), len(lab.fig.axes[1].lines)
    lab.controls["theta"].value = -3.0
    assert plt.get_fignums() == figures  # no new figure
    assert (len(lab.fig.axes[0].lines), len(lab.fig.axes[1].lines)) == artists  # no new lines
    marker = lab.markers["quadratic"]
    expected = theta_factors(-3.0, lab.controls["t"].value)["quadratic"]
    np.testing.assert_allclose(marker.get_ydata(), [expected])


def test_set_changes_several_controls_with_one_redraw(lab):
    calls = []
    original = lab.draw
    lab.draw = lambda **values: (calls.append(values), original(**values))
    lab.set(theta=1.5, t=1.0)
    assert calls == [{"theta": 1.5, "t": 1.0}]
    lab.controls["theta"].value = 2.0  # observers are back after set()
    assert len(calls) == 2


def test_unknown_initial_control():
    with pytest.raises(ValueError, match=r"unknown control\(s\) \['eta'\]"):
        ThetaLab(eta=0.1)


def test_initial_values_are_used():
    lab = ThetaLab(theta=-2.0)
    try:
        assert lab.values()["theta"] == -2.0
        np.testing.assert_allclose(lab.markers["O"].get_ydata(), theta_factors(-2.0, 0)["O"])
    finally:
        lab.close()


def test_static_fallback_is_a_png_with_fixed_text(lab):
    bundle = lab._repr_mimebundle_()
    assert bundle["text/plain"] == f"<ThetaLab: {ThetaLab.title}>"
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_controls_and_box_carry_css_classes(lab):
    assert "lab-ThetaLab" in lab.widget._dom_classes
    assert "control-theta" in lab.controls["theta"]._dom_classes
    assert "class='lab-value' data-name='O = σ(θ)'" in lab.readout.value
