"""Layers, activations, losses and regularizers (`chainrule.nn`), PyTorch-style."""

from . import functional, init
from .activations import (
    ACTIVATIONS,
    ELU,
    RELU_FAMILY,
    Dropout,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Tanh,
)
from .linear import Flatten, Linear, Maxout
from .losses import LOSSES, MulticlassSVMLoss, SoftmaxCrossEntropyLoss
from .module import Module, Parameter, Sequential
from .monitor import dead_unit_fractions
from .regularizers import (
    L1,
    L2,
    REGULARIZERS,
    ElasticNet,
    Regularizer,
    get_regularizer,
    regularized_parameters,
)

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "L1",
    "L2",
    "LOSSES",
    "REGULARIZERS",
    "RELU_FAMILY",
    "Dropout",
    "ElasticNet",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "Maxout",
    "Module",
    "MulticlassSVMLoss",
    "Parameter",
    "ReLU",
    "Regularizer",
    "Sequential",
    "Sigmoid",
    "SoftmaxCrossEntropyLoss",
    "Tanh",
    "dead_unit_fractions",
    "functional",
    "get_regularizer",
    "init",
    "regularized_parameters",
]
