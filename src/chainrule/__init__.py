"""chainrule: image classification from first principles.

The computational graph (`Tensor`, `Function`, `no_grad`) is available at the top level; the
chapters of the course live in subpackages: `chainrule.nn` (layers, losses, regularizers),
`chainrule.optim` (optimizers and schedules), `chainrule.data`, `chainrule.train`,
`chainrule.classifiers`, `chainrule.io`, `chainrule.viz`, `chainrule.gradcheck`. They are
imported on first use (``chainrule.nn`` works after a plain ``import chainrule``), which keeps
``import chainrule`` fast.
"""

import importlib

from .autograd import Function, Tensor, enable_grad, no_grad, tensor

__version__ = "0.1.0"

SUBPACKAGES = ("autograd", "nn", "optim", "data", "train", "classifiers", "io", "viz",
               "gradcheck", "cli", "kernels")

__all__ = ["Function", "Tensor", "__version__", "enable_grad", "no_grad", "tensor",
           *SUBPACKAGES]


def __getattr__(name):
    if name in SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")
