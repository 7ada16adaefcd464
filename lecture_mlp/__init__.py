"""lecture_mlp: the MLP, sigmoid and losses of Lecture 24 (Cross Entropy Loss) in numpy.

The single source of truth for the notebooks: names follow the lecture (θ, O, W_ij^k,
δ, η, σ'), samples are rows, and W^k has shape (n_{k−1}, n_k).
"""

from . import gradcheck, neuron
from .activations import log_sigmoid, sigmoid, sigmoid_prime
from .losses import CrossEntropyLoss, Loss, QuadraticLoss, SoftmaxCrossEntropyLoss, get_loss
from .mlp import MLP, History

__all__ = [
    "CrossEntropyLoss", "History", "Loss", "MLP", "QuadraticLoss", "SoftmaxCrossEntropyLoss",
    "get_loss", "gradcheck", "log_sigmoid", "neuron", "sigmoid", "sigmoid_prime",
]
__version__ = "0.1.0"
