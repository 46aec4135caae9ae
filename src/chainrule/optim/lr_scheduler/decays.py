"""The decay schedules: step, multi-step, constant, linear, exponential, cosine and inverse
square root, each with PyTorch's recursive rule (``get_lr``) and its closed form."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter

from ..optimizer import check_number
from ..schedules import inverse_sqrt_factor
from .base import LRScheduler, _check_iters


class StepLR(LRScheduler):
    """Step decay: lr_t = lr_0 * gamma^floor(t / step_size) (e.g. x0.1 every 30 epochs)."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size = step_size
        self.gamma = check_number("StepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """lr_t = lr_0 * gamma^(number of milestones <= t) (e.g. x0.1 at epochs 30, 60, 90)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        if any(isinstance(m, bool) or not isinstance(m, int) or m < 0 for m in milestones):
            raise ValueError(f"MultiStepLR: milestones must be non-negative integers, got "
                             f"{milestones!r}")
        if milestones != sorted(milestones):
            raise ValueError(f"MultiStepLR: milestones must be increasing, got {milestones!r}")
        self.milestones = milestones
        self.gamma = check_number("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        count = Counter(self.milestones)[self.last_epoch]
        if count == 0:
            return self._current_lrs()
        return [lr * self.gamma**count for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** bisect_right(self.milestones, self.last_epoch)
                for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """lr_t = lr_0 * factor for t < total_iters, then lr_0 (a crude warmup)."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        self.factor = check_number("ConstantLR", "factor", factor, 0.0, 1.0, high_inclusive=True)
        self.total_iters = _check_iters("ConstantLR", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """The factor moves linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    steps, then stays:

        lr_t = lr_0 (start + (end - start) min(t, T) / T)

    ``LinearLR(opt, start_factor=1e-3, end_factor=1.0, total_iters=T)`` is a linear warmup from
    near 0; ``LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=T)`` is the linear
    decay lr_0 (1 - t/T).
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < check_number("LinearLR", "start_factor", start_factor) <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        self.start_factor = float(start_factor)
        self.end_factor = check_number("LinearLR", "end_factor", end_factor, 0.0, 1.0,
                                       high_inclusive=True)
        self.total_iters = _check_iters("LinearLR", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        start, end = self.start_factor, self.end_factor
        ratio = 1.0 + (end - start) / (self.total_iters * start + (self.last_epoch - 1) * (end - start))
        return [lr * ratio for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        start, end = self.start_factor, self.end_factor
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * (start + (end - start) * progress) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr_t = lr_0 * gamma^t."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = check_number("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing (Loshchilov & Hutter 2017, without restarts):

        lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi t / T_max)) / 2

    computed, as in PyTorch, by the equivalent recursion
    lr_t = eta_min + (lr_{t-1} - eta_min) (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T)).
    Past T_max the rate rises again along the cosine (PyTorch's behaviour).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):  # noqa: N803 - torch's name
        self.T_max = _check_iters("CosineAnnealingLR", T_max, name="T_max")
        self.eta_min = check_number("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:
            return [eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / period)) / 2
                    for base_lr in self.base_lrs]
        if (t - 1 - period) % (2 * period) == 0:
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / period)) / 2
                    for base_lr, lr in zip(self.base_lrs, self._current_lrs(), strict=True)]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        t, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        return [eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / period)) / 2
                for base_lr in self.base_lrs]


class InverseSqrtLR(LRScheduler):
    r"""Inverse square-root decay, with an optional linear warmup ("Attention is all you need",
    Vaswani et al. 2017, whose lr is d^-0.5 min(s^-0.5, s w^-1.5) at step s = t + 1):

        without warmup (w = 0):  lr_t = lr_0 / sqrt(t + 1)
        with warmup w > 0:       lr_t = lr_0 min((t + 1) / w, sqrt(w / (t + 1)))

    so the rate climbs linearly to lr_0 at step t = w - 1 and then decays as 1/sqrt(t).
    Not in PyTorch; a pure function of the step (`schedules.inverse_sqrt_factor`).
    """

    def __init__(self, optimizer, warmup_steps=0, last_epoch=-1):
        if (isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int)
                or warmup_steps < 0):
            raise ValueError(f"InverseSqrtLR: warmup_steps must be an integer >= 0, got "
                             f"{warmup_steps!r}")
        self.warmup_steps = warmup_steps
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return self._get_closed_form_lr()

    def _get_closed_form_lr(self):
        factor = inverse_sqrt_factor(self.last_epoch, self.warmup_steps)
        return [base_lr * factor for base_lr in self.base_lrs]
