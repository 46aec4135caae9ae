"""Learning-rate schedules with PyTorch's classes, arguments and sequences
(``torch.optim.lr_scheduler``): the same code gives the same learning rates.

A scheduler wraps an optimizer; each ``scheduler.step()`` (after ``optimizer.step()``) moves
one step along the schedule and writes the new rate into every ``group["lr"]``. Whether a
"step" is an iteration or an epoch is the caller's choice: call ``step()`` once per batch or
once per epoch. As in PyTorch, creating a scheduler sets ``group["lr"]`` to the schedule's
first value and records ``group["initial_lr"]``.

    >>> import numpy as np
    >>> from chainrule.nn import Parameter
    >>> from chainrule.optim import SGD
    >>> from chainrule.optim.lr_scheduler import StepLR
    >>> optimizer = SGD([Parameter(np.zeros(2))], lr=0.1)
    >>> scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    >>> rates = []
    >>> for epoch in range(5):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     optimizer.step()
    ...     scheduler.step()
    >>> rates
    [0.1, 0.1, 0.05, 0.05, 0.025]

The rates follow PyTorch's update rules (most multiply the previous rate by a factor, so they
chain with other schedulers); the closed forms of the same schedules, as pure functions of the
step, are in `chainrule.optim.schedules`.
"""

from .base import LambdaLR, LRScheduler
from .decays import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    InverseSqrtLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)
from .sequential import SequentialLR

__all__ = [
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialLR",
    "InverseSqrtLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "SequentialLR",
    "StepLR",
]

