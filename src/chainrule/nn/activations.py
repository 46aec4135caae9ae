"""Activation functions: the nonlinearity between linear layers, each with its local gradient."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor
from .module import Module


class SigmoidFunction(Function):
    """sigma(x) = 1 / (1 + e^-x);  d sigma/dx = sigma (1 - sigma)  (at most 1/4: saturates)."""

    @staticmethod
    def forward(ctx, x):
        # e^-|x| never overflows; the two branches are the same function rearranged
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved
        return grad_out * out * (1.0 - out)


class TanhFunction(Function):
    """tanh(x) = 2 sigma(2x) - 1 (zero-centred);  d tanh/dx = 1 - tanh^2."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved
        return grad_out * (1.0 - out * out)


class ReLUFunction(Function):
    """relu(x) = max(0, x);  d relu/dx = 1 if x > 0 else 0."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved
        return grad_out * (out > 0)


class LeakyReLUFunction(Function):
    """leaky_relu(x) = x if x > 0 else a x;  derivative 1 or a (never exactly zero)."""

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        positive = x > 0
        ctx.save_for_backward(positive, negative_slope)
        return np.where(positive, x, x * np.asarray(negative_slope, dtype=x.dtype))

    @staticmethod
    def backward(ctx, grad_out):
        positive, slope = ctx.saved
        return grad_out * np.where(positive, 1.0, slope).astype(grad_out.dtype, copy=False)


class ELUFunction(Function):
    """elu(x) = x if x > 0 else alpha (e^x - 1);  derivative 1 or elu(x) + alpha."""

    @staticmethod
    def forward(ctx, x, alpha=1.0):
        positive = x > 0
        out = np.where(positive, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)
        ctx.save_for_backward(positive, out, alpha)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        positive, out, alpha = ctx.saved
        return grad_out * np.where(positive, 1.0, out + alpha).astype(grad_out.dtype, copy=False)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def dropout(x, p, rng, training=True):
    """Inverted dropout: keep each unit with probability 1 - p (mask drawn from ``rng``) and
    scale the kept ones by 1 / (1 - p); the identity when not training or p = 0."""
    x = _tensor(x)
    if not training or p == 0:
        return x
    keep = rng.random(x.shape, dtype=np.float32) >= p
    return x * (keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p)))


def sigmoid(x):
    return SigmoidFunction.apply(_tensor(x))


def tanh(x):
    return TanhFunction.apply(_tensor(x))


def relu(x):
    return ReLUFunction.apply(_tensor(x))


def leaky_relu(x, negative_slope=0.01):
    return LeakyReLUFunction.apply(_tensor(x), negative_slope=negative_slope)


def elu(x, alpha=1.0):
    return ELUFunction.apply(_tensor(x), alpha=alpha)


class Sigmoid(Module):
    """Element-wise sigmoid (see `SigmoidFunction`)."""

    def forward(self, x):
        return sigmoid(x)


class Tanh(Module):
    """Element-wise tanh (see `TanhFunction`)."""

    def forward(self, x):
        return tanh(x)


class ReLU(Module):
    """Element-wise max(0, x) (see `ReLUFunction`). Units whose input is negative for every
    example get no gradient at all: "dead" ReLUs (see `chainrule.nn.dead_unit_fractions`)."""

    def forward(self, x):
        return relu(x)


class LeakyReLU(Module):
    """Element-wise x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        if not np.isfinite(negative_slope):
            raise ValueError(f"LeakyReLU: negative_slope must be finite, got {negative_slope}")
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """Element-wise x if x > 0 else alpha (e^x - 1) (Clevert et al. 2016)."""

    def __init__(self, alpha=1.0):
        super().__init__()
        if not np.isfinite(alpha) or alpha < 0:
            raise ValueError(f"ELU: alpha must be a finite non-negative number, got {alpha}")
        self.alpha = float(alpha)

    def forward(self, x):
        return elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Dropout(Module):
    """Inverted dropout (Srivastava et al. 2014): in training, keep each unit with probability
    1 - p and scale the kept ones by 1 / (1 - p), so the expected activation is unchanged and
    evaluation needs no rescaling; in ``eval()`` mode it is the identity.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of dropping a unit.
    rng : numpy Generator or int seed, optional
        Source of the masks (a trainer checkpoints its state to resume bit for bit).
    """

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        if not (0.0 <= p < 1.0):
            raise ValueError(f"Dropout: p must be in [0, 1), got {p}")
        from .init import as_generator

        self.p = float(p)
        self.rng = as_generator(rng)

    def forward(self, x):
        return dropout(x, self.p, self.rng, self.training)

    def extra_repr(self):
        return f"p={self.p}"


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
}

#: activations whose units can "die" (zero gradient for every input of a batch)
RELU_FAMILY = (ReLU, LeakyReLU, ELU)
