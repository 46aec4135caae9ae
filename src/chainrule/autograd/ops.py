"""The elementary differentiable operations behind Tensor's operators.

Each class is one node type: ``forward`` computes the value from NumPy arrays, ``backward``
multiplies the upstream gradient by the local derivative. Broadcasting is undone by the
engine (it sums a gradient back to its input's shape), so these stay close to the math.
"""

from __future__ import annotations

import numpy as np

from .function import Function


class Add(Function):
    """z = a + b;  dz/da = 1, dz/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out, grad_out


class Sub(Function):
    """z = a - b;  dz/da = 1, dz/db = -1."""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad_out):
        needs_a, needs_b = ctx.needs_input_grad
        return grad_out, (-grad_out if needs_b else None)


class Mul(Function):
    """z = a * b;  dz/da = b, dz/db = a  (the "gradient switcher")."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved
        needs_a, needs_b = ctx.needs_input_grad
        return (grad_out * b if needs_a else None), (grad_out * a if needs_b else None)


class Div(Function):
    """z = a / b;  dz/da = 1 / b, dz/db = -a / b^2."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = grad_out / b if needs_a else None
        grad_b = -grad_out * a / (b * b) if needs_b else None
        return grad_a, grad_b


class Neg(Function):
    """z = -a;  dz/da = -1."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad_out):
        return -grad_out


class PowConst(Function):
    """z = a^p for a constant p;  dz/da = p a^(p-1)."""

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a, exponent)
        return np.power(a, exponent).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad_out):
        a, exponent = ctx.saved
        return grad_out * (exponent * np.power(a, exponent - 1)).astype(a.dtype, copy=False)


class Pow(Function):
    """z = a^b for tensors;  dz/da = b a^(b-1),  dz/db = a^b ln(a)  (a > 0 for the latter)."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        a, b, out = ctx.saved
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = grad_out * b * np.power(a, b - 1) if needs_a else None
        grad_b = grad_out * out * np.log(a) if needs_b else None
        return grad_a, grad_b


class MatMul(Function):
    """Z = A @ B;  dL/dA = dL/dZ @ B^T,  dL/dB = A^T @ dL/dZ  (2-D, or batched over leading axes;
    a 1-D operand is treated as a row or column vector, as NumPy does)."""

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs arrays with at least one axis, got a scalar")
        if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not match "
                             f"({a.shape[-1]} != {b.shape[0 if b.ndim == 1 else -2]})")
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved
        needs_a, needs_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:  # inner product
            return (grad_out * b if needs_a else None), (grad_out * a if needs_b else None)
        # Promote vectors to matrices as NumPy does; the engine sums away batch axes.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = np.expand_dims(grad_out, -2) if a.ndim == 1 else grad_out
        g = np.expand_dims(g, -1) if b.ndim == 1 else g
        grad_a = grad_b = None
        if needs_a:
            grad_a = g @ np.swapaxes(b2, -1, -2)
            grad_a = grad_a[..., 0, :] if a.ndim == 1 else grad_a
        if needs_b:
            grad_b = np.swapaxes(a2, -1, -2) @ g
            grad_b = grad_b[..., 0] if b.ndim == 1 else grad_b
        return grad_a, grad_b


def _expand_reduced(grad_out, shape, axis, keepdims):
    """Reshape a reduced gradient so it broadcasts against the input of shape ``shape``."""
    if axis is None or keepdims:
        return grad_out if keepdims or axis is not None else np.reshape(grad_out, (1,) * len(shape))
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    axes = tuple(ax % len(shape) for ax in axes)
    return np.expand_dims(grad_out, axes)


class Sum(Function):
    """z = sum_i a_i (over ``axis``);  dz/da_i = 1: the gradient is copied to every element."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.save_for_backward(a.shape, axis, keepdims)
        return np.sum(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad_out):
        shape, axis, keepdims = ctx.saved
        return np.broadcast_to(_expand_reduced(grad_out, shape, axis, keepdims), shape)


class Mean(Function):
    """z = (1/n) sum_i a_i;  dz/da_i = 1/n."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        out = np.mean(a, axis=axis, keepdims=keepdims)
        count = a.size // max(out.size, 1) if a.size else 0
        ctx.save_for_backward(a.shape, axis, keepdims, count)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad_out):
        shape, axis, keepdims, count = ctx.saved
        grad = _expand_reduced(grad_out, shape, axis, keepdims) / count
        return np.broadcast_to(grad, shape)


class Max(Function):
    """z = max_i a_i;  dz/da_i = 1 where a_i is the maximum, 0 elsewhere (ties share it
    equally, so the gradient stays the average of the one-sided ones)."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        out = np.max(a, axis=axis, keepdims=True)
        ctx.save_for_backward(a, out, axis, keepdims)
        return out if keepdims else (np.squeeze(out, axis=axis) if axis is not None
                                     else out.reshape(()))

    @staticmethod
    def backward(ctx, grad_out):
        a, out, axis, keepdims = ctx.saved
        mask = (a == out)
        count = np.sum(mask, axis=axis, keepdims=True)
        grad = _expand_reduced(grad_out, a.shape, axis, keepdims)
        return mask * (grad / count)


class Exp(Function):
    """z = e^a;  dz/da = e^a = z."""

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved
        return grad_out * out


class Log(Function):
    """z = ln a;  dz/da = 1 / a."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad_out):
        (a,) = ctx.saved
        return grad_out / a


class Abs(Function):
    """z = |a|;  dz/da = sign(a) (0 at 0, a subgradient)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad_out):
        (a,) = ctx.saved
        return grad_out * np.sign(a)


class Cast(Function):
    """z = a in another dtype; the gradient is cast back."""

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.save_for_backward(a.dtype)
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad_out):
        (dtype,) = ctx.saved
        return grad_out.astype(dtype)


class Reshape(Function):
    """z = a viewed with another shape; the gradient is reshaped back."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.save_for_backward(a.shape)
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {a.shape} into {shape}") from None

    @staticmethod
    def backward(ctx, grad_out):
        (shape,) = ctx.saved
        return grad_out.reshape(shape)


class Transpose(Function):
    """z = a with axes permuted; the gradient is permuted back by the inverse permutation."""

    @staticmethod
    def forward(ctx, a, axes=None):
        ctx.save_for_backward(axes)
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx, grad_out):
        (axes,) = ctx.saved
        if axes is None:
            return np.transpose(grad_out)
        return np.transpose(grad_out, np.argsort(axes))


class GetItem(Function):
    """z = a[index] (slices, integer arrays, masks);  the gradient is scattered back with
    ``np.add.at`` so repeated indices add up."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.save_for_backward(a.shape, a.dtype, index)
        return a[index]

    @staticmethod
    def backward(ctx, grad_out):
        shape, dtype, index = ctx.saved
        grad = np.zeros(shape, dtype=dtype)
        np.add.at(grad, index, grad_out)
        return grad
