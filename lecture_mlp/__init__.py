"""lecture_mlp: the MLP, sigmoid and losses of Lecture 24 (Cross Entropy Loss) in numpy.

The single source of truth for the notebooks: names follow the lecture (θ, O, W_ij^k,
δ, η, σ'), samples are rows, and W^k has shape (n_{k−1}, n_k).

Importing the package imports none of its modules: each name below is loaded on first
use (``from lecture_mlp import MLP`` loads ``mlp`` and what it needs, nothing else), so
a notebook pays only for what it uses. The labs (matplotlib, ipywidgets) and the
derivation (sympy) are imported only by the notebooks that use them.
"""

import importlib

# name -> module that defines it (a module's own name for the modules themselves)
_WHERE = {
    "CrossEntropyLoss": "losses", "Loss": "losses", "QuadraticLoss": "losses",
    "SoftmaxCrossEntropyLoss": "losses", "get_loss": "losses",
    "History": "mlp", "MLP": "mlp",
    "log_sigmoid": "activations", "sigmoid": "activations", "sigmoid_prime": "activations",
    "gradcheck": None, "neuron": None,
}

__all__ = sorted(_WHERE, key=str.lower)
__version__ = "0.1.0"


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'lecture_mlp' has no attribute {name!r}")
    module = importlib.import_module(f".{_WHERE[name] or name}", __name__)
    value = module if _WHERE[name] is None else getattr(module, name)
    globals()[name] = value  # the next use finds it without this function
    return value


def __dir__():
    return sorted({*globals(), *_WHERE})
