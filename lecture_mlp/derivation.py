"""The slides' two-class cross-entropy gradient, line by line, as sympy expressions.

One sample (N = 1): the slides' −1/N Σ_X is linear, so a line that holds for every
sample holds for the mean. The unit is θ = W_i x_i + r, where r = Σ_{j≠i} W_j x_j + b
collects everything that does not depend on W_i, and o = σ(θ) = 1 / (1 + e^{−θ}).

Each step is a sympy expression in the symbols W_i, x_i, r, y; ``check_steps`` proves
each line equal to the one before it (the difference simplifies to 0), and
``numeric`` turns a line into a numpy function for finite-difference checks.
"""

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .gradcheck import numerical_gradient, rel_error
from .losses import CrossEntropyLoss

W_i, x_i, r, y = sp.symbols("W_i x_i r y", real=True)
THETA = W_i * x_i + r  # θ as a function of the weight W_i


def sigma(theta):
    """σ(θ) = 1 / (1 + e^{−θ}) as a sympy expression."""
    return 1 / (1 + sp.exp(-theta))


@dataclass(frozen=True)
class Step:
    """One line of the derivation: its LaTeX as on the slide and its sympy value."""

    latex: str
    expr: sp.Expr


def cross_entropy():
    """C = −[y log σ(θ) + (1 − y) log(1 − σ(θ))], one sample."""
    o = sigma(THETA)
    return -(y * sp.log(o) + (1 - y) * sp.log(1 - o))


def gradient_steps():
    """The slides' lines for ∂C/∂W_i, in order; the first is sympy's own derivative.

    Every later line rewrites the one before it, as the slides do; the last is
    x_i (σ(θ) − y) = x_i (o − y).
    """
    theta = sp.Symbol("theta", real=True)
    o = sigma(THETA)
    bracket = y / o - (1 - y) / (1 - o)  # ∂/∂o of the log-likelihood
    dsigma_dtheta = sp.diff(sigma(theta), theta).subs(theta, THETA)  # sympy, not a formula
    dtheta_dW = sp.diff(THETA, W_i)
    return [
        Step(r"\frac{\partial C}{\partial W_i}", sp.diff(cross_entropy(), W_i)),
        Step(r"-\left[\frac{y}{\sigma(\theta)} - \frac{1-y}{1-\sigma(\theta)}\right]"
             r"\frac{\partial \sigma(\theta)}{\partial W_i}",
             -bracket * sp.diff(o, W_i)),
        Step(r"-\left[\frac{y}{\sigma(\theta)} - \frac{1-y}{1-\sigma(\theta)}\right]"
             r"\frac{\partial \sigma(\theta)}{\partial \theta}\cdot"
             r"\frac{\partial \theta}{\partial W_i}",
             -bracket * dsigma_dtheta * dtheta_dW),
        Step(r"-\left[\frac{y-\sigma(\theta)}{\sigma(\theta)(1-\sigma(\theta))}\right]"
             r"\sigma(\theta)(1-\sigma(\theta))\cdot x_i",
             -((y - o) / (o * (1 - o))) * o * (1 - o) * x_i),
        Step(r"x_i(\sigma(\theta) - y)", x_i * (o - y)),
    ]


def misprinted_step():
    """The slide's third line as printed: σ(θ)(1−σ(θ).x_i), the parenthesis misplaced."""
    o = sigma(THETA)
    return Step(r"-\left[\frac{y-\sigma(\theta)}{\sigma(\theta)(1-\sigma(\theta))}\right]"
                r"\sigma(\theta)(1-\sigma(\theta)\cdot x_i)",
                -((y - o) / (o * (1 - o))) * o * (1 - o * x_i))


def misprint_difference():
    """misprinted line − correct line = (x_i − 1)(y − σ(θ)) / (1 − σ(θ)): zero only at
    x_i = 1 (or o = y), so an example needs x_i ≠ 1 to expose the misprint."""
    o = sigma(THETA)
    return (x_i - 1) * (y - o) / (1 - o)


def last_factor(misprinted=False):
    """The factor the misprint changes: σ(θ)(1−σ(θ))·x_i = ∂σ/∂W_i (no y in it), or,
    with ``misprinted``, σ(θ)(1 − σ(θ)·x_i)."""
    o = sigma(THETA)
    return o * (1 - o * x_i) if misprinted else o * (1 - o) * x_i


def check_steps(steps):
    """simplify(line_k − line_{k−1}) for k = 1 .. len(steps) − 1: all 0 for a valid chain."""
    return [sp.simplify(b.expr - a.expr) for a, b in zip(steps, steps[1:])]


def numeric(expr):
    """``expr`` as a numpy function f(W_i, x_i, r, y)."""
    return sp.lambdify((W_i, x_i, r, y), expr, modules="numpy")


def numeric_gradient_W(W, x, r_, y_, h=1e-5):
    """∂C/∂W_i at θ = W x + r by centred differences of the package's cross entropy
    (``CrossEntropyLoss.value``, float64): an oracle independent of the algebra."""
    p = np.array([W], dtype=np.float64)
    loss = CrossEntropyLoss()
    return numerical_gradient(lambda: loss.value([[p[0] * x + r_]], [[y_]]), p, h)[0]


def line_errors(steps, points):
    """Relative error of each line against ``numeric_gradient_W`` at each point
    (W_i, x_i, r, y): an array of shape (len(steps), len(points))."""
    return np.array([[rel_error(numeric(step.expr)(*point), numeric_gradient_W(*point))
                      for point in points] for step in steps])


def mean_sigma_prime():
    """∫_0^1 σ(1 − σ) dσ: the mean of σ'(θ) = σ(1 − σ) over outputs σ spread evenly
    on [0, 1]; it is 1/6, the reason for Nielsen's η ÷ 6 heuristic."""
    s = sp.Symbol("sigma", real=True)
    return sp.integrate(s * (1 - s), (s, 0, 1))


# --- where does the cross entropy come from? ---------------------------------------
# Nielsen's question, answered backwards: demand the output delta δ = ∂C/∂θ that we
# want, and integrate. With o = σ(θ), ∂C/∂θ = ∂C/∂o · σ'(θ) and σ'(θ) = o(1 − o).

o = sp.Symbol("o", positive=True)  # the unit's output, in (0, 1)
_u = sp.Symbol("u", positive=True)  # 1 − o, for the terms with a pole at o = 1


def cross_entropy_of_output():
    """C(o) = −[y log o + (1 − y) log(1 − o)], one sample."""
    return -(y * sp.log(o) + (1 - y) * sp.log(1 - o))


def demanded_dC_do(delta):
    """The ∂C/∂o that gives the output delta ``delta`` (an expression in o, y):
    δ = ∂C/∂o · σ'(θ) with σ'(θ) = o(1 − o), so ∂C/∂o = δ / (o(1 − o))."""
    return sp.cancel(delta / (o * (1 - o)))


def integrate_in_o(dC_do):
    """C(o) = ∫ ∂C/∂o do by sympy, over the partial fractions of ∂C/∂o in o.

    A term with its pole at o = 1 is integrated in u = 1 − o (do = −du), so that its
    logarithm is log(1 − o), real for o in (0, 1); sympy left alone writes log(o − 1),
    which differs from it by the constant iπ. The constant of integration is 0."""
    C = sp.Integer(0)
    for term in sp.Add.make_args(sp.apart(sp.together(dC_do), o)):
        if sp.denom(sp.together(term)).subs(o, 1) == 0:
            C += -sp.integrate(term.subs(o, 1 - _u), _u).subs(_u, 1 - o)
        else:
            C += sp.integrate(term, o)
    return C


def minimising_outputs():
    """The outputs o at which ∂C/∂o = 0, for a label y in (0, 1): sympy's solutions."""
    return sp.solve(sp.diff(cross_entropy_of_output(), o), o)


def binary_entropy():
    """C at its minimum o = y: −[y log y + (1 − y) log(1 − y)] (0 at y = 0 and y = 1,
    where 0·log 0 counts as its limit 0)."""
    return cross_entropy_of_output().subs(o, y)
