"""Optimizers and schedules by name, for the command line and configuration files."""

from __future__ import annotations

from .adam import Adam, AdamW
from .adaptive import AdaGrad, RMSProp
from .lbfgs import LBFGS
from .lr_scheduler import (
    CosineAnnealingLR,
    InverseSqrtLR,
    LambdaLR,
    LinearLR,
    SequentialLR,
    StepLR,
)
from .random_search import RandomSearch
from .sgd import SGD

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "lbfgs",
              "random-search")
SCHEDULERS = ("constant", "step", "cosine", "linear", "inverse-sqrt")

#: start factor of the linear warmup: the rate begins at lr * 1e-3 ("near 0"), as PyTorch
#: examples and Goyal et al. (2017) do with a gradual warmup
WARMUP_START_FACTOR = 1e-3


def get_optimizer(name, params, lr, **kwargs):
    """Build an optimizer by name.

    Parameters
    ----------
    name : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "lbfgs",
            "random-search"}
        "momentum" is SGD with momentum 0.9 and "nesterov" SGD with Nesterov momentum 0.9
        (``momentum=...`` overrides); "random-search" uses ``lr`` as the scale of its steps.
    params : iterable of Tensor or of dicts
    lr : float
    **kwargs
        Passed to the optimizer (``weight_decay``, ``betas``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from chainrule.nn import Parameter
    >>> get_optimizer("nesterov", [Parameter(np.zeros(3))], lr=0.01).param_groups[0]["momentum"]
    0.9
    """
    key = str(name).lower().replace("_", "-")
    if key == "sgd":
        return SGD(params, lr=lr, **kwargs)
    if key == "momentum":
        return SGD(params, lr=lr, **{"momentum": 0.9, **kwargs})
    if key == "nesterov":
        return SGD(params, lr=lr, **{"momentum": 0.9, "nesterov": True, **kwargs})
    if key == "adagrad":
        return AdaGrad(params, lr=lr, **kwargs)
    if key == "rmsprop":
        return RMSProp(params, lr=lr, **kwargs)
    if key == "adam":
        return Adam(params, lr=lr, **kwargs)
    if key == "adamw":
        return AdamW(params, lr=lr, **kwargs)
    if key == "lbfgs":
        return LBFGS(params, lr=lr, **kwargs)
    if key in ("random-search", "randomsearch"):
        return RandomSearch(params, scale=lr, **kwargs)
    raise ValueError(f"get_optimizer: unknown optimizer {name!r}; expected one of {OPTIMIZERS}")


def _constant(step):
    return 1.0


def get_scheduler(name, optimizer, total_steps, warmup_steps=0, **kwargs):
    """Build a learning-rate schedule by name, stepped ``total_steps`` times in all.

    Parameters
    ----------
    name : {"constant", "step", "cosine", "linear", "inverse-sqrt"}
        - constant: lr stays lr_0.
        - step: ``StepLR``; ``step_size`` defaults to a third of the decay steps, ``gamma``
          to 0.1.
        - cosine: ``CosineAnnealingLR`` over the decay steps (``eta_min`` optional).
        - linear: linear decay lr_0 (1 - t/T) to 0 over the decay steps.
        - inverse-sqrt: lr_0 / sqrt(t + 1) (``InverseSqrtLR``), with its own warmup.
    optimizer : Optimizer
    total_steps : int
        Scheduler steps in the whole run (iterations or epochs: the caller decides).
    warmup_steps : int
        With warmup_steps > 0, a linear warmup from ``lr_0 * 1e-3`` to lr_0 comes first
        (``SequentialLR``); the decay then spans total_steps - warmup_steps steps. For
        inverse-sqrt the warmup is the schedule's own (Vaswani et al. 2017).
    **kwargs
        Passed to the decay schedule.
    """
    key = str(name).lower().replace("_", "-")
    where = "get_scheduler"
    for arg, value, low in (("total_steps", total_steps, 1), ("warmup_steps", warmup_steps, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{where}: {arg} must be an integer >= {low}, got {value!r}")
    if key not in SCHEDULERS:
        raise ValueError(f"{where}: unknown schedule {name!r}; expected one of {SCHEDULERS}")
    if key == "inverse-sqrt":
        return InverseSqrtLR(optimizer, warmup_steps=warmup_steps, **kwargs)
    if warmup_steps >= total_steps:
        raise ValueError(f"{where}: warmup_steps ({warmup_steps}) must be smaller than "
                         f"total_steps ({total_steps})")
    decay_steps = total_steps - warmup_steps
    if key == "constant":
        decay = LambdaLR(optimizer, _constant)
    elif key == "step":
        options = {"step_size": max(1, decay_steps // 3), "gamma": 0.1, **kwargs}
        decay = StepLR(optimizer, **options)
    elif key == "cosine":
        decay = CosineAnnealingLR(optimizer, T_max=decay_steps, **kwargs)
    else:
        decay = LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=decay_steps,
                         **kwargs)
    if warmup_steps == 0:
        return decay
    warmup = LinearLR(optimizer, start_factor=WARMUP_START_FACTOR, end_factor=1.0,
                      total_iters=warmup_steps)
    return SequentialLR(optimizer, [warmup, decay], milestones=[warmup_steps])
