"""`Function`: one node of the computational graph, with its forward and backward side by side.

A subclass defines two static methods::

    class Square(Function):
        @staticmethod
        def forward(ctx, x):            # plain NumPy arrays in, a NumPy array out
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_out):    # dL/d(out) in, dL/d(input) out (one per input)
            (x,) = ctx.saved
            return grad_out * 2 * x     # upstream gradient * local gradient

    y = Square.apply(t)                 # records the node when a gradient is needed

The instance created by `apply` *is* the graph node and the ``ctx`` both methods receive.
"""

from __future__ import annotations

import numpy as np

from .grad_mode import is_grad_enabled


class Function:
    """Base class of differentiable operations (see the module docstring).

    Attributes of the node (the ``ctx``)
    ------------------------------------
    inputs : tuple of Tensor
        The tensors the operation was applied to (non-tensor arguments become constants).
    needs_input_grad : tuple of bool
        For each positional input, whether a gradient must be computed; ``backward`` may
        return None for the others and skip the work.
    saved : tuple
        What ``forward`` stored with ``save_for_backward``; freed after backward unless
        ``retain_graph=True``.
    """

    __slots__ = ("inputs", "needs_input_grad", "saved", "freed", "__dict__")

    def __init__(self):
        self.inputs = ()
        self.needs_input_grad = ()
        self.saved = ()
        self.freed = False

    def save_for_backward(self, *values):
        """Keep arrays (or anything) that ``backward`` will need."""
        self.saved = values

    @staticmethod
    def forward(ctx, *arrays, **options):  # pragma: no cover - abstract
        raise NotImplementedError("a Function subclass must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx, grad_out):  # pragma: no cover - abstract
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_out)")

    @property
    def name(self):
        return type(self).__name__

    @classmethod
    def apply(cls, *inputs, **options):
        """Run ``forward`` on the inputs' arrays and, if any input needs a gradient and
        gradients are enabled, record this node as the output's creator.

        Positional inputs may be Tensors or anything NumPy can turn into an array (constants);
        keyword options are passed to ``forward`` unchanged (shapes, axes, flags).
        """
        arrays = []
        needs = []
        for value in inputs:
            if isinstance(value, Tensor):
                arrays.append(value.data)
                needs.append(value.requires_grad)
            else:
                arrays.append(value)
                needs.append(False)
        ctx = cls()
        track = any(needs) and is_grad_enabled()
        if track:
            ctx.needs_input_grad = tuple(needs)
        else:
            ctx.needs_input_grad = (False,) * len(needs)
        out = cls.forward(ctx, *arrays, **options)
        if not isinstance(out, np.ndarray):
            out = np.asarray(out)
        result = Tensor._from_array(out, requires_grad=track)
        if track:
            ctx.inputs = inputs
            result._ctx = ctx
        return result


# Imported at the end: tensor.py imports this module too.
from .tensor import Tensor  # noqa: E402
