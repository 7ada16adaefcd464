"""Compare a reader's function with the right one and with known wrong versions.

A check runs the reader's function on fixed inputs; when the answers match the
reference it says so, when they match a known mistake (a missing σ', a sign flip, a
wrong index) it names that mistake, and otherwise it says how far off they are.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class Feedback:
    ok: bool
    message: str

    def __repr__(self):
        return ("Correct: " if self.ok else "Not yet: ") + self.message

    def __bool__(self):
        return self.ok


def _close(a, b, rtol=1e-6, atol=1e-9):
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def check_function(student, reference, mistakes, inputs, name, success):
    """Feedback on ``student`` against ``reference`` over ``inputs`` (tuples of args).

    ``mistakes``: dict message -> a function that makes that mistake.
    ``success``: the message when the answers are right.
    """
    try:
        got = [student(*args) for args in inputs]
    except NotImplementedError:
        return Feedback(False, f"{name} is not written yet (it raises NotImplementedError).")
    except Exception as exc:  # the reader's code: report, don't crash the notebook
        return Feedback(False, f"{name} raised {type(exc).__name__}: {exc}")
    if any(g is None for g in got):
        return Feedback(False, f"{name} returns None: it is not written yet, or lacks a return.")
    want = [reference(*args) for args in inputs]
    for g, w in zip(got, want):
        if np.shape(g) != np.shape(w):
            return Feedback(False, f"{name} returns shape {np.shape(g)}, expected {np.shape(w)}.")
    if all(_close(g, w) for g, w in zip(got, want)):
        return Feedback(True, success)
    for message, wrong in mistakes.items():
        if all(_close(g, wrong(*args)) for g, args in zip(got, inputs)):
            return Feedback(False, message)
    worst = max(float(np.max(np.abs(np.asarray(g, dtype=float) - np.asarray(w, dtype=float))))
                for g, w in zip(got, want))
    return Feedback(False, f"{name} differs from the expected values (largest difference "
                           f"{worst:.3g}); compare it line by line with the derivation above.")
