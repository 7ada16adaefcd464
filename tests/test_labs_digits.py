"""Notebook 06: the digits experiment's maths, the DigitsLab and the exercises."""

import dataclasses

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecture_mlp import MLP, sigmoid
from lecture_mlp.digits import load_digits
from lecture_mlp.exercises import digits as ex
from lecture_mlp.labs.digits import (
    LOSSES,
    DigitsLab,
    compare,
    confusion_matrix,
    make_net,
    mechanism,
    misclassified,
    output_report,
    plot_comparison,
    plot_mechanism,
    plot_samples,
    saturated_and_wrong,
    tile,
    train_digits,
)


@pytest.fixture(scope="module")
def data():
    return load_digits()


@pytest.fixture(scope="module")
def small(data):
    """300 training digits: quick to train, the same kind of data."""
    from dataclasses import replace

    return replace(data, X=data.X[:300], t=data.t[:300])


# ------------------------------------------------------------------------ the maths
def test_both_losses_share_initial_weights_and_batches(small):
    nets = [make_net(small, name, hidden=7, seed=4) for name in LOSSES]
    for W_q, W_c in zip(nets[0].weights, nets[1].weights):
        np.testing.assert_array_equal(W_q, W_c)
    # Same batches: with the cross entropy's δ^K written into the quadratic net's loss,
    # the two runs would be identical; instead check the shuffles directly: train's
    # Generator is seeded with the same seed for both losses.
    net, history = train_digits(small, "quadratic", hidden=7, eta=0.5, epochs=2, seed=4)
    twin = make_net(small, "quadratic", hidden=7, seed=4)
    rng = np.random.default_rng(4)
    for _ in range(2):
        twin.epoch(small.X, small.t, eta=0.5, batch_size=10, rng=rng)
    for W, W_twin in zip(net.weights, twin.weights):
        np.testing.assert_array_equal(W, W_twin)
    assert history.val_accuracy[-1] == twin.accuracy(small.X_val, small.t_val)


def test_compare_collects_held_out_curves(small):
    ticks = []
    result = compare(small, seeds=(0, 1), eta={"quadratic": 3.0, "cross_entropy": 0.5},
                     hidden=6, epochs=3, progress=lambda: ticks.append(1))
    assert len(ticks) == 4 and result.seeds == [0, 1]
    assert result.eta == {"quadratic": 3.0, "cross_entropy": 0.5}
    for name in LOSSES:
        assert result.accuracy[name].shape == result.loss[name].shape == (2, 4)
    _, history = train_digits(small, "cross_entropy", hidden=6, eta=0.5, epochs=3, seed=1)
    np.testing.assert_allclose(result.accuracy["cross_entropy"][1], history.val_accuracy)
    np.testing.assert_allclose(result.loss["cross_entropy"][1], history.val_loss)
    assert result.mean("cross_entropy", 3) == pytest.approx(
        np.mean(result.accuracy["cross_entropy"][:, 3]))
    lo, hi = result.spread("quadratic", 0, "loss")
    assert lo == result.loss["quadratic"][:, 0].min() and hi == result.loss["quadratic"][:, 0].max()
    fig = plot_comparison(result)
    assert isinstance(fig, Figure) and len(fig.axes) == 2


def test_compare_reuses_only_identical_runs(small, monkeypatch):
    from lecture_mlp.labs import digits as module

    first = compare(small, seeds=(0, 1), eta=0.5, hidden=6, epochs=3)
    fresh = compare(small, seeds=(0, 1, 2), eta={"quadratic": 3.0, "cross_entropy": 0.5},
                    hidden=6, epochs=3)
    trained = []
    real = module.train_digits
    monkeypatch.setattr(module, "train_digits",
                        lambda *a, **k: trained.append((a[1], k["seed"])) or real(*a, **k))
    again = compare(small, seeds=(0, 1, 2), eta={"quadratic": 3.0, "cross_entropy": 0.5},
                    hidden=6, epochs=3, reuse=first)
    # Cross entropy at η = 0.5, seeds 0 and 1, come from ``first``; everything else trains.
    assert sorted(trained) == [("cross_entropy", 2), ("quadratic", 0), ("quadratic", 1),
                               ("quadratic", 2)]
    for name in LOSSES:
        np.testing.assert_array_equal(again.accuracy[name], fresh.accuracy[name])
        np.testing.assert_array_equal(again.loss[name], fresh.loss[name])
    trained.clear()  # other settings, or other data, reuse nothing
    compare(small, seeds=(0,), eta=0.5, hidden=6, epochs=4, reuse=first)
    compare(small, seeds=(0,), eta=0.5, hidden=6, epochs=3, batch_size=20, reuse=first)
    copy = dataclasses.replace(small)  # equal arrays, another object
    compare(copy, seeds=(0,), eta=0.5, hidden=6, epochs=3, reuse=first)
    assert len(trained) == 6


def test_saturated_and_wrong_by_cases():
    O = np.array([[0.995, 0.995, 0.005, 0.005, 0.6, 0.5]])
    t = np.array([[0.0, 1.0, 1.0, 0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(saturated_and_wrong(O, t),
                                  [[True, False, True, False, False, False]])


def test_output_report_independently(small):
    net = make_net(small, "quadratic", hidden=8, seed=0)
    net.train(small.X, small.t, eta=0.5, epochs=1, batch_size=10)
    report = output_report(net, small.X, small.t)
    O = sigmoid(np.column_stack([small.X, np.ones(len(small.X))])
                @ np.vstack([net.weights[0], net.biases[0]]))
    O = sigmoid(O @ net.weights[1] + net.biases[1])
    wrong = (O > 0.5) != (small.t > 0.5)
    stuck = wrong & (O * (1 - O) < 0.01)
    delta = np.abs(O * (1 - O) * (O - small.t))  # the quadratic δ^K, written out
    assert report["saturated_wrong"] == pytest.approx(stuck.mean())
    assert report["wrong_side"] == pytest.approx(wrong.mean())
    assert report["delta"] == pytest.approx(delta.mean())
    assert report["delta_wrong"] == pytest.approx(delta[wrong].mean())
    assert report["largest_output"] == pytest.approx(O.max())
    if stuck.any():
        assert report["delta_saturated_wrong"] == pytest.approx(delta[stuck].mean())
        assert report["delta_saturated_wrong"] < 0.01  # σ' < 0.01 and |O − t| ≤ 1


def test_mechanism_follows_train(small):
    result = mechanism(small, epochs=2, hidden=6, seed=3)
    net, _ = train_digits(small, "cross_entropy", hidden=6, epochs=2, seed=3)
    assert result["cross_entropy"]["wrong_side"].shape == (3,)
    assert result["cross_entropy"]["wrong_side"][-1] == pytest.approx(
        output_report(net, small.X, small.t)["wrong_side"])
    fig = plot_mechanism({"default": result, "again": result})
    assert isinstance(fig, Figure) and len(fig.axes[0].lines) == 4


def test_confusion_matrix_and_misclassified():
    counts = confusion_matrix([0, 1, 1, 9], [0, 2, 1, 0])
    assert counts.sum() == 4 and counts[1, 2] == 1 and counts[9, 0] == 1 and counts[0, 0] == 1
    net = MLP([2, 3], "cross_entropy", seed=0)
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    predicted = net.predict(X).argmax(axis=1)
    labels = predicted.copy()
    labels[1] = (labels[1] + 1) % 3
    wrong, said = misclassified(net, X, labels)
    np.testing.assert_array_equal(wrong, [1])
    np.testing.assert_array_equal(said, predicted[[1]])


def test_tile():
    images = np.arange(3 * 4).reshape(3, 4).astype(float)
    mosaic, rows = tile(images, (2, 2), columns=2)
    assert rows == 2 and mosaic.shape == (6, 5)
    np.testing.assert_array_equal(mosaic[1:3, :2], [[0, 1], [2, 3]])
    np.testing.assert_array_equal(mosaic[1:3, 3:], [[4, 5], [6, 7]])
    np.testing.assert_array_equal(mosaic[4:6, :2], [[8, 9], [10, 11]])
    assert np.isnan(mosaic[4:, 3:]).all() and np.isnan(mosaic[0]).all()
    assert np.isnan(mosaic[3]).all() and np.isnan(mosaic[:, 2]).all()
    assert tile(images, (2, 2), columns=3, gap=2)[0].shape == (4, 10)


def test_plot_samples(data):
    fig = plot_samples(data, rows=2, columns=5)
    assert len(fig.axes) == 10
    np.testing.assert_array_equal(fig.axes[3].images[0].get_array(), data.X[3].reshape(8, 8))
    assert fig.axes[3].get_title() == str(data.labels[3])


# ------------------------------------------------------------------------------ lab
def assert_lab_shows(lab):
    v = lab.values()
    runs = lab.train(**v)
    labels = lab.data.val_labels
    assert set(runs) == (set(LOSSES) if v["loss"] == "both" else {v["loss"]})
    read = lab.readout_values()
    per_row = lab.shown if len(runs) == 2 else 2 * lab.shown
    expected_labels = []
    for name in LOSSES:
        line = lab.curves[name]
        if name not in runs:
            assert len(line.get_xdata()) == 0
            assert "not trained" in lab.conf_titles[name].get_text()
            continue
        net, history = runs[name]
        np.testing.assert_array_equal(line.get_xdata(), np.arange(v["epochs"] + 1))
        np.testing.assert_allclose(line.get_ydata(), history.val_accuracy)
        predicted = net.predict(lab.data.X_val).argmax(axis=1)
        counts = confusion_matrix(labels, predicted)
        shown = lab.conf_images[name].get_array()
        np.testing.assert_allclose(shown, counts / counts.sum(axis=1, keepdims=True))
        wrong = np.flatnonzero(predicted != labels)
        assert lab.conf_titles[name].get_text().endswith(f"{len(wrong)} of 297 wrong")
        label = {"quadratic": "quadratic", "cross_entropy": "cross entropy"}[name]
        assert read[f"{label} after training"] == (
            f"{history.val_accuracy[-1]:.1%} right, loss {history.val_loss[-1]:.4f}")
        assert read[f"{label} after epoch 1"] == f"{history.val_accuracy[1]:.1%} right"
        chosen = wrong[:per_row]
        expected_labels += [f"{labels[i]}→{predicted[i]}" for i in chosen]
        expected_labels += [""] * (per_row - len(chosen))
        # The first misclassified digit is drawn in its tile.
        if len(chosen):
            row = 0 if (len(runs) == 1 or name == "quadratic") else 1
            mosaic, gap = lab.wrong_image.get_array(), lab.gap
            top = gap + row * (8 + gap)
            np.testing.assert_allclose(mosaic[top:top + 8, :8],
                                       lab.data.X_val[chosen[0]].reshape(8, 8))
    assert [t.get_text() for t in lab.wrong_labels] == expected_labels


def test_lab_every_control():
    lab = DigitsLab(epochs=3, hidden=10)
    assert_lab_shows(lab)
    for loss in ("quadratic", "cross_entropy", "both"):
        lab.controls["loss"].value = loss
        assert_lab_shows(lab)
    for name in ("eta", "hidden", "epochs"):
        control = lab.controls[name]
        for value in (control.min, control.max):
            lab.set(**{name: value, "epochs": 3} if name != "epochs" else {name: value})
            assert_lab_shows(lab)
        lab.set(eta=0.5, hidden=10, epochs=3)
    lab.set(eta=10.0, hidden=5, epochs=2)  # a large step: still finite, still drawn
    assert_lab_shows(lab)
    lab.close()


def accuracy_after(lab, name, when):
    """The readout's held-out accuracy of one loss, after "training" or "epoch 1"."""
    label = {"quadratic": "quadratic", "cross_entropy": "cross entropy"}[name]
    return float(lab.readout_values()[f"{label} after {when}"].split("%")[0]) / 100


# The notebook's "things to try", driven through the lab's controls: each answer the
# notebook gives is asserted here.
def test_question_default_gap_early():
    lab = DigitsLab()  # both losses, η = 0.5, n₁ = 30, 10 epochs
    early = {name: accuracy_after(lab, name, "epoch 1") for name in LOSSES}
    assert early["cross_entropy"] > early["quadratic"] + 0.4  # "more than 40 points ahead"
    lab.close()


def test_question_larger_eta_rescues_the_quadratic():
    lab = DigitsLab(loss="quadratic")
    assert accuracy_after(lab, "quadratic", "epoch 1") < 0.3
    lab.controls["eta"].value = 10 ** 0.5  # 3.16 is on the slider's grid
    assert lab.readout_values()["η"] == "3.16"
    assert accuracy_after(lab, "quadratic", "epoch 1") > 0.6
    lab.close()


def test_question_small_eta():
    lab = DigitsLab()
    lab.controls["eta"].value = 0.01
    assert accuracy_after(lab, "quadratic", "training") < 0.2
    assert accuracy_after(lab, "cross_entropy", "training") > 0.6
    lab.close()


# ---------------------------------------------------------------------- exercises
def not_written(*args):
    raise NotImplementedError


def test_one_hot_check():
    assert ex.check_one_hot(lambda labels: np.eye(10)[labels]).ok

    def by_loop(labels):
        t = np.zeros((len(labels), 10))
        for n, label in enumerate(labels):
            t[n, label] = 1
        return t

    assert ex.check_one_hot(by_loop).ok
    assert ex.check_one_hot(lambda labels: (labels[:, None] == np.arange(10)).astype(int)).ok
    assert ex.check_one_hot(lambda labels: np.eye(10)[labels].T).message.startswith("transposed")
    assert ex.check_one_hot(lambda labels: np.eye(10)[labels - 1]).message.startswith(
        "shifted by one")
    assert "not written yet" in ex.check_one_hot(not_written).message
    assert not ex.check_one_hot(lambda labels: np.eye(10)[labels] * 2).ok


def test_accuracy_check():
    assert ex.check_accuracy(lambda O, t: np.mean(O.argmax(1) == t.argmax(1))).ok
    assert ex.check_accuracy(
        lambda O, t: sum(int(np.argmax(o) == np.argmax(y)) for o, y in zip(O, t)) / len(O)).ok
    messages = {
        "counted output units": lambda O, t: np.mean((O > 0.5) == (t > 0.5)),
        "counted right answers": lambda O, t: np.sum(O.argmax(1) == t.argmax(1)),
        "the error rate": lambda O, t: np.mean(O.argmax(1) != t.argmax(1)),
    }
    for start, f in messages.items():
        feedback = ex.check_accuracy(f)
        assert not feedback.ok and feedback.message.startswith(start), (start, feedback)
    assert "returns shape" in ex.check_accuracy(lambda O, t: O.argmax(0) == t.argmax(0)).message


def test_accuracy_check_is_not_fooled_by_writing_into_O():
    def cheat(O, t):
        O[:] = t  # writes into its argument: the check's own answer must not change
        return 1.0

    assert not ex.check_accuracy(cheat).ok


def test_saturated_and_wrong_check():
    assert ex.check_saturated_and_wrong(lambda O, t: saturated_and_wrong(O, t)).ok
    assert ex.check_saturated_and_wrong(
        lambda O, t: (O * (1 - O) < 0.01) & (np.abs(O - t) > 0.5)).ok
    as_numbers = ex.check_saturated_and_wrong(
        lambda O, t: ((O * (1 - O) < 0.01) & ((O > 0.5) != (t > 0.5))).astype(int))
    assert as_numbers.ok and "boolean" in as_numbers.message
    wrong = {
        "forgot 'wrong'": lambda O, t: O * (1 - O) < 0.01,
        "forgot 'saturated'": lambda O, t: (O > 0.5) != (t > 0.5),
        "σ' is O(1 − O), not O": lambda O, t: (O < 0.01) & ((O > 0.5) != (t > 0.5)),
        "wrong side means": lambda O, t: (O * (1 - O) < 0.01) & ((O > 0.5) == (t > 0.5)),
    }
    for start, f in wrong.items():
        feedback = ex.check_saturated_and_wrong(f)
        assert not feedback.ok and feedback.message.startswith(start), (start, feedback)
    # The inputs keep every σ' at least 1e-6 from 0.01, so that an answer computed in
    # float32 is judged as one in float64; "≤" and "<" then agree, as they should for
    # a threshold that is a rule of thumb.
    assert ex.check_saturated_and_wrong(
        lambda O, t: (O.astype(np.float32) * (1 - O.astype(np.float32)) < 0.01)
        & ((O > 0.5) != (t > 0.5))).ok
    assert "not written yet" in ex.check_saturated_and_wrong(not_written).message


def test_progress_bar_shows_nothing_unless_asked(capsys):
    from lecture_mlp.labs.digits import progress_bar

    step = progress_bar(3, show=False)
    for _ in range(3):
        step()
    assert capsys.readouterr().out == ""


def test_progress_bar_fills_and_closes(monkeypatch):
    import IPython.display

    from lecture_mlp.labs import digits as module

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    step = module.progress_bar(2, show=True)
    (bar,) = shown
    step()
    assert bar.value == 1 and bar.max == 2 and bar.comm is not None
    step()
    assert bar.value == 2 and bar.comm is None  # closed when full
