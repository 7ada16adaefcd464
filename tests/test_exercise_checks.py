"""Every exercise check is fair to every correct answer, fooled by none, and turns every
odd answer into one sentence.

The checks are found, not listed: every ``check_*`` function of every module of
``lecture_mlp.exercises`` that takes the reader's function alone. Each is run once with
``check_function`` recorded, which gives its reference, known mistakes and inputs; the
tests then build answers from the reference (in place, float32, lists, complex, text,
NaN, ...) and check what the reader would see.
"""

import copy
import importlib
import pkgutil
import time

import numpy as np
import pytest

from lecture_mlp import exercises
from lecture_mlp.exercises import _check, beyond


def _all_checks():
    checks = []
    for info in pkgutil.iter_modules(exercises.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"lecture_mlp.exercises.{info.name}")
        if getattr(module, "check_function", None) is not _check.check_function:
            continue
        for attr in sorted(vars(module)):
            f = getattr(module, attr)
            if attr.startswith("check_") and attr != "check_function" and callable(f):
                checks.append(pytest.param(module, attr, id=f"{info.name}.{attr}"))
    return checks


CHECKS = _all_checks()


def _spec(module, attr, monkeypatch):
    """(check, reference, mistakes, inputs) of the check ``module.attr``, recorded from
    the call it makes to check_function."""
    seen = {}

    def recording(student, reference, mistakes, inputs, name, success):
        seen.update(reference=reference, mistakes=mistakes, inputs=inputs)
        return _check.check_function(student, reference, mistakes, inputs, name, success)

    with monkeypatch.context() as m:
        m.setattr(module, "check_function", recording)
        getattr(module, attr)(lambda *args: None)
    return getattr(module, attr), seen["reference"], seen["mistakes"], seen["inputs"]


def answering(reference, transform):
    """A reader's function that returns transform(the right answer)."""
    def student(*args):
        with np.errstate(all="ignore"):
            return transform(reference(*copy.deepcopy(args)))
    return student


def test_the_checks_are_found():
    assert len(CHECKS) >= 14  # 3 + 3 + 2 + 3 + 3 in notebooks 01-05


@pytest.mark.parametrize("module, attr", CHECKS)
def test_in_place_answers_are_right_and_change_nothing(module, attr, monkeypatch):
    check, reference, mistakes, inputs = _spec(module, attr, monkeypatch)
    pristine = copy.deepcopy(inputs)

    def in_place(*args):  # the right answer, and every array argument scribbled over
        with np.errstate(all="ignore"):
            answer = np.array(reference(*copy.deepcopy(args)))
        for arg in args:
            if isinstance(arg, np.ndarray) and arg.dtype.kind in "fiu":
                arg *= -3  # integer labels are scribbled over too, as integers
                arg += 7
        return answer

    assert check(in_place).ok
    for message, wrong in mistakes.items():  # still named after an in-place call
        assert check(wrong).message == message
    for before, after in zip(pristine, inputs):
        for a, b in zip(before, after):
            np.testing.assert_array_equal(a, b)


def test_in_place_log_softmax_cannot_teach_the_check_a_wrong_answer():
    """The issue's case: theta -= theta.max(...) in place, then the no-shift mistake."""
    def in_place(theta):
        theta -= theta.max(axis=1, keepdims=True)
        theta -= np.log(np.exp(theta).sum(axis=1, keepdims=True))
        return theta

    def no_shift(theta):
        return theta - np.log(np.sum(np.exp(theta), axis=1, keepdims=True))

    assert beyond.check_log_softmax(in_place).ok
    assert beyond.check_log_softmax(no_shift).message.startswith("no max shift: overflow")
    assert beyond.LOG_SOFTMAX_INPUTS[0][0][1, 0] == 1000.0


@pytest.mark.parametrize("module, attr", CHECKS)
def test_every_correct_form_is_right(module, attr, monkeypatch):
    check, reference, _, inputs = _spec(module, attr, monkeypatch)
    assert check(reference).ok
    assert check(answering(reference, lambda a: np.asarray(a, np.float32))).ok
    assert check(answering(reference, lambda a: np.asarray(a).tolist())).ok
    assert check(answering(reference, lambda a: np.asarray(a) + 0j)).ok  # real, complex dtype

    def in_float32(*args):  # computed in float32 from float32 inputs
        args32 = [np.asarray(a, np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
                  else a for a in args]  # integer labels stay integers
        with np.errstate(all="ignore"):
            return reference(*args32)

    assert check(in_float32).ok


@pytest.mark.parametrize("module, attr", CHECKS)
def test_odd_answers_get_one_sentence(module, attr, monkeypatch):
    check, reference, _, _ = _spec(module, attr, monkeypatch)

    def message(transform):
        feedback = check(answering(reference, transform))
        assert not feedback.ok
        assert "\n" not in feedback.message and "Traceback" not in feedback.message
        return feedback.message

    assert "returns complex values" in message(lambda a: np.asarray(a) + 1j)
    assert "returns text" in message(lambda a: np.asarray(a).astype(str))
    assert "ragged list" in message(lambda a: [[1.0, 2.0], [3.0]])
    assert "returns None" in message(lambda a: None)
    assert "not numbers" in message(lambda a: np.array([object()] * np.size(a), dtype=object))
    # Two-class cross entropy names the naive log's inf/nan instead (its known mistake).
    if (module.__name__, attr) == ("lecture_mlp.exercises.two_class", "check_cross_entropy"):
        from lecture_mlp.exercises.two_class import NAIVE_LOG
        assert message(lambda a: np.full_like(a, np.nan)) == NAIVE_LOG
        assert message(lambda a: np.full_like(a, np.inf)) == NAIVE_LOG
        return
    # np.full, not full_like: a check whose answers are boolean masks gets float NaN too
    assert "returns NaN" in message(lambda a: np.full(np.shape(a), np.nan))
    assert "returns inf on input 1" in message(lambda a: np.full(np.shape(a), np.inf))
    assert "returns -inf" in message(lambda a: np.full(np.shape(a), -np.inf))

    def one_nan(a):
        a = np.array(a, dtype=float)
        a.flat[-1] = np.nan
        return a

    assert "returns NaN" in message(one_nan)


def _square(x):
    return x * x


def _check_square(student):
    return _check.check_function(student, _square, {"doubled": lambda x: 2 * x},
                                 [(np.array([1.0, 2.0, 3.0]),), (np.array([[0.5, -4.0]]),)],
                                 "square", "right")


def test_a_function_that_reuses_one_buffer_is_graded_on_each_answer():
    buffer = np.empty(3)

    def into_buffer(x):
        out = buffer[:x.size].reshape(x.shape)
        np.multiply(x, x, out=out)
        return out

    assert _check_square(into_buffer).ok


def test_a_slow_function_says_what_is_running(monkeypatch, capsys):
    monkeypatch.setattr(_check, "NOTICE_AFTER", 0.05)

    def slow(x):
        time.sleep(0.3)
        return x * x

    assert _check_square(slow).ok
    out = capsys.readouterr().out
    assert "still running square on input 1 of 2 (x of shape (3,))" in out
    assert "stop button ■" in out


def test_a_function_that_never_ends_is_stopped_with_a_sentence(monkeypatch, capsys):
    monkeypatch.setattr(_check, "NOTICE_AFTER", 0.05)
    monkeypatch.setattr(_check, "STOP_AFTER", 0.5)

    def endless(x):
        deadline = time.monotonic() + 3  # "never" ends, as far as the check can tell
        while time.monotonic() < deadline:
            try:
                time.sleep(0.01)
            except Exception:  # a reader's catch-all must not swallow the stop
                pass
        return x * x

    start = time.monotonic()
    feedback = _check_square(endless)
    assert time.monotonic() - start < 2.5
    assert not feedback.ok
    assert feedback.message.startswith("square was stopped after 0.5 s on input 1 of 2")
    assert "it is stopped after 0.5 s" in capsys.readouterr().out


def test_the_stop_button_gives_a_sentence():
    def interrupted(x):
        raise KeyboardInterrupt

    feedback = _check_square(interrupted)
    assert not feedback.ok
    assert feedback.message.startswith("square was interrupted on input 1 of 2")


def test_a_mistake_that_overflows_is_still_named():
    # equal NaN/inf positions count as the same answer for a known mistake
    def naive(theta):
        e = np.exp(theta)
        return e / e.sum(axis=1, keepdims=True)

    from lecture_mlp.exercises import multiclass
    assert multiclass.check_softmax(naive).message.startswith("no max shift: overflow")
