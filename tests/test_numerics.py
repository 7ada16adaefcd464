"""The teaching comparisons of lecture_mlp.numerics: where each naive version breaks,
the NOTES.md facts, and agreement with the package's losses where nothing breaks.

pytest runs with warnings as errors, so every call here also proves that the naive
versions return inf/NaN as values without a RuntimeWarning escaping.
"""

import numpy as np
import pytest

from lecture_mlp import CrossEntropyLoss, numerics, sigmoid

EXTREMES = np.array([-1000.0, -800.0, -745.0, -100.0, -37.0, -17.0, -1.0, 0.0, 1.0, 17.0, 36.0,
                     37.0, 88.0, 100.0, 709.0, 710.0, 800.0, 1000.0])
ALL = {**numerics.TWO_CLASS, **numerics.SOFTMAX}


def exact(theta, y):
    """An independent oracle: C = y softplus(−θ) + (1 − y) softplus(θ) in float64, with
    softplus(z) = max(z, 0) + log1p(e^{−|z|})."""
    theta = np.asarray(theta, dtype=np.float64)

    def softplus(z):
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))

    return y * softplus(-theta) + (1 - y) * softplus(theta)


@pytest.mark.parametrize("dtype, first", [(np.float64, 37), (np.float32, 17)])
def test_first_theta_where_sigmoid_rounds_to_one(dtype, first):
    assert numerics.first_theta_where_sigmoid_is_one(dtype) == first
    assert numerics.naive_sigmoid(np.asarray(first, dtype=dtype)) == 1
    assert numerics.naive_sigmoid(np.asarray(first - 1, dtype=dtype)) < 1
    # The package's sigmoid rounds the same way: the inf comes from log(1 − 1), not from σ.
    assert sigmoid(np.asarray(first, dtype=dtype)) == 1


def test_notes_facts_naive_log_is_inf():
    # NOTES.md: naive −log(1 − σ(θ)) is inf at θ = 100 in float32 and from θ ≈ 37 in float64.
    assert numerics.naive_cross_entropy(np.float32(100), 0) == np.inf
    assert numerics.naive_cross_entropy(np.float64(37), 0) == np.inf
    assert np.isfinite(numerics.naive_cross_entropy(np.float64(36), 0))
    assert numerics.naive_cross_entropy(np.float32(17), 0) == np.inf
    # 0 · log 0 on the right side of the target is NaN, not 0.
    assert np.isnan(numerics.naive_cross_entropy(np.float64(37), 1))
    assert np.isnan(numerics.naive_cross_entropy(np.float64(-1000), 0))


def test_nielsen_nan_to_num_gives_the_largest_float():
    value = numerics.nan_to_num_cross_entropy(1.0, 0.0)
    assert value == np.finfo(np.float64).max
    assert f"{value:.2g}" == "1.8e+308"
    assert numerics.nan_to_num_cross_entropy(0.0, 0.0) == 0  # NaN from 0·log 0 becomes 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_clipped_and_clamped_saturate(dtype, y):
    wrong = np.asarray(1000.0 if y == 0 else -1000.0, dtype=dtype)
    eps = dtype(numerics.EPSILON)
    top = -np.log(eps) if y == 1 else -np.log(dtype(1) - dtype(1 - numerics.EPSILON))
    assert numerics.clipped_cross_entropy(wrong, y) == pytest.approx(top, rel=1e-5)
    assert numerics.clipped_cross_entropy(wrong, y) < 16.2
    assert numerics.clamped_cross_entropy(wrong, y) == pytest.approx(100.0)
    assert numerics.theta_cross_entropy(wrong, y) == pytest.approx(1000.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_every_version_is_warning_free_and_keeps_dtype(dtype, y):
    theta = EXTREMES.astype(dtype)
    for name, f in ALL.items():
        C = f(theta, y)
        assert C.dtype == dtype, name
        assert C.shape == theta.shape, name
        assert not np.any(np.signbit(C) & (C == 0)), f"{name}: −0 would print as '-0'"


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_from_theta_is_exact_everywhere(dtype, rtol, y):
    theta = EXTREMES.astype(dtype)
    want = exact(theta.astype(np.float64), y)
    for f in (numerics.theta_cross_entropy, numerics.softmax_cross_entropy_theta):
        got = f(theta, y)
        assert np.all(np.isfinite(got))
        # atol: log-softmax computes log(1 + e^{−37}) as log 1 = 0, absolutely exact enough
        np.testing.assert_allclose(got, want, rtol=rtol, atol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_naive_versions_agree_where_nothing_saturates(y):
    theta = np.linspace(-8, 8, 33)
    want = exact(theta, y)
    for name in ("naive", "ε-clipped", "clamped at −100", "from θ (package)"):
        np.testing.assert_allclose(numerics.TWO_CLASS[name](theta, y), want, rtol=1e-9,
                                   err_msg=name)
    if y in (0.0, 1.0):
        for name, f in numerics.SOFTMAX.items():
            np.testing.assert_allclose(f(theta, y), want, rtol=1e-9, err_msg=name)


def test_theta_version_is_the_package_loss():
    theta = np.array([[-3.0], [0.5], [40.0]])
    t = np.array([[1.0], [0.0], [0.0]])
    np.testing.assert_array_equal(numerics.theta_cross_entropy(theta[:, 0], t[:, 0]),
                                  CrossEntropyLoss().per_sample(theta, t))


def test_softmax_without_shift_overflows_to_nan():
    assert np.isnan(numerics.softmax_cross_entropy_naive(np.float64(710), 1))
    assert np.isfinite(numerics.softmax_cross_entropy_naive(np.float64(709), 1))
    assert np.isnan(numerics.softmax_cross_entropy_naive(np.float32(100), 1))
    P = numerics.naive_softmax(np.array([[0.0, 1000.0]]))
    assert np.isnan(P[0, 1])


def test_shift_fixes_overflow_but_not_underflow():
    # max shift: no NaN at θ = 1000 ...
    assert numerics.softmax_cross_entropy_shifted(np.float64(1000), 1) == 0
    # ... but the other class's probability e^{−1000} underflows to 0 and −log 0 = inf.
    assert numerics.softmax_cross_entropy_shifted(np.float64(1000), 0) == np.inf
    assert numerics.softmax_cross_entropy_theta(np.float64(1000), 0) == 1000


def test_softmax_of_zero_and_theta_is_the_sigmoid():
    theta = np.linspace(-20, 20, 41)
    P = numerics.naive_softmax(numerics._logits(theta))
    np.testing.assert_allclose(P[:, 1], sigmoid(theta), rtol=1e-12)


def test_against_pytorch():
    """PyTorch as an independent oracle: BCELoss clamps the log at −100, and
    BCEWithLogits is the exact loss from θ."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    theta = np.array([-1000.0, -50.0, -3.0, 0.0, 2.0, 40.0, 1000.0])
    for y in (0.0, 1.0):
        t = torch.full((theta.size,), y, dtype=torch.float64)
        O = torch.sigmoid(torch.tensor(theta))
        bce = F.binary_cross_entropy(O, t, reduction="none").numpy()
        np.testing.assert_allclose(numerics.clamped_cross_entropy(theta, y), bce, rtol=1e-12)
        logits = F.binary_cross_entropy_with_logits(torch.tensor(theta), t,
                                                    reduction="none").numpy()
        # atol: PyTorch rounds a loss of 1.9e-22 (θ = −50, y = 0) to 0; logaddexp keeps it
        np.testing.assert_allclose(numerics.theta_cross_entropy(theta, y), logits, rtol=1e-12,
                                   atol=1e-15)
