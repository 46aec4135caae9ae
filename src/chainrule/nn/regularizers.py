"""Regularization penalties R(W), added to the data loss: L = (1/N) sum_i L_i + R(W).

Only weight matrices are penalized, never biases: a bias does not multiply the input, so it
cannot make the model more sensitive to any feature; shrinking it only shifts the scores and
costs accuracy for nothing. In chainrule the weights are the parameters with two or more axes.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor
from .module import Module


class WeightPenaltyFunction(Function):
    """R = sum over the weight arrays W of sum(l2 * W^2 + l1 * |W|), one node for all of them.

    dR/dW = 2 l2 W + l1 sign(W)  (sign(0) = 0: a subgradient of |W| at 0).
    """

    @staticmethod
    def forward(ctx, *weights, l2=0.0, l1=0.0):
        ctx.save_for_backward(weights, l2, l1)
        total = 0.0
        for w in weights:
            flat = w.ravel()
            if l2:
                total += l2 * float(np.dot(flat, flat))
            if l1:
                total += l1 * float(np.abs(flat).sum())
        return np.asarray(total)  # float64, like the data losses (see nn.losses._reduce)

    @staticmethod
    def backward(ctx, grad_out):
        weights, l2, l1 = ctx.saved
        grads = []
        for w in weights:
            grad = (2.0 * l2) * w if l2 else np.zeros_like(w)
            if l1:
                grad = grad + l1 * np.sign(w)
            grad *= grad_out  # in place: stays in the weights' dtype
            grads.append(grad)
        return tuple(grads)


def regularized_parameters(model):
    """The weight matrices of a model (parameters with two or more axes), biases excluded.

    ``model`` may be a Module or an iterable of Tensors."""
    params = model.parameters() if isinstance(model, Module) else model
    return [p for p in params if isinstance(p, Tensor) and p.data.ndim >= 2]


class Regularizer:
    """Base class: ``reg(model)`` returns the penalty as a scalar Tensor that backpropagates.

    Subclasses set the coefficients of W^2 and |W| (``l2_coefficient``, ``l1_coefficient``).
    """

    l2_coefficient = 0.0
    l1_coefficient = 0.0

    def __call__(self, model):
        weights = regularized_parameters(model)
        if not weights:
            return Tensor(np.zeros((), dtype=np.float32))
        return WeightPenaltyFunction.apply(*weights, l2=self.l2_coefficient,
                                           l1=self.l1_coefficient)

    @staticmethod
    def _check(name, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be finite and >= 0, got {value}")
        return float(value)


class L2(Regularizer):
    """R(W) = lambda * sum_k sum_l W_{k,l}^2  (weight decay; prefers diffuse weights).

    Gradient: 2 lambda W."""

    def __init__(self, strength):
        self.strength = self._check("L2 strength", strength)
        self.l2_coefficient = self.strength

    def __repr__(self):
        return f"L2(strength={self.strength})"


class L1(Regularizer):
    """R(W) = lambda * sum_k sum_l |W_{k,l}|  (prefers sparse weights).

    Gradient: lambda sign(W)."""

    def __init__(self, strength):
        self.strength = self._check("L1 strength", strength)
        self.l1_coefficient = self.strength

    def __repr__(self):
        return f"L1(strength={self.strength})"


class ElasticNet(Regularizer):
    """R(W) = lambda * sum_k sum_l (beta W_{k,l}^2 + |W_{k,l}|)  (L1 + L2, Zou & Hastie 2005).

    Gradient: lambda (2 beta W + sign(W))."""

    def __init__(self, strength, beta=1.0):
        self.strength = self._check("ElasticNet strength", strength)
        self.beta = self._check("ElasticNet beta", beta)
        self.l2_coefficient = self.strength * self.beta
        self.l1_coefficient = self.strength

    def __repr__(self):
        return f"ElasticNet(strength={self.strength}, beta={self.beta})"


REGULARIZERS = {"l2": L2, "l1": L1, "elasticnet": ElasticNet}


def get_regularizer(name, strength, **options):
    """A regularizer by name ("l2", "l1", "elasticnet"), or None for None/"none"."""
    if name is None or name == "none":
        return None
    try:
        return REGULARIZERS[name](strength, **options)
    except KeyError:
        raise ValueError(f"unknown regularization {name!r}; expected one of "
                         f"{sorted(REGULARIZERS)} or None") from None
