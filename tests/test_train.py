"""MLP.train's records: each number recomputed here by an independent loop.

The loops below shuffle and step with numpy and ``net.gradients`` alone, never with
``MLP.epoch`` or ``MLP.train``, so a record that drifted from its docstring's
definition (the state after epoch e, or the mean of the losses before each step)
fails here.
"""

import numpy as np
import pytest

from lecture_mlp import MLP

LOSSES = ["quadratic", "cross_entropy", "softmax_cross_entropy"]


def data(loss, n=23, n_in=4, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    if loss == "softmax_cross_entropy" or n_out > 1:
        t = np.eye(n_out)[rng.integers(0, n_out, n)]
    else:
        t = (rng.random((n, 1)) < 0.5).astype(float)
    return X, t


def right(O, t):
    """Classified right, per sample, written out again: O > ½ for one output, else arg max."""
    if O.shape[1] == 1:
        return (O[:, 0] > 0.5) == (t[:, 0] > 0.5)
    return np.argmax(O, axis=1) == np.argmax(t, axis=1)


def by_hand(net, X, t, *, eta, epochs, batch_size, seed, X_val=None, t_val=None):
    """Train ``net`` in place with plain mini-batch steps; return, per epoch, the mean
    over samples of the loss before each step ("during"), the loss after the epoch
    ("after"), the same for the accuracy, and the held-out loss and accuracy."""
    rng = np.random.default_rng(seed)
    N = len(X)
    size = N if batch_size is None else batch_size
    out = {key: [] for key in ("during", "after", "acc_during", "acc_after", "val", "val_acc")}

    def after():
        out["after"].append(net.loss(X, t))
        out["acc_after"].append(np.mean(right(net.predict(X), t)))
        if X_val is not None:
            out["val"].append(net.loss(X_val, t_val))
            out["val_acc"].append(np.mean(right(net.predict(X_val), t_val)))

    after()
    for _ in range(epochs):
        order = rng.permutation(N) if size < N else np.arange(N)
        loss_sum, right_count = 0.0, 0
        for start in range(0, N, size):
            rows = order[start:start + size]
            Xb, tb = X[rows], t[rows]
            loss_sum += net.loss(Xb, tb) * len(rows)  # the batch's mean loss × its size
            right_count += int(np.sum(right(net.predict(Xb), tb)))
            grad_W, grad_b = net.gradients(Xb, tb)
            for W, b, gW, gb in zip(net.weights, net.biases, grad_W, grad_b):
                W -= eta * gW
                b -= eta * gb
        out["during"].append(loss_sum / N)
        out["acc_during"].append(right_count / N)
        after()
    return out


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("batch_size", [1, 5, 8])
def test_during_is_the_mean_loss_before_each_step(loss, batch_size):
    X, t = data(loss)
    X_val, t_val = data(loss, n=9, seed=1)
    net = MLP([4, 6, 3], loss, seed=2)
    twin = net.copy()
    history = net.train(X, t, eta=0.8, epochs=4, batch_size=batch_size, seed=5,
                        X_val=X_val, t_val=t_val)
    assert history.record == "during"  # the default with mini-batches
    want = by_hand(twin, X, t, eta=0.8, epochs=4, batch_size=batch_size, seed=5,
                   X_val=X_val, t_val=t_val)
    assert len(history.loss) == len(history.accuracy) == 5
    np.testing.assert_allclose(history.loss[0], want["after"][0], rtol=1e-12)
    np.testing.assert_allclose(history.loss[1:], want["during"], rtol=1e-10)
    np.testing.assert_allclose(history.accuracy[0], want["acc_after"][0])
    np.testing.assert_allclose(history.accuracy[1:], want["acc_during"])
    np.testing.assert_allclose(history.val_loss, want["val"], rtol=1e-10)
    np.testing.assert_allclose(history.val_accuracy, want["val_acc"])
    for W, W_twin in zip(net.weights + net.biases, twin.weights + twin.biases):
        np.testing.assert_allclose(W, W_twin, rtol=1e-10, atol=1e-13)
    # "during" is not the state at the end of the epoch (the weights moved after the
    # first batch's loss was taken):
    assert not np.allclose(history.loss[1:], want["after"][1:], rtol=1e-6)


@pytest.mark.parametrize("batch_size", [None, 4, 23, 100])
def test_after_is_the_state_after_each_epoch(batch_size):
    X, t = data("cross_entropy")
    X_val, t_val = data("cross_entropy", n=7, seed=3)
    net = MLP([4, 5, 3], "cross_entropy", seed=4)
    twin = net.copy()
    history = net.train(X, t, eta=0.6, epochs=3, batch_size=batch_size, seed=6, record="after",
                        X_val=X_val, t_val=t_val)
    want = by_hand(twin, X, t, eta=0.6, epochs=3, batch_size=batch_size, seed=6, X_val=X_val,
                   t_val=t_val)
    np.testing.assert_allclose(history.loss, want["after"], rtol=1e-10)
    np.testing.assert_allclose(history.accuracy, want["acc_after"])
    np.testing.assert_allclose(history.val_loss, want["val"], rtol=1e-10)
    np.testing.assert_allclose(history.val_accuracy, want["val_acc"])
    assert history.loss[-1] == pytest.approx(net.loss(X, t), rel=1e-12)


def test_default_record_is_after_for_full_batch():
    X, t = data("quadratic")
    for batch_size in (None, 23, 50):  # 23 = N: one batch, the full batch
        assert MLP([4, 3], "quadratic").train(X, t, eta=1.0, epochs=1,
                                              batch_size=batch_size).record == "after"
    assert MLP([4, 3], "quadratic").train(X, t, eta=1.0, epochs=1,
                                          batch_size=22).record == "during"


def test_full_batch_during_is_after_one_epoch_late():
    # With one step per epoch, "the loss before each step" of epoch e is the state
    # after epoch e − 1.
    X, t = data("cross_entropy")
    during = MLP([4, 5, 3], "cross_entropy", seed=1).train(X, t, eta=1.0, epochs=5,
                                                          record="during")
    after = MLP([4, 5, 3], "cross_entropy", seed=1).train(X, t, eta=1.0, epochs=5)
    np.testing.assert_allclose(during.loss[1:], after.loss[:-1], rtol=1e-12)
    np.testing.assert_allclose(during.accuracy[1:], after.accuracy[:-1])


def test_one_output_accuracy_during():
    X, t = data("cross_entropy", n_out=1, n=30, seed=7)
    net = MLP([4, 3, 1], "cross_entropy", seed=8)
    twin = net.copy()
    history = net.train(X, t, eta=2.0, epochs=3, batch_size=7, seed=9)
    want = by_hand(twin, X, t, eta=2.0, epochs=3, batch_size=7, seed=9)
    np.testing.assert_allclose(history.accuracy[1:], want["acc_during"])


def test_no_held_out_set_leaves_its_lists_empty():
    X, t = data("quadratic")
    history = MLP([4, 3], "quadratic").train(X, t, eta=1.0, epochs=2, batch_size=5)
    assert history.val_loss == [] and history.val_accuracy == []


def test_float32_records():
    X, t = data("softmax_cross_entropy", n=40)
    net = MLP([4, 6, 3], "softmax_cross_entropy", dtype=np.float32, seed=3)
    twin = net.copy()
    history = net.train(X, t, eta=0.5, epochs=2, batch_size=8, seed=1, X_val=X[:10],
                        t_val=t[:10])
    want = by_hand(twin, X.astype(np.float32), t.astype(np.float32), eta=0.5, epochs=2,
                   batch_size=8, seed=1, X_val=X[:10], t_val=t[:10])
    assert all(isinstance(v, float) for v in history.loss + history.val_loss)
    np.testing.assert_allclose(history.loss[1:], want["during"], rtol=1e-4)
    np.testing.assert_allclose(history.val_loss, want["val"], rtol=1e-4)


# ------------------------------------------------------------------- bad input
@pytest.fixture
def small():
    X, t = data("cross_entropy", n=10)
    return MLP([4, 3], "cross_entropy"), X, t


def test_held_out_needs_both(small):
    net, X, t = small
    with pytest.raises(ValueError, match="X_val and t_val must be given together"):
        net.train(X, t, eta=0.1, epochs=1, X_val=X)
    with pytest.raises(ValueError, match="X_val and t_val must be given together"):
        net.train(X, t, eta=0.1, epochs=1, t_val=t)


def test_bad_held_out_set_is_named(small):
    net, X, t = small
    W = net.weights[0].copy()
    bad_X = X.copy()
    bad_X[0, 0] = np.nan
    cases = [
        (dict(X_val=bad_X, t_val=t), "X_val contains NaN or inf"),
        (dict(X_val=X[:, :2], t_val=t), r"X_val must have .* sizes\[0\] = 4 columns"),
        (dict(X_val=X, t_val=t[:5]), "t_val must have the output's shape"),
        (dict(X_val=X, t_val=t * 2), r"t_val \(the held-out targets\): t must lie in \[0, 1\]"),
        (dict(X_val=X[:0], t_val=t[:0]), "X_val must have at least one row"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            net.train(X, t, eta=0.1, epochs=2, batch_size=3, **kwargs)
    np.testing.assert_array_equal(net.weights[0], W)  # checked before any step


def test_record_must_be_known(small):
    net, X, t = small
    with pytest.raises(ValueError, match="record must be 'after', 'during' or None"):
        net.train(X, t, eta=0.1, epochs=1, record="batches")
