"""Linear maps: the score function s = x W + b of a linear classifier, and the layers built on it."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor
from . import init as initializers
from .module import Module, Parameter


class LinearFunction(Function):
    """s = x W + b as one graph node.

    x : (N, D), W : (D, C), b : (C,), s : (N, C). With upstream gradient G = dL/ds:
    dL/dx = G W^T,  dL/dW = x^T G,  dL/db = sum_n G_n.
    Extra leading axes of x are flattened into N for the weight gradient.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        out = x @ weight
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved
        needs = ctx.needs_input_grad
        grad_x = grad_out @ weight.T if needs[0] else None
        grad_weight = grad_bias = None
        if needs[1]:
            x2 = x.reshape(-1, x.shape[-1])
            grad_weight = x2.T @ grad_out.reshape(-1, grad_out.shape[-1])
        if len(needs) == 3 and needs[2]:
            grad_bias = grad_out.reshape(-1, grad_out.shape[-1]).sum(axis=0)
        if len(needs) == 3:
            return grad_x, grad_weight, grad_bias
        return grad_x, grad_weight


def linear(x, weight, bias=None):
    """Functional form of `Linear`: x @ weight + bias in one node."""
    if bias is None:
        return LinearFunction.apply(x, weight)
    return LinearFunction.apply(x, weight, bias)


def _check_features(layer, x, expected):
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) == 0 or shape[-1] != expected:
        raise ValueError(f"{layer!r}: expected input of shape (N, {expected}), got shape {shape}")


class Linear(Module):
    """Fully-connected layer: y = x W + b with W of shape (in_features, out_features).

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
        Learn an additive bias b of shape (out_features,) (initialized to zero).
    init : str or callable
        Weight initializer (see `chainrule.nn.init`): "kaiming" (He, the default, for ReLU
        networks), "xavier", "small" (0.01 * randn), ...
    rng : numpy Generator or int seed, optional
        Source of the initial weights.
    dtype : numpy dtype
        float32 by default; ``model.to(np.float64)`` for gradient checks.
    """

    def __init__(self, in_features, out_features, bias=True, init="kaiming", rng=None,
                 dtype=np.float32):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Linear: {name} must be a positive integer, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(np.empty((self.in_features, self.out_features), dtype=dtype))
        initializers.get_initializer(init)(self.weight, rng=initializers.as_generator(rng))
        self.bias = Parameter(np.zeros(self.out_features, dtype=dtype)) if bias else None

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = Tensor(x)
        _check_features(self, x, self.in_features)
        return linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Maxout(Module):
    """Maxout unit (Goodfellow et al. 2013): y_k = max_p (x W_p + b_p)_k over ``pieces`` linear maps.

    One linear map to out_features * pieces scores, then the max over the pieces; the gradient
    flows only into the winning piece of each unit. Generalizes ReLU (max(0, w^T x + b) is a
    maxout with one piece fixed at zero) without dying units, at ``pieces`` times the parameters.
    """

    def __init__(self, in_features, out_features, pieces=2, init="xavier", rng=None,
                 dtype=np.float32):
        super().__init__()
        if not isinstance(pieces, (int, np.integer)) or pieces < 1:
            raise ValueError(f"Maxout: pieces must be a positive integer, got {pieces!r}")
        self.in_features, self.out_features, self.pieces = in_features, out_features, int(pieces)
        self.linear = Linear(in_features, out_features * self.pieces, init=init, rng=rng,
                             dtype=dtype)

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = Tensor(x)
        _check_features(self, x, self.in_features)
        scores = self.linear(x)
        return scores.reshape(*x.shape[:-1], self.out_features, self.pieces).max(axis=-1)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"


class Flatten(Module):
    """Flatten every axis after the first: images (N, H, W[, C]) -> rows (N, H*W*C)."""

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = Tensor(x)
        return x.reshape(x.shape[0], -1)
