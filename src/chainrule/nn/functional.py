"""Functional forms of the layers, activations and losses (no parameters held)."""

from .activations import dropout, elu, leaky_relu, relu, sigmoid, tanh
from .linear import linear
from .losses import multiclass_svm_loss, softmax, softmax_cross_entropy


def maxout(x, weight, bias, pieces):
    """max over ``pieces`` of x @ weight + bias, with weight of shape (D, C * pieces)."""
    scores = linear(x, weight, bias)
    return scores.reshape(*scores.shape[:-1], scores.shape[-1] // pieces, pieces).max(axis=-1)


__all__ = [
    "dropout",
    "elu",
    "leaky_relu",
    "linear",
    "maxout",
    "multiclass_svm_loss",
    "relu",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "tanh",
]
