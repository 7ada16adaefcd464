"""The MLP: exact gradients, the slides' identities, training, bad input."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture_mlp import MLP, CrossEntropyLoss, QuadraticLoss, SoftmaxCrossEntropyLoss, sigmoid
from lecture_mlp.gradcheck import check_mlp

LOSS_NAMES = ["quadratic", "cross_entropy", "softmax_cross_entropy"]


def data(loss, n=7, n_in=4, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    if loss == "softmax_cross_entropy":
        t = np.eye(n_out)[rng.integers(0, n_out, n)]
    else:
        t = rng.random((n, n_out))
    return X, t


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("sizes", [[4, 3], [4, 5, 3], [4, 6, 5, 3]], ids=["K=1", "K=2", "K=3"])
def test_gradients_match_finite_differences(loss, sizes):
    net = MLP(sizes, loss, seed=3)
    X, t = data(loss)
    assert check_mlp(net, X, t) < 1e-7


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_gradients_with_tanh_hidden_units(loss):
    net = MLP([4, 5, 3], loss, seed=4, activation="tanh")
    X, t = data(loss, seed=4)
    assert check_mlp(net, X, t) < 1e-7


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4), n=st.integers(1, 6),
       seed=st.integers(0, 2**16), loss=st.sampled_from(LOSS_NAMES))
def test_gradients_over_random_shapes(sizes, n, seed, loss):
    if loss == "softmax_cross_entropy" and sizes[-1] == 1:
        sizes[-1] = 2  # a one-unit softmax is the constant 1: nothing to learn
    net = MLP(sizes, loss, seed=seed)
    X, t = data(loss, n=n, n_in=sizes[0], n_out=sizes[-1], seed=seed)
    grad_W, grad_b = net.gradients(X, t)
    assert [g.shape for g in grad_W] == [W.shape for W in net.weights]
    assert [g.shape for g in grad_b] == [b.shape for b in net.biases]
    if max(np.abs(g).max() for g in grad_W + grad_b) > 1e-6:
        assert check_mlp(net, X, t) < 1e-7


# --- the slides as asserts (one layer: θ = X W + b, O = σ(θ)) ---

@pytest.fixture
def one_layer():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((9, 4))
    return X, rng


def test_cross_entropy_gradient_is_x_times_o_minus_y(one_layer):
    X, rng = one_layer
    t = (rng.random((9, 2)) > 0.5).astype(float)
    net = MLP([4, 2], "cross_entropy", seed=1)
    O = sigmoid(X @ net.weights[0] + net.biases[0])
    grad_W, grad_b = net.gradients(X, t)
    N = len(X)
    np.testing.assert_allclose(grad_W[0], X.T @ (O - t) / N, rtol=1e-12)  # 1/N Σ x_i (o − y)
    np.testing.assert_allclose(grad_b[0], (O - t).sum(axis=0) / N, rtol=1e-12)


def test_quadratic_gradient_keeps_sigma_prime(one_layer):
    X, rng = one_layer
    t = rng.random((9, 2))
    net = MLP([4, 2], "quadratic", seed=1)
    O = sigmoid(X @ net.weights[0] + net.biases[0])
    grad_W, _ = net.gradients(X, t)
    np.testing.assert_allclose(grad_W[0], X.T @ (O * (1 - O) * (O - t)) / len(X), rtol=1e-12)


def test_softmax_gradient_is_x_times_softmax_minus_t(one_layer):
    X, rng = one_layer
    t = np.eye(3)[rng.integers(0, 3, 9)]
    net = MLP([4, 3], "softmax_cross_entropy", seed=1)
    theta = X @ net.weights[0] + net.biases[0]
    softmax = np.exp(theta) / np.exp(theta).sum(axis=1, keepdims=True)
    grad_W, _ = net.gradients(X, t)
    np.testing.assert_allclose(grad_W[0], X.T @ (softmax - t) / len(X), rtol=1e-12)


def test_update_rule_is_the_slides():
    """W_ij^K ← W_ij^K − η 1/N Σ o_i^{K−1}(o_j^K − y_j), for the output layer."""
    X, t = data("cross_entropy", n=6, n_in=3, n_out=2, seed=6)
    net = MLP([3, 4, 2], "cross_entropy", seed=6)
    before = net.copy()
    O = net.forward(X)
    expected = before.weights[1] - 0.3 * O[1].T @ (O[2] - t) / len(X)
    net.train(X, t, eta=0.3, epochs=1)
    np.testing.assert_allclose(net.weights[1], expected, rtol=1e-12)


def test_hidden_delta_keeps_sigma_prime_for_every_loss():
    X, t = data("cross_entropy", n=5, n_in=3, n_out=2, seed=7)
    net = MLP([3, 4, 2], "cross_entropy", seed=7)
    O = net.forward(X)
    delta_K = O[2] - t
    delta_1 = (delta_K @ net.weights[1].T) * O[1] * (1 - O[1])  # δ^1 = (δ^2 W^2ᵀ) σ'(θ^1)
    grad_W, _ = net.gradients(X, t)
    np.testing.assert_allclose(grad_W[0], X.T @ delta_1 / len(X), rtol=1e-12)


# --- forward, shapes, training ---

def test_forward_shapes_and_notation():
    net = MLP([3, 5, 2], "quadratic")
    assert [W.shape for W in net.weights] == [(3, 5), (5, 2)]  # W^k: n_{k−1} × n_k
    assert [b.shape for b in net.biases] == [(5,), (2,)]
    X = np.ones((4, 3))
    O = net.forward(X)
    assert [o.shape for o in O] == [(4, 3), (4, 5), (4, 2)]
    np.testing.assert_array_equal(O[0], X)
    np.testing.assert_allclose(O[1], sigmoid(X @ net.weights[0] + net.biases[0]))
    np.testing.assert_allclose(net.predict(X), O[-1])


def test_seed_fixes_the_weights_and_training_is_deterministic():
    X, t = data("cross_entropy", n=40, seed=8)
    runs = [MLP([4, 6, 3], "cross_entropy", seed=9) for _ in range(2)]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0].weights, runs[1].weights))
    h = [net.train(X, t, eta=0.5, epochs=5, batch_size=8, seed=1) for net in runs]
    assert h[0].loss == h[1].loss
    assert not np.array_equal(MLP([4, 6, 3], "quadratic", seed=10).weights[0], runs[0].weights[0])


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("batch_size", [None, 1, 16])
def test_training_reduces_the_loss(loss, batch_size):
    X, t = data(loss, n=64, seed=11)
    net = MLP([4, 8, 3], loss, seed=11)
    history = net.train(X, t, eta=0.5, epochs=30, batch_size=batch_size, seed=2, record="after")
    assert len(history.loss) == 31 and len(history.accuracy) == 31
    assert history.loss[0] == pytest.approx(MLP([4, 8, 3], loss, seed=11).loss(X, t))
    assert history.loss[-1] < history.loss[0]
    assert history.loss[-1] == pytest.approx(net.loss(X, t))


@pytest.mark.parametrize("batch_size", [None, 5])
def test_history_is_the_loss_after_each_epoch(batch_size):
    X, t = data("cross_entropy", n=20, seed=15)
    net = MLP([4, 5, 3], "cross_entropy", seed=15)
    twin = net.copy()
    history = net.train(X, t, eta=0.7, epochs=6, batch_size=batch_size, seed=3, record="after")
    rng = np.random.default_rng(3)
    loss, accuracy = [twin.loss(X, t)], [twin.accuracy(X, t)]
    for _ in range(6):
        twin.epoch(X, t, eta=0.7, batch_size=batch_size, rng=rng)
        loss.append(twin.loss(X, t))
        accuracy.append(twin.accuracy(X, t))
    assert history.loss == loss and history.accuracy == accuracy
    for W, W_twin in zip(net.weights + net.biases, twin.weights + twin.biases):
        np.testing.assert_array_equal(W, W_twin)


def test_xor_needs_and_gets_a_hidden_layer():
    from lecture_mlp.data import xor_problem

    X, t = xor_problem(200, seed=0)
    linear = MLP([2, 1], "cross_entropy", seed=0)
    linear.train(X, t, eta=1.0, epochs=300)
    hidden = MLP([2, 8, 1], "cross_entropy", seed=0)
    hidden.train(X, t, eta=2.0, epochs=500)
    assert linear.accuracy(X, t) < 0.75 < 0.95 < hidden.accuracy(X, t)


def test_float32_network_stays_float32():
    X, t = data("cross_entropy", n=10, seed=12)
    net = MLP([4, 5, 3], "cross_entropy", dtype=np.float32)
    net.train(X, t, eta=0.1, epochs=2, batch_size=4)
    assert all(W.dtype == np.float32 for W in net.weights + net.biases)
    assert all(g.dtype == np.float32 for g in net.gradients(X, t)[0])


def test_epochs_zero_changes_nothing():
    X, t = data("quadratic", seed=13)
    net = MLP([4, 3], "quadratic")
    W = net.weights[0].copy()
    assert len(net.train(X, t, eta=1.0, epochs=0).loss) == 1
    np.testing.assert_array_equal(net.weights[0], W)


@pytest.mark.parametrize("loss", ["quadratic", "cross_entropy"])
def test_saturated_network_is_finite(loss):
    net = MLP([2, 1], loss, init_scale=1.0)
    net.weights[0][:] = 500.0  # θ = ±1000 for inputs ±1
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    t = np.array([[0.0], [1.0]])  # both confidently wrong
    value = net.loss(X, t)
    grad_W, grad_b = net.gradients(X, t)
    assert np.isfinite(value) and all(np.all(np.isfinite(g)) for g in grad_W + grad_b)
    if loss == "cross_entropy":
        assert value == 1000.0  # −log(1 − σ(1000)) = 1000 exactly, as the θ-form gives
        # 1/N Σ x (o − y) = ([1, 1]·1 + [−1, −1]·(−1)) / 2: the full error, no σ'
        np.testing.assert_array_equal(grad_W[0], [[1.0], [1.0]])
    else:
        assert value == 0.5
        np.testing.assert_array_equal(grad_W[0], 0.0)  # σ'(±1000) = 0: stuck


# --- bad input: each names the argument and what was expected ---

@pytest.mark.parametrize("sizes, message", [
    ([3], "sizes must list at least two layer widths"),
    ([], "sizes must list at least two layer widths"),
    ([3, 0, 1], r"sizes \(every layer width\) must be an integer >= 1"),
    ([3, 2.5], r"sizes \(every layer width\) must be an integer >= 1"),
])
def test_bad_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        MLP(sizes, "quadratic")


def test_unknown_loss_name():
    with pytest.raises(ValueError, match="loss must be one of"):
        MLP([2, 1], "mean_absolute")


def test_unknown_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP([2, 3, 1], "quadratic", activation="relu6")


@pytest.fixture
def net_and_data():
    rng = np.random.default_rng(14)
    return MLP([3, 4, 2], "cross_entropy"), rng.standard_normal((5, 3)), rng.random((5, 2))


def test_wrong_number_of_columns(net_and_data):
    net, X, t = net_and_data
    with pytest.raises(ValueError, match=r"X must have sizes\[0\] = 3 columns"):
        net.forward(X[:, :2])
    with pytest.raises(ValueError, match=r"X must have sizes\[0\] = 3 columns"):
        net.gradients(np.ones((5, 4)), t)


def test_X_must_be_two_dimensional(net_and_data):
    net, X, t = net_and_data
    with pytest.raises(ValueError, match="X must be a 2-D array with one sample per row"):
        net.forward(X[0])


def test_target_shape(net_and_data):
    net, X, t = net_and_data
    with pytest.raises(ValueError, match=r"t must have the output's shape \(5, 2\)"):
        net.loss(X, t[:, :1])


def test_targets_outside_unit_interval(net_and_data):
    net, X, t = net_and_data
    with pytest.raises(ValueError, match=r"t must lie in \[0, 1\]"):
        net.train(X, t * 3, eta=0.1, epochs=1)


def test_softmax_targets_must_sum_to_one():
    net = MLP([2, 3], "softmax_cross_entropy")
    with pytest.raises(ValueError, match="must sum to 1"):
        net.gradients(np.ones((2, 2)), np.full((2, 3), 0.5))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_data(net_and_data, bad):
    net, X, t = net_and_data
    X_bad, t_bad = X.copy(), t.copy()
    X_bad[1, 1], t_bad[2, 0] = bad, bad
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        net.train(X_bad, t, eta=0.1, epochs=1)
    with pytest.raises(ValueError, match="t contains NaN or inf"):
        net.gradients(X, t_bad)


@pytest.mark.parametrize("eta", [0, -0.1, float("nan")])
def test_eta_must_be_positive(net_and_data, eta):
    net, X, t = net_and_data
    with pytest.raises(ValueError, match="eta must be a finite number > 0"):
        net.train(X, t, eta=eta, epochs=1)


def test_epochs_must_not_be_negative(net_and_data):
    net, X, t = net_and_data
    with pytest.raises(ValueError, match="epochs must be an integer >= 0"):
        net.train(X, t, eta=0.1, epochs=-1)


@pytest.mark.parametrize("batch_size", [0, -3, 2.5])
def test_batch_size_must_be_at_least_one(net_and_data, batch_size):
    net, X, t = net_and_data
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        net.train(X, t, eta=0.1, epochs=1, batch_size=batch_size)


def test_loss_objects_are_accepted():
    for loss in (QuadraticLoss(), CrossEntropyLoss(), SoftmaxCrossEntropyLoss()):
        assert MLP([2, 2], loss).loss_fn is loss


@pytest.mark.parametrize("batch_size", [None, 2, 3, 50])
@pytest.mark.parametrize("bad_row", [0, 6])
def test_epoch_with_bad_rows_raises_and_changes_nothing(batch_size, bad_row):
    # With mini-batches the rows are checked batch by batch; a bad row in a late batch
    # must still leave the network as it was before the epoch.
    X, t = data("cross_entropy", n=7, n_out=3)
    net = MLP([4, 5, 3], "cross_entropy")
    before = net.copy()
    X[bad_row, 2] = np.nan
    for seed in range(4):  # the bad row lands in different batches
        with pytest.raises(ValueError, match="X contains NaN or inf"):
            net.epoch(X, t, eta=0.5, batch_size=batch_size, rng=seed)
        for p, q in zip(net.weights + net.biases, before.weights + before.biases):
            np.testing.assert_array_equal(p, q)


def test_epoch_check_happens_before_the_bad_batch_is_used():
    X, t = data("quadratic", n=12, n_out=3)
    net = MLP([4, 3], "quadratic")
    X[11] = np.inf
    steps = []
    step = net._step

    def checked_step(X_batch, t_batch, *args):
        assert np.isfinite(X_batch).all()  # no step ever sees the bad row
        steps.append(len(X_batch))
        return step(X_batch, t_batch, *args)

    net._step = checked_step
    for seed in range(6):
        with pytest.raises(ValueError, match="X contains NaN or inf"):
            net.epoch(X, t, eta=0.1, batch_size=4, rng=seed)
    assert steps  # some good batches came first and were stepped (then undone)


def test_rejected_epoch_leaves_the_generator_alone():
    X, t = data("quadratic", n=12, n_out=3)
    X[5, 0] = np.nan
    rng = np.random.default_rng(7)
    before = rng.bit_generator.state
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        MLP([4, 3], "quadratic").epoch(X, t, eta=0.1, batch_size=4, rng=rng)
    assert rng.bit_generator.state == before


def test_no_samples():
    net = MLP([4, 3], "quadratic")
    for call in (lambda: net.gradients(np.empty((0, 4)), np.empty((0, 3))),
                 lambda: net.epoch(np.empty((0, 4)), np.empty((0, 3)), eta=0.1, batch_size=2)):
        with pytest.raises(ValueError, match="X must have at least one sample"):
            call()


# --- odd arguments, named ---

@pytest.mark.parametrize("eta", ["1", True, np.True_])
def test_eta_must_be_a_number_not_text_or_a_bool(net_and_data, eta):
    net, X, t = net_and_data
    for call in (lambda: net.train(X, t, eta=eta, epochs=1),
                 lambda: net.epoch(X, t, eta=eta, batch_size=2)):
        with pytest.raises(ValueError, match="eta must be a finite number > 0"):
            call()


def test_complex_data_is_rejected_by_its_dtype(net_and_data):
    net, X, t = net_and_data
    with pytest.raises(ValueError, match="X must be real, got complex values"):
        net.forward(X + 1j)
    with pytest.raises(ValueError, match="t must be real, got complex values"):
        net.train(X, t + 0j, eta=0.1, epochs=1)


def test_seed_dtype_and_rng_are_named():
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        MLP([2, 1], "quadratic", seed=-1)
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got 'abc'"):
        MLP([2, 1], "quadratic", dtype="abc")
    net = MLP([2, 1], "quadratic")
    X, t = np.ones((3, 2)), np.ones((3, 1))
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        net.train(X, t, eta=0.1, epochs=1, batch_size=2, seed=-1)
    with pytest.raises(ValueError, match="rng must be an integer >= 0"):
        net.epoch(X, t, eta=0.1, batch_size=2, rng=-1)
    with pytest.raises(ValueError, match="epoch_number must be an integer >= 1"):
        net.epoch(X, t, eta=0.1, epoch_number=0)


# --- divergence: a step that makes the parameters NaN or inf ---

def _same_parameters(a, b):
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("loss", ["cross_entropy", "softmax_cross_entropy"])  # a quadratic
@pytest.mark.parametrize("batch_size", [None, 3])  # unit saturates: σ' = 0 stops its steps
def test_a_diverging_epoch_is_undone_and_named(loss, batch_size):
    # pytest turns numpy's overflow warnings into errors: none may leak here.
    X, t = data(loss, n=8)
    net = MLP([4, 5, 3], loss, seed=4)
    before = net.copy()
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    with pytest.raises(ValueError, match="training diverged in epoch 7: .*eta = 1e\\+200"):
        for _ in range(10):  # full batch: the first step is finite, a later one is not
            net.epoch(X, t, eta=1e200, batch_size=batch_size, rng=rng, epoch_number=7)
            before, state = net.copy(), rng.bit_generator.state
    _same_parameters(net, before)  # the parameters before the diverging epoch
    assert rng.bit_generator.state == state
    assert all(np.isfinite(p).all() for p in net.weights + net.biases)


@pytest.mark.parametrize("batch_size", [None, 3])
def test_train_says_at_which_epoch_it_diverged(batch_size):
    X, t = data("cross_entropy", n=8)
    net = MLP([4, 5, 3], "cross_entropy", seed=4)
    with pytest.raises(ValueError, match=r"training diverged in epoch (\d+)") as info:
        net.train(X, t, eta=1e200, epochs=20, batch_size=batch_size, seed=1)
    epoch = int(re.search(r"epoch (\d+)", str(info.value)).group(1))
    twin = MLP([4, 5, 3], "cross_entropy", seed=4)  # the same run, stopped before it
    twin.train(X, t, eta=1e200, epochs=epoch - 1, batch_size=batch_size, seed=1)
    _same_parameters(net, twin)


def test_huge_but_finite_losses_have_a_finite_mean():
    net = MLP([1, 1], "cross_entropy")
    net.weights[0][:] = 1e308
    X, t = np.ones((3, 1)), np.zeros((3, 1))
    assert net.loss(X, t) == pytest.approx(1e308)  # the sum overflows; the mean does not


# --- epoch() shuffles ---

@pytest.mark.parametrize("batch_size", [3, 4])  # 10 rows: a short last batch of 1 or 2
def test_epoch_is_shuffled_steps_of_eta_times_the_gradient(batch_size):
    X, t = data("cross_entropy", n=10, n_out=3, seed=21)
    net = MLP([4, 5, 3], "cross_entropy", seed=22)
    reference = net.copy()
    net.epoch(X, t, eta=0.5, batch_size=batch_size, rng=42)

    # The documented loop: one permutation from np.random.default_rng(rng), cut into
    # batches in order, one step W ← W − η ∂C/∂W per batch.
    order = np.random.default_rng(42).permutation(len(X))
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        grad_W, grad_b = reference.gradients(X[rows], t[rows])
        for p, g in zip(reference.weights + reference.biases, grad_W + grad_b):
            p -= 0.5 * g
    for p, q in zip(net.weights + net.biases, reference.weights + reference.biases):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)

    other = MLP([4, 5, 3], "cross_entropy", seed=22)
    other.epoch(X, t, eta=0.5, batch_size=batch_size, rng=43)
    assert not np.allclose(other.weights[0], net.weights[0], rtol=0, atol=1e-6)
