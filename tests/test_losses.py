"""The three losses: finite-difference checks, the slides' formulas, saturation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lecture_mlp import CrossEntropyLoss, QuadraticLoss, SoftmaxCrossEntropyLoss, get_loss
from lecture_mlp.gradcheck import check_loss, numerical_gradient

LOSSES = [QuadraticLoss(), CrossEntropyLoss(), SoftmaxCrossEntropyLoss()]
IDS = [loss.name for loss in LOSSES]


def targets_for(loss, rng, shape):
    t = rng.random(shape)
    if isinstance(loss, SoftmaxCrossEntropyLoss):
        t /= t.sum(axis=1, keepdims=True)
    return t


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
@pytest.mark.parametrize("shape", [(1, 1), (5, 1), (4, 3), (7, 10)])
def test_delta_is_the_gradient_of_value(loss, shape):
    rng = np.random.default_rng(sum(shape))
    theta = 3 * rng.standard_normal(shape)
    t = targets_for(loss, rng, shape)
    assert check_loss(loss, theta, t) < 1e-7


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_one_hot_targets(loss):
    rng = np.random.default_rng(1)
    theta = 2 * rng.standard_normal((6, 4))
    t = np.eye(4)[rng.integers(0, 4, 6)]
    assert check_loss(loss, theta, t) < 1e-7


def test_value_matches_the_slides_formulas():
    rng = np.random.default_rng(2)
    theta = rng.standard_normal((8, 3))
    t = rng.random((8, 3))
    O = 1 / (1 + np.exp(-theta))
    quadratic = np.mean(0.5 * np.sum((O - t) ** 2, axis=1))
    cross_entropy = -np.mean(np.sum(t * np.log(O) + (1 - t) * np.log(1 - O), axis=1))
    assert QuadraticLoss().value(theta, t) == pytest.approx(quadratic, rel=1e-14)
    assert CrossEntropyLoss().value(theta, t) == pytest.approx(cross_entropy, rel=1e-13)
    t_soft = t / t.sum(axis=1, keepdims=True)
    softmax = np.exp(theta) / np.exp(theta).sum(axis=1, keepdims=True)
    expected = -np.mean(np.sum(t_soft * np.log(softmax), axis=1))
    assert SoftmaxCrossEntropyLoss().value(theta, t_soft) == pytest.approx(expected, rel=1e-13)


def test_deltas_are_the_slides_deltas():
    rng = np.random.default_rng(3)
    theta = rng.standard_normal((5, 2))
    t = rng.random((5, 2))
    O = 1 / (1 + np.exp(-theta))
    np.testing.assert_allclose(QuadraticLoss().delta(theta, t), O * (1 - O) * (O - t))
    np.testing.assert_allclose(CrossEntropyLoss().delta(theta, t), O - t)
    t_soft = t / t.sum(axis=1, keepdims=True)
    softmax = np.exp(theta) / np.exp(theta).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(SoftmaxCrossEntropyLoss().delta(theta, t_soft), softmax - t_soft)


def test_softmax_rows_sum_to_one_and_two_class_softmax_is_a_sigmoid():
    theta = np.array([[2.0, -1.0], [0.0, 0.0], [-3.0, 4.0]])
    O = SoftmaxCrossEntropyLoss().output(theta)
    np.testing.assert_allclose(O.sum(axis=1), 1)
    two_class = CrossEntropyLoss().output(theta[:, :1] - theta[:, 1:])
    np.testing.assert_allclose(O[:, 0], two_class[:, 0])


# --- saturation: θ = ±1000 gives finite, correct values (warnings are errors) ---

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_saturated(dtype):
    theta = np.array([[1000.0], [1000.0], [-1000.0], [-1000.0]], dtype=dtype)
    t = np.array([[1.0], [0.0], [1.0], [0.0]], dtype=dtype)
    loss = CrossEntropyLoss()
    # Hand computed: right and confident costs 0; wrong and confident costs |θ| = 1000.
    np.testing.assert_array_equal(loss.per_sample(theta, t), [0.0, 1000.0, 1000.0, 0.0])
    assert loss.value(theta, t) == 500.0
    np.testing.assert_array_equal(loss.delta(theta, t), [[0.0], [1.0], [-1.0], [0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_quadratic_saturated(dtype):
    theta = np.array([[1000.0], [-1000.0]], dtype=dtype)
    t = np.array([[0.0], [0.0]], dtype=dtype)
    loss = QuadraticLoss()
    # O = 1 (wrong) costs ½, O = 0 (right) costs 0; σ'(±1000) = 0 exactly, so δ = 0:
    # the confidently wrong unit does not learn at all.
    np.testing.assert_array_equal(loss.per_sample(theta, t), [0.5, 0.0])
    np.testing.assert_array_equal(loss.delta(theta, t), [[0.0], [0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_saturated(dtype):
    theta = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]], dtype=dtype)
    t = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=dtype)
    loss = SoftmaxCrossEntropyLoss()
    # −log softmax_j = max − θ_j + log Σ e^{θ − max}: 2000 and 2000 + log 2.
    np.testing.assert_allclose(loss.per_sample(theta, t), [2000.0, 2000.0 + np.log(2)],
                               rtol=1e-6)
    np.testing.assert_allclose(loss.delta(theta, t),
                               [[1.0, -1.0, 0.0], [-1.0, 0.5, 0.5]], atol=1e-7)


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(loss, dtype):
    theta = np.zeros((2, 3), dtype=dtype)
    t = np.full((2, 3), 1 / 3, dtype=dtype)
    assert loss.delta(theta, t).dtype == dtype
    assert loss.output(theta).dtype == dtype


# --- property tests over random shapes and values ---

shapes = st.tuples(st.integers(1, 6), st.integers(1, 5))


@settings(max_examples=40, deadline=None)
@given(data=st.data(), shape=shapes)
def test_properties_over_random_inputs(data, shape):
    theta = data.draw(hnp.arrays(np.float64, shape,
                                 elements=st.floats(-1000, 1000, allow_nan=False)))
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    for loss in (QuadraticLoss(), CrossEntropyLoss()):
        value, delta = loss.value(theta, t), loss.delta(theta, t)
        assert np.isfinite(value) and value >= 0
        assert np.all(np.isfinite(delta)) and np.all(np.abs(delta) <= 1)
        per_sample = loss.per_sample(theta, t)
        assert per_sample.shape == (shape[0],)
        assert value == pytest.approx(per_sample.mean())
    # The cross-entropy delta has no σ': |δ| = |O − t| is never smaller than the
    # quadratic one, σ'(θ)|O − t| ≤ |O − t|/4.
    O = CrossEntropyLoss().output(theta)
    q, c = QuadraticLoss().delta(theta, t), CrossEntropyLoss().delta(theta, t)
    assert np.all(np.abs(q) <= np.abs(c) / 4 + 1e-15)
    np.testing.assert_allclose(c, O - t)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), shape=shapes)
def test_softmax_properties(data, shape):
    theta = data.draw(hnp.arrays(np.float64, shape,
                                 elements=st.floats(-1000, 1000, allow_nan=False)))
    k = data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=shape[0], max_size=shape[0]))
    t = np.eye(shape[1])[k]
    loss = SoftmaxCrossEntropyLoss()
    O = loss.output(theta)
    np.testing.assert_allclose(O.sum(axis=1), 1)
    assert np.isfinite(loss.value(theta, t)) and loss.value(theta, t) >= 0
    np.testing.assert_allclose(loss.delta(theta, t).sum(axis=1), 0, atol=1e-12)


def assert_delta_is_gradient(loss, theta, t):
    """The finite-difference check, relative where the gradient is large and absolute
    below a scale: ‖a − n‖ < 1e-7 · max(‖a‖, ‖n‖, 1e-2).

    A purely relative error means nothing where the exact gradient is near 0 (O ≈ t):
    the centred difference then carries a round-off of about ε·|C|/h ≈ 1e-10 per
    entry, which a gradient of norm 1e-6 turns into a relative error above 1e-7. Below
    norm 1e-2 the test demands an absolute error under 1e-9 instead, so a wrong derivative
    (a missing σ' or a sign, off by O(‖a‖)) still fails wherever ‖a‖ is above ~1e-8."""
    analytic = loss.delta(theta, t) / theta.shape[0]
    numeric = numerical_gradient(lambda: loss.value(theta, t), theta)
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric), 1e-2)
    assert np.linalg.norm(analytic - numeric) < 1e-7 * scale


@settings(max_examples=25, deadline=None)
@given(data=st.data(), shape=shapes)
def test_gradient_check_over_random_inputs(data, shape):
    theta = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-6, 6)))
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    for loss in (QuadraticLoss(), CrossEntropyLoss()):
        assert_delta_is_gradient(loss, theta, t)
    weights = t + 0.1
    assert_delta_is_gradient(SoftmaxCrossEntropyLoss(), theta,
                             weights / weights.sum(axis=1, keepdims=True))


def test_gradient_check_where_the_gradient_vanishes():
    theta = np.zeros((1, 2))
    assert_delta_is_gradient(CrossEntropyLoss(), theta, np.full((1, 2), 0.5))
    assert_delta_is_gradient(SoftmaxCrossEntropyLoss(), theta, np.full((1, 2), 0.5))


# --- bad input ---

@pytest.mark.parametrize("loss", [QuadraticLoss(), CrossEntropyLoss()], ids=IDS[:2])
def test_sigmoid_targets_outside_unit_interval(loss):
    with pytest.raises(ValueError, match=r"t must lie in \[0, 1\]"):
        loss.value(np.zeros((2, 1)), np.array([[0.5], [1.5]]))
    with pytest.raises(ValueError, match=r"t must lie in \[0, 1\]"):
        loss.delta(np.zeros((2, 1)), np.array([[-0.1], [1.0]]))


def test_softmax_targets_must_sum_to_one():
    with pytest.raises(ValueError, match="t: each row of softmax targets must sum to 1, row 1"):
        SoftmaxCrossEntropyLoss().value(np.zeros((2, 3)), [[1, 0, 0], [0.5, 0.2, 0.2]])


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_target_shape_must_match(loss):
    with pytest.raises(ValueError, match=r"t must have the output's shape \(2, 3\)"):
        loss.delta(np.zeros((2, 3)), np.zeros((3, 2)))


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(loss, bad):
    theta = np.zeros((2, 2))
    t = np.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="t contains NaN or inf"):
        loss.value(theta, np.where([[True, False], [False, False]], bad, t))
    with pytest.raises(ValueError, match="theta contains NaN or inf"):
        loss.delta(np.where([[False, True], [False, False]], bad, theta), t)


def test_unknown_loss():
    with pytest.raises(ValueError, match="loss must be one of"):
        get_loss("hinge")
    assert isinstance(get_loss("cross_entropy"), CrossEntropyLoss)


# --- edge cases: empty, NaN, complex, logits at the ends of float64 ---

@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
@pytest.mark.parametrize("shape", [(0, 3), (2, 0)])
def test_empty_theta_is_an_error_not_nan(loss, shape):
    with pytest.raises(ValueError, match="theta must have at least one sample"):
        loss.value(np.zeros(shape), np.zeros(shape))


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_output_checks_theta(loss):
    with pytest.raises(ValueError, match="theta contains NaN or inf"):
        loss.output([[np.nan]])
    with pytest.raises(ValueError, match="theta must be real, got complex values"):
        loss.output([[1.0 + 1j]])
    with pytest.raises(ValueError, match="t must be real, got complex values"):
        loss.value(np.zeros((1, 2)), np.full((1, 2), 0.5) + 0j)


def test_softmax_output_needs_an_output_axis():
    with pytest.raises(ValueError, match="theta must have at least one output"):
        SoftmaxCrossEntropyLoss().output(np.zeros((2, 0)))


def test_softmax_at_logits_a_float_max_apart():
    # θ_2 − max = −2e308 overflows to −inf: e^{−inf} = 0 is right, and a 0 target
    # times log softmax = −inf must count as 0, not NaN.
    loss = SoftmaxCrossEntropyLoss()
    theta = np.array([[1e308, -1e308], [-1e308, 1e308]])
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert loss.value(theta, t) == 0.0
    np.testing.assert_array_equal(loss.output(theta), t)
    np.testing.assert_array_equal(loss.delta(theta, t), 0.0)
    # The target on the other class: the true loss, 2e308, rounds to inf in float64.
    assert loss.value(theta, t[::-1]) == np.inf
