"""The computational graph: tensors, differentiable functions and backpropagation.

    >>> import chainrule as cr
    >>> x, y, z = (cr.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.item(), x.grad.item(), y.grad.item(), z.grad.item()
    (-12.0, -4.0, -4.0, 3.0)
"""

from .engine import backward, sum_to_shape
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, GradcheckReport, gradcheck, numerical_gradient, rel_error
from .graphviz import render_dot, to_dot
from .tensor import Tensor, tensor

__all__ = [
    "GradcheckError",
    "GradcheckReport",
    "gradcheck",
    "numerical_gradient",
    "rel_error",
    "Function",
    "Tensor",
    "backward",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "render_dot",
    "set_grad_enabled",
    "sum_to_shape",
    "tensor",
    "to_dot",
]
