"""Learning-rate schedules as pure functions of the step: the formulas of the course.

Each function returns the rate (or the factor of the initial rate) at step t = 0, 1, 2, ...
and changes nothing; the scheduler classes of `chainrule.optim.lr_scheduler` produce the same
sequences inside a training loop, with PyTorch's interface. Plots and labs draw these directly.

    >>> [round(cosine_lr(t, 0.1, total_steps=4), 4) for t in range(5)]
    [0.1, 0.0854, 0.05, 0.0146, 0.0]
"""

from __future__ import annotations

import math
from bisect import bisect_right

from .optimizer import check_number


def _check_step(where, t):
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise ValueError(f"{where}: the step t must be an integer >= 0, got {t!r}")


def step_lr(t, lr0, step_size, gamma=0.1):
    """a_t = a_0 gamma^floor(t / step_size)."""
    _check_step("step_lr", t)
    return lr0 * gamma ** (t // step_size)


def multistep_lr(t, lr0, milestones, gamma=0.1):
    """a_t = a_0 gamma^(number of milestones <= t); e.g. milestones (30, 60, 90)."""
    _check_step("multistep_lr", t)
    return lr0 * gamma ** bisect_right(sorted(milestones), t)


def cosine_lr(t, lr0, total_steps, eta_min=0.0):
    """a_t = eta_min + (a_0 - eta_min) (1 + cos(pi t / T)) / 2, for t <= T (T = total_steps)."""
    _check_step("cosine_lr", t)
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / total_steps)) / 2


def linear_lr(t, lr0, total_steps, start_factor=1.0, end_factor=0.0):
    """a_t = a_0 (start + (end - start) min(t, T) / T).

    The defaults give the linear decay a_0 (1 - t/T); ``start_factor=1e-3, end_factor=1``
    gives a linear warmup from near 0.
    """
    _check_step("linear_lr", t)
    progress = min(t, total_steps) / total_steps
    return lr0 * (start_factor + (end_factor - start_factor) * progress)


def inverse_sqrt_factor(t, warmup_steps=0):
    """The factor of a_0 in the inverse square-root schedule at step t = 0, 1, ...

    1 / sqrt(t + 1) without warmup; min((t + 1) / w, sqrt(w / (t + 1))) with w warmup steps
    (Vaswani et al. 2017): linear up to 1 at t = w - 1, then decaying as 1/sqrt(t).
    """
    _check_step("inverse_sqrt_factor", t)
    s = t + 1
    if warmup_steps <= 0:
        return 1.0 / math.sqrt(s)
    return min(s / warmup_steps, math.sqrt(warmup_steps / s))


def inverse_sqrt_lr(t, lr0, warmup_steps=0):
    """a_t = a_0 * inverse_sqrt_factor(t, warmup_steps): a_0 / sqrt(t + 1) without warmup."""
    return lr0 * inverse_sqrt_factor(t, warmup_steps)


def scale_lr_for_batch_size(base_lr, batch_size, base_batch_size=256):
    """The linear scaling rule of thumb (Goyal et al. 2017): when the batch grows k times,
    multiply the learning rate by k.

        lr = base_lr * batch_size / base_batch_size

    Goyal et al. use lr = 0.1 for batches of 256 (ResNet-50 on ImageNet) and pair larger rates
    with a few epochs of warmup (`get_scheduler(..., warmup_steps=...)`).

    Examples
    --------
    >>> scale_lr_for_batch_size(0.1, batch_size=1024)
    0.4
    """
    base_lr = check_number("scale_lr_for_batch_size", "base_lr", base_lr)
    for name, value in (("batch_size", batch_size), ("base_batch_size", base_batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"scale_lr_for_batch_size: {name} must be a positive integer, "
                             f"got {value!r}")
    return base_lr * batch_size / base_batch_size
