"""Checks for notebook 06's exercises: one-hot targets, the accuracy of a digit
classifier, and the output units that are saturated and wrong.

Every check computes what it expects first, then calls the reader's function on
copies of its inputs (a function that writes into its arguments cannot change the
expected answer), and names the mistakes it recognises.
"""

import numpy as np

from ..labs.digits import SATURATED, saturated_and_wrong
from ._check import Feedback, check_function

# ------------------------------------------------------------------------ one-hot
# Ten labels each (N = 10): then a transposed answer has the right shape and the check
# can name the mistake instead of only reporting a shape.
ONE_HOT_INPUTS = [(np.array([3, 0, 9, 3, 7, 1, 1, 5, 2, 8]),),
                  (np.array([6, 6, 0, 4, 9, 2, 5, 5, 7, 3]),),
                  (np.array([0, 9, 8, 1, 4, 4, 2, 6, 3, 0]),)]


def _one_hot(labels):
    return np.eye(10)[labels]


ONE_HOT_MISTAKES = {
    "transposed: one ROW per sample (N × 10), one column per digit, so that t[n] is "
    "sample n's target; use np.eye(10)[labels].": lambda labels: np.eye(10)[labels].T,
    "shifted by one: the digit j goes in column j (digits start at 0, so the 0 gets "
    "column 0); do not subtract 1.": lambda labels: np.eye(10)[(labels - 1) % 10],
    "shifted by one: the digit j goes in column j; do not add 1.":
        lambda labels: np.eye(10)[(labels + 1) % 10],
}


def check_one_hot(one_hot):
    """Feedback on ``one_hot(labels)`` → N × 10 targets, row n a 1 in column labels[n]."""
    return check_function(one_hot, _one_hot, ONE_HOT_MISTAKES, ONE_HOT_INPUTS,
                          "one_hot", "row n of t has a single 1, in column labels[n].")


# ----------------------------------------------------------------------- accuracy
def _accuracy_inputs():
    rng = np.random.default_rng(6)
    cases = []
    for N in (12, 7, 30):
        O = rng.random((N, 10)) ** 3  # mostly small outputs, as a trained sigmoid net gives
        t = np.eye(10)[rng.integers(0, 10, N)]
        O[: N // 2] += 0.5 * t[: N // 2]  # about half right
        cases.append((O, t))
    return cases


def _accuracy(O, t):
    return float(np.mean(O.argmax(axis=1) == t.argmax(axis=1)))


ACCURACY_MISTAKES = {
    "counted output units, not samples: (O > ½) == t compares each of the 10 units "
    "with its target, and 9 of them are 0 whatever the net says. A sample is right "
    "when its largest output is at its true digit: argmax over axis 1.":
        lambda O, t: float(np.mean((O > 0.5) == (t > 0.5))),
    "counted right answers instead of their fraction: divide by the number of samples N.":
        lambda O, t: float(np.sum(O.argmax(axis=1) == t.argmax(axis=1))),
    "the error rate, not the accuracy: that is the fraction of samples classified WRONG.":
        lambda O, t: float(np.mean(O.argmax(axis=1) != t.argmax(axis=1))),
}


def check_accuracy(accuracy):
    """Feedback on ``accuracy(O, t)`` → the fraction of samples (rows) whose largest
    output is at their true digit, O and t N × 10."""
    return check_function(accuracy, _accuracy, ACCURACY_MISTAKES,
                          _accuracy_inputs(), "accuracy",
                          "a sample counts as right when argmax_j O_j is its digit; the "
                          "accuracy is the fraction of such samples.")


# ------------------------------------------------------------ saturated and wrong
def _stuck_inputs():
    """Outputs spread over (0, 1) with many near 0 and 1, and one-hot targets."""
    rng = np.random.default_rng(7)
    cases = []
    for N in (6, 9):
        theta = 6 * rng.standard_normal((N, 10))
        O = 1 / (1 + np.exp(-theta))
        t = np.eye(10)[rng.integers(0, 10, N)]
        cases.append((O, t))
    # Wrong-side units just above the threshold, σ' = O(1 − O) = 0.010001, which is not
    # below 0.01 (1e-6 above it: far beyond float32's rounding, so an answer computed in
    # float32 is judged the same), and an output of exactly ½.
    edge = 0.5 - np.sqrt(0.25 - (SATURATED + 1e-6))
    O = np.array([[0.5, 0.995, 0.005, 0.3, 0.7, 0.999, edge, 0.001, 1 - edge, 0.9999]])
    cases.append((O, np.eye(10)[[6]]))  # the true digit 6 has O = edge: wrong side
    return cases


STUCK_MISTAKES = {
    "forgot 'wrong': this marks every saturated unit, also the many that are saturated "
    "on the RIGHT side (O near 0 where t = 0), which are done learning, not stuck. "
    "Also require (O > ½) != (t > ½).":
        lambda O, t: O * (1 - O) < SATURATED,
    "forgot 'saturated': this marks every unit on the wrong side of ½; also require "
    "σ' = O(1 − O) < 0.01.": lambda O, t: (O > 0.5) != (t > 0.5),
    "σ' is O(1 − O), not O: O < 0.01 catches only units saturated near 0, and misses the "
    "ones stuck near 1.":
        lambda O, t: (O < SATURATED) & ((O > 0.5) != (t > 0.5)),
    "wrong side means O and t on different sides of ½; (O > ½) == (t > ½) marks the "
    "units that are right.":
        lambda O, t: (O * (1 - O) < SATURATED) & ((O > 0.5) == (t > 0.5)),
}


def check_saturated_and_wrong(stuck):
    """Feedback on ``stuck(O, t)`` → boolean N × 10: σ' = O(1 − O) < 0.01 and the unit on
    the wrong side of ½."""
    # check_function calls ``stuck`` on copies and compares boolean answers as 0/1.
    feedback = check_function(stuck, saturated_and_wrong, STUCK_MISTAKES,
                              _stuck_inputs(), "saturated_and_wrong",
                              "a unit is stuck when σ' = O(1 − O) < 0.01 and O is on the wrong "
                              "side of ½.")
    if feedback.ok:
        out = np.asarray(stuck(*(np.array(a, copy=True) for a in _stuck_inputs()[0])))
        if out.dtype != bool:
            return Feedback(True, feedback.message + " (It returns 0/1 numbers; a boolean "
                            "array, as comparisons give, can index O directly.)")
    return feedback
