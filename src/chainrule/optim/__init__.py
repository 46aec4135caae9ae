"""Optimization (`chainrule.optim`): update rules with PyTorch's interface, learning-rate
schedules (`chainrule.optim.lr_scheduler`), their closed forms (`chainrule.optim.schedules`)
and 2-D loss surfaces for teaching (`chainrule.optim.surfaces`).

    >>> import numpy as np
    >>> from chainrule.nn import Linear
    >>> from chainrule import optim
    >>> model = Linear(3, 2, rng=0)
    >>> optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30)

The optimizers, in increasing complexity: `RandomSearch` (no gradient), `SGD` (vanilla,
momentum, Nesterov), `AdaGrad`, `RMSProp`, `Adam` / `AdamW`, and `LBFGS` (second order, full
batch). Each class docstring states its update rule; each reproduces ``torch.optim``'s
trajectories step for step.
"""

from . import lr_scheduler, schedules, surfaces
from .adam import Adam, AdamW
from .adaptive import AdaGrad, Adagrad, RMSProp, RMSprop
from .factory import OPTIMIZERS, SCHEDULERS, get_optimizer, get_scheduler
from .lbfgs import LBFGS
from .optimizer import Optimizer, required
from .random_search import RandomSearch
from .schedules import scale_lr_for_batch_size
from .sgd import SGD

__all__ = [
    "LBFGS",
    "OPTIMIZERS",
    "SCHEDULERS",
    "SGD",
    "AdaGrad",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSProp",
    "RMSprop",
    "RandomSearch",
    "get_optimizer",
    "get_scheduler",
    "lr_scheduler",
    "required",
    "scale_lr_for_batch_size",
    "schedules",
    "surfaces",
]
