"""chainrule: image classification from first principles.

The computational graph (`Tensor`, `Function`, `no_grad`) is available at the top level; the
chapters of the course live in subpackages: `chainrule.nn` (layers, losses, regularizers),
`chainrule.optim` (optimizers and schedules), `chainrule.data`, `chainrule.train`,
`chainrule.classifiers`, `chainrule.gradcheck`.
"""

from .autograd import Function, Tensor, enable_grad, no_grad, tensor

__version__ = "0.1.0"

__all__ = ["Function", "Tensor", "__version__", "enable_grad", "no_grad", "tensor"]
