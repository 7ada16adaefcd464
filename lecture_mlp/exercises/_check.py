"""Compare a reader's function with the right one and with known wrong versions.

A check runs the reader's function on fixed inputs; when the answers match the
reference it says so, when they match a known mistake (a missing σ', a sign flip, a
wrong index) it names that mistake, and otherwise it says how far off they are.

Fair to every correct answer, fooled by none:

- the expected answers (the reference's and every known mistake's) are computed first,
  on the pristine inputs; the reader's function then runs on deep copies, so code that
  works in place (``theta -= theta.max(axis=1, keepdims=True)``) is graded on what it
  returns and can never change the inputs of a later call or a later check;
- float32 answers are compared within float32's rounding; lists and scalars count as
  arrays; numpy's floating-point warnings are silenced (the feedback names the result);
- an odd answer (None, text, complex values, a ragged list, NaN, inf) gets one sentence
  that names it, never a traceback from inside the package;
- a slow function: after ``NOTICE_AFTER`` seconds a line says what is being run and how
  to interrupt it (a timer thread: works in any kernel, on any platform, and never
  stops a function that is merely slow or paused in a debugger before ``STOP_AFTER``);
  after ``STOP_AFTER`` seconds a SIGALRM timer stops it, where there is one (the main
  thread on Linux or macOS, which is where a Jupyter kernel runs cells). The stop
  button ■ (a KeyboardInterrupt) also ends in a sentence, not a traceback.
"""

import copy
import inspect
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

NOTICE_AFTER = 2.0  # seconds before "still running ..." is printed
STOP_AFTER = 30.0  # seconds before the reader's function is stopped (where possible)


@dataclass
class Feedback:
    ok: bool
    message: str

    def __repr__(self):
        return ("Correct: " if self.ok else "Not yet: ") + self.message

    def __bool__(self):
        return self.ok


class _TooSlow(BaseException):
    """Raised inside the reader's function by the STOP_AFTER timer. A BaseException, like
    KeyboardInterrupt, so that the reader's own ``except Exception`` does not swallow it."""


def check_function(student, reference, mistakes, inputs, name, success):
    """Feedback on ``student`` against ``reference`` over ``inputs`` (tuples of args).

    ``mistakes``: dict message -> a function that makes that mistake.
    ``success``: the message when the answers are right.
    """
    inputs = [tuple(args) for args in inputs]
    with np.errstate(all="ignore"):  # overflow in a naive formula is named, not warned
        want = [np.asarray(reference(*copy.deepcopy(args)), dtype=np.float64)
                for args in inputs]
        wrong = {message: _expected(f, inputs) for message, f in mistakes.items()}
    names = _parameter_names(student, reference, len(inputs[0]) if inputs else 0)

    got = []
    for k, (args, w) in enumerate(zip(inputs, want), start=1):
        where = f"input {k} of {len(inputs)} ({_describe(args, names)})"
        try:
            value = _run(student, args, f"{name} on {where}")
        except NotImplementedError:
            return Feedback(False, f"{name} is not written yet (it raises NotImplementedError).")
        except _TooSlow:
            return Feedback(False, f"{name} was stopped after {STOP_AFTER:g} s on {where}. "
                                   "The right formula takes well under a second on these "
                                   "inputs: look for a loop that never ends.")
        except KeyboardInterrupt:
            return Feedback(False, f"{name} was interrupted on {where}. If it never "
                                   "finishes, look for a loop that never ends.")
        except Exception as exc:  # the reader's code: report, don't crash the notebook
            return Feedback(False, f"{name} raised {type(exc).__name__}: {exc}")
        answer, odd = _answer(value, name, w.shape)
        if odd:
            return Feedback(False, odd)
        got.append(answer)

    for g, w in zip(got, want):
        if g.shape != w.shape:
            return Feedback(False, f"{name} returns shape {g.shape}, expected {w.shape}.")
    if all(_close(g, w) for g, w in zip(got, want)):
        return Feedback(True, success)
    for message, expected in wrong.items():
        if expected is not None and all(_close(g, e) for g, e in zip(got, expected)):
            return Feedback(False, message)
    for k, (args, g, w) in enumerate(zip(inputs, got, want), start=1):
        where = f"input {k} of {len(inputs)} ({_describe(args, names)})"
        if np.any(np.isnan(g) & ~np.isnan(w)):
            return Feedback(False, f"{name} returns NaN (not a number) on {where}, where the "
                                   "expected values are finite: NaN comes from 0/0, inf − inf, "
                                   "0·inf or the log of a negative number.")
        infinite = np.isinf(g) & np.isfinite(w)
        if np.any(infinite):
            return Feedback(False, f"{name} returns {g[infinite][0]} on {where}, where the "
                                   "expected values are finite: an overflow (e^θ is inf for "
                                   "θ > 709 in float64), a log of 0 or a division by 0.")
    worst = max(float(np.max(np.abs(g - w), initial=0.0, where=np.isfinite(g) & np.isfinite(w)))
                for g, w in zip(got, want))
    return Feedback(False, f"{name} differs from the expected values (largest difference "
                           f"{worst:.3g}); compare it line by line with the derivation above.")


def _expected(f, inputs):
    """f's answers as float64 arrays, one per input; None when f cannot run on them all."""
    try:
        return [np.asarray(f(*copy.deepcopy(args)), dtype=np.float64) for args in inputs]
    except Exception:  # a mistake that does not apply to these inputs cannot be named
        return None


def _run(student, args, doing):
    """student(*args) on a deep copy of args; a notice is printed if it is slow."""
    args = copy.deepcopy(args)
    stop = f" (it is stopped after {STOP_AFTER:g} s)" if _can_stop() else ""
    notice = threading.Timer(
        NOTICE_AFTER, print,
        args=(f"… still running {doing} after {NOTICE_AFTER:g} s{stop}. If it never "
              "finishes, press the stop button ■ (Kernel ▸ Interrupt Kernel).",),
        kwargs={"flush": True})
    notice.daemon = True
    with _stop_after(STOP_AFTER), np.errstate(all="ignore"):
        notice.start()
        try:
            return student(*args)
        finally:
            notice.cancel()


def _can_stop():
    return (hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))  # no timer of anyone else


@contextmanager
def _stop_after(seconds):
    """Raise _TooSlow in the main thread after ``seconds``, where SIGALRM is available
    and unused; elsewhere (Windows, another thread) do nothing."""
    if not _can_stop():
        yield
        return
    armed = [True]

    def handler(signum, frame):
        if armed[0]:
            raise _TooSlow

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def _answer(value, name, shape):
    """(a float array, None) for an answer that can be compared, (None, a sentence) for
    an odd one. The array is a copy: a function that returns the same buffer on every
    call cannot change an earlier answer."""
    if value is None:
        return None, f"{name} returns None: it is not written yet, or lacks a return."
    try:
        arr = np.array(value)
    except Exception:
        if isinstance(value, (list, tuple)):
            return None, (f"{name} returns a ragged list (rows of different lengths), not "
                          f"an array of shape {shape}.")
        return None, f"{name} returns a {type(value).__name__}, not an array of numbers."
    if arr.dtype.kind in "USa":
        sample = f" ({str(arr.ravel()[0])!r} …)" if arr.size else ""
        return None, (f"{name} returns text{sample}, not numbers: return the values "
                      "themselves, not strings.")
    if arr.dtype.kind == "c":
        if np.any(arr.imag != 0):
            return None, (f"{name} returns complex values (with an imaginary part): every "
                          "value here is real; look for a square root or log of a negative "
                          "number, or a 1j.")
        arr = arr.real
    if arr.dtype.kind == "f" and arr.dtype.itemsize < 8:
        return arr, None  # float32 (or float16): compared within its own rounding
    try:
        return arr.astype(np.float64), None
    except (TypeError, ValueError):
        return None, (f"{name} returns {type(value).__name__} values that are not numbers "
                      f"(dtype {arr.dtype}).")


def _close(got, want):
    """Same shape and equal within the answer's precision (NaN and ±inf where the other
    has them too, so that a mistake that overflows is still recognised)."""
    if got.shape != want.shape:
        return False
    rtol, atol = 1e-6, 1e-9  # float64
    if got.dtype.itemsize < 8:  # a float32 answer carries float32's rounding
        eps = float(np.finfo(got.dtype).eps)
        finite = want[np.isfinite(want)]
        scale = max(1.0, float(np.max(np.abs(finite), initial=0.0)))
        rtol, atol = max(rtol, 200 * eps), 200 * eps * scale
    return bool(np.allclose(got.astype(np.float64), want, rtol=rtol, atol=atol, equal_nan=True))


def _parameter_names(student, reference, n):
    """The names of the n arguments, from the reader's function or else the reference's."""
    for f in (student, reference):
        try:
            params = list(inspect.signature(f).parameters.values())
        except (TypeError, ValueError):
            continue
        if len(params) == n and all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                                    for p in params):
            return [p.name for p in params]
    return [f"argument {i}" for i in range(1, n + 1)]


def _describe(args, names):
    """A short account of the arguments: 'theta of shape (3, 3), y = 0.0'."""
    parts = []
    for name, arg in zip(names, args):
        if np.ndim(arg) == 0:
            parts.append(f"{name} = {float(arg):g}")
        else:
            parts.append(f"{name} of shape {np.shape(arg)}")
    return ", ".join(parts)
