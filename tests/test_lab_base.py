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


def _pixels(lab):
    return np.asarray(lab.fig.canvas.buffer_rgba()).copy()


def _png_pixels(lab):
    import io

    from PIL import Image

    data = base64.b64decode(lab._repr_mimebundle_()["image/png"])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def _all_labs():
    """Every Lab class; found by importing the lab modules only (collecting the tests
    builds no lab: a broken loss fails named tests, not the collection)."""
    from benchmarks.labs import discover

    return list(discover().values())


def _blitting_labs():
    return [cls for cls in _all_labs() if _moves(cls)]


def _moves(cls):
    lab = cls()
    try:
        return bool(lab.moving)
    finally:
        lab.close()


def _new_values(control):
    """A few values other than the current one, for any kind of control."""
    if hasattr(control, "options"):
        return [value for _, value in _options(control) if value != control.value]
    if isinstance(control.value, bool):
        return [not control.value]
    if hasattr(control, "base"):  # a log slider: min and max are exponents
        return [control.base ** control.min, control.base ** control.max]
    return [control.min, control.max, type(control.value)((control.min + control.max) / 2)]


def _options(control):
    return [option if isinstance(option, tuple) else (option, option)
            for option in control.options]


def test_labs_that_blit_exist():
    assert len(_blitting_labs()) >= 6


def _plain_render(lab):
    """The pixels of a full render with no blitting at all (every artist drawn by
    matplotlib in its own order), leaving the lab as it was."""
    layers, lab._layers = lab._layers, []
    try:
        for artist in layers:
            artist.set_animated(False)
        lab.fig.canvas.draw()
        return _pixels(lab)
    finally:
        for artist in layers:
            artist.set_animated(True)
        lab._layers = layers
        lab.fig.canvas.draw()


@pytest.mark.parametrize("cls", _all_labs(), ids=lambda cls: cls.__name__)
def test_every_update_shows_exactly_a_full_render(cls):
    # A slider change redraws only the moving artists (and the lines drawn over them)
    # over the saved background, or, when the axes' limits changed, renders in full.
    # Either way the pixels must be exactly those of a plain full render of the same
    # state: this fails if ``draw`` changes an artist that is not in ``moving``, or if
    # a blit stacks the layers in another order than matplotlib does.
    lab = cls()
    try:
        canvas = lab.fig.canvas
        canvas.draw()
        blits = 0
        for name, control in lab.controls.items():
            for value in _new_values(control):
                before = _pixels(lab)
                renders = []
                connection = canvas.mpl_connect("draw_event", renders.append)
                control.value = value
                canvas.mpl_disconnect(connection)
                shown = _pixels(lab)
                np.testing.assert_array_equal(shown, _plain_render(lab),
                                              err_msg=f"{name} = {value}")
                # (Some changes rightly show nothing new: w₀ = b₀ = 0 looks the same for
                # x and −x.) Count the blits that moved something.
                blits += not renders and (shown != before).any()
        if lab.moving:  # a lab that blits: some updates were blitted, and showed
            assert blits > 0
    finally:
        lab.close()


@pytest.mark.parametrize("cls", _all_labs(), ids=lambda cls: cls.__name__)
def test_static_png_then_blits_stay_right(cls):
    # The PNG a notebook saves (no kernel) is the canvas as shown, and saving it must
    # not leave anything behind in the background that later blits restore.
    lab = cls()
    try:
        lab.fig.canvas.draw()
        shown = _pixels(lab)
        np.testing.assert_array_equal(_png_pixels(lab), shown)
        name, control = next((n, c) for n, c in lab.controls.items()
                             if hasattr(c, "max") and not hasattr(c, "options"))
        for value in _new_values(control):
            control.value = value
            np.testing.assert_array_equal(_pixels(lab), _plain_render(lab),
                                          err_msg=f"{name} = {value} after a PNG export")
    finally:
        lab.close()


def test_blitting_lab_falls_back_to_a_full_render_after_a_resize():
    from lecture_mlp.labs.two_class import CompareLab

    lab = CompareLab()
    try:
        canvas = lab.fig.canvas
        canvas.draw()
        lab.fig.set_size_inches(6, 3)  # the saved background no longer fits
        renders = []
        canvas.mpl_connect("draw_event", lambda event: renders.append(event))
        lab.controls["w0"].value = 1.0
        assert len(renders) == 1  # a full render at the new size, not a stale blit
        np.testing.assert_array_equal(_pixels(lab), _plain_render(lab))
    finally:
        lab.close()


def test_blitting_lab_saves_to_every_format_and_keeps_blitting_right():
    import io

    from lecture_mlp.labs.two_class import CompareLab

    lab = CompareLab()
    try:
        lab.lines_o["quadratic"].set_gid("moving-line")
        svg = io.BytesIO()
        lab.fig.savefig(svg, format="svg")
        assert svg.getvalue().count(b"moving-line") == 1  # in saved files, once
        for fmt, options in (("pdf", {}), ("png", {"dpi": 50}),
                             ("png", {"transparent": True}), ("png", {"facecolor": "0.5"})):
            out = io.BytesIO()
            lab.fig.savefig(out, format=fmt, **options)
            assert out.getvalue()
            lab.controls["w0"].value = -lab.controls["w0"].value  # then blits (or renders)
            np.testing.assert_array_equal(_pixels(lab), _plain_render(lab),
                                          err_msg=f"after savefig {fmt} {options}")
    finally:
        lab.close()


def test_texts_outside_the_axes_are_told_apart_without_rendering():
    from lecture_mlp.labs._base import _outside

    fig, ax = plt.subplots()
    try:
        def text(x, y, **kw):
            return ax.text(x, y, "label", transform=ax.transAxes, **kw)

        assert _outside(text(0.5, 1.025, va="bottom"), ax)  # a title above
        assert _outside(text(0.5, -0.1, va="top"), ax)  # an x label below
        assert _outside(text(-0.15, 0.5, ha="center", rotation=90), ax)  # a y label
        assert not _outside(text(0.5, -0.1, va="bottom"), ax)  # reaches up into the axes
        assert not _outside(text(0.05, 0.95, va="top"), ax)  # a corner label inside
        assert not _outside(ax.text(0.5, 1.5, "data coordinates"), ax)  # may move inside
        assert not _outside(ax.plot([0, 1])[0], ax)  # not a text
    finally:
        plt.close(fig)
