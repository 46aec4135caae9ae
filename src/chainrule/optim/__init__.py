"""Optimization (`chainrule.optim`): update rules with PyTorch's interface, learning-rate
schedules (`chainrule.optim.lr_scheduler`) and their closed forms (`chainrule.optim.schedules`).

    >>> import numpy as np
    >>> from chainrule.nn import Linear
    >>> from chainrule import optim
    >>> model = Linear(3, 2, rng=0)
    >>> optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30)
"""

from . import lr_scheduler, schedules
from .adam import Adam, AdamW
from .optimizer import Optimizer, required
from .sgd import SGD

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "Optimizer",
    "lr_scheduler",
    "required",
    "schedules",
]
