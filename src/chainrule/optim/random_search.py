"""Random search: the course's optimization strategy #1, the baseline that shows why we
follow the gradient instead."""

from __future__ import annotations

import copy

import numpy as np

from ..autograd import Tensor
from .optimizer import Optimizer, check_number

MODES = ("local", "global")


def _loss_value(loss):
    value = loss.item() if isinstance(loss, Tensor) else float(loss)
    return value if np.isfinite(value) else np.inf


class RandomSearch(Optimizer):
    r"""Try random weights, keep the best: optimization without gradients.

    Each ``step(closure)`` draws ``samples`` candidates, evaluates ``closure()`` (the loss) at
    each, and leaves the parameters at the best point seen so far:

    - ``mode="global"`` ("random search"): W_try = scale * N(0, 1), independent of the past.
    - ``mode="local"`` ("random local search", the default): W_try = W_best + scale * N(0, 1);
      a random step, taken only if it lowers the loss.

    The closure only needs to return the loss; gradients are not used (wrapping its body in
    ``chainrule.no_grad()`` makes it cheaper). Each step costs ``samples`` loss evaluations
    (plus one on the first step, to score the starting point), which is the fair unit of
    comparison with gradient descent: one loss evaluation plus one backward pass per step.
    On CIFAR-10 the course's random search reaches about 15.5% accuracy, against about 40%
    for a linear classifier trained by gradient descent.

    Parameters
    ----------
    params : iterable of Tensor or of dicts
    scale : float
        Standard deviation of the random weights (global) or of the random steps (local); the
        course uses 1e-4 and 1e-3.
    mode : {"local", "global"}
    samples : int
        Candidates per ``step()``.
    seed : int or numpy Generator, optional
        Source of the random draws (same seed, same search).

    Attributes
    ----------
    best_loss : float
        The lowest loss seen (inf before the first step).
    evaluations : int
        Loss evaluations so far.
    """

    requires_closure = True
    closure_uses_gradient = False

    def __init__(self, params, scale=1e-3, mode="local", samples=1, seed=None):
        if mode not in MODES:
            raise ValueError(f"RandomSearch: mode must be one of {MODES}, got {mode!r}")
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise ValueError(f"RandomSearch: samples must be a positive integer, got "
                             f"{samples!r}")
        defaults = dict(scale=scale, mode=mode, samples=samples)
        super().__init__(params, defaults)
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.best_loss = np.inf
        self.evaluations = 0

    def _check_group(self, group):
        check_number("RandomSearch", "scale", group["scale"])
        if group["mode"] not in MODES:
            raise ValueError(f"RandomSearch: mode must be one of {MODES}, got {group['mode']!r}")

    def step(self, closure):
        """Evaluate ``samples`` random candidates; keep the best. Returns the best loss."""
        if closure is None or not callable(closure):
            raise TypeError("RandomSearch.step needs a closure that returns the loss at the "
                            "current parameters")
        params = [p for group in self.param_groups for p in group["params"]]
        if not np.isfinite(self.best_loss) and self.evaluations == 0:
            self.best_loss = _loss_value(closure())
            self.evaluations += 1
        best = [p.data.copy() for p in params]
        samples = max(group["samples"] for group in self.param_groups)
        for _ in range(samples):
            for group in self.param_groups:
                for param in group["params"]:
                    noise = self.rng.standard_normal(param.data.shape)
                    if group["mode"] == "global":
                        param.data[...] = group["scale"] * noise          # W = scale N(0, 1)
                    else:
                        param.data += group["scale"] * noise              # W = W_best + scale N
            loss = _loss_value(closure())
            self.evaluations += 1
            if loss < self.best_loss:
                self.best_loss = loss
                for keep, param in zip(best, params):
                    keep[...] = param.data
            else:
                for keep, param in zip(best, params):
                    param.data[...] = keep
        return self.best_loss

    def _update(self, param, grad, state, group):  # pragma: no cover - step() is overridden
        raise TypeError("RandomSearch updates in step(closure)")

    def state_dict(self):
        """As `Optimizer.state_dict`, plus "search": the best loss, the number of evaluations
        and the random generator's state (plain Python values), so a search resumes exactly."""
        saved = super().state_dict()
        saved["search"] = {"best_loss": float(self.best_loss), "evaluations": self.evaluations,
                           "rng_state": copy.deepcopy(self.rng.bit_generator.state)}
        return saved

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        search = state_dict.get("search")
        if search is None:
            raise KeyError("RandomSearch.load_state_dict: the state dict lacks 'search'")
        self.best_loss = float(search["best_loss"])
        self.evaluations = int(search["evaluations"])
        self.rng.bit_generator.state = copy.deepcopy(search["rng_state"])
