"""Per-parameter adaptive learning rates: AdaGrad (Duchi et al. 2011) and RMSProp
(Tieleman & Hinton 2012). Adam, which adds momentum to RMSProp, is in `adam.py`."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_number


class AdaGrad(Optimizer):
    r"""AdaGrad: divide each coordinate's step by the root of its summed squared gradients,
    so steep directions get small steps and flat ones large steps (Duchi et al. 2011).

    At step t, with gradient g (plus weight decay: g = g + lambda x):

        G = G + g^2                                (G starts at initial_accumulator_value)
        lr_t = lr / (1 + (t - 1) lr_decay)
        x = x - lr_t g / (sqrt(G) + eps)

    G only grows, so the effective step size decays towards 0: fine for convex problems,
    often too early for neural networks (RMSProp's fix: a leaky G).

    Parameters
    ----------
    params : iterable of Tensor or of dicts
    lr, lr_decay, weight_decay, initial_accumulator_value, eps : float
        All >= 0. Defaults as in PyTorch's ``Adagrad``.
    maximize : bool
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value,
                        maximize=bool(maximize))
        super().__init__(params, defaults)

    def _check_group(self, group):
        for name in ("lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value"):
            check_number("AdaGrad", name, group[name])

    def _update(self, x, grad, state, group):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(x, group["initial_accumulator_value"])    # G
        G = state["sum"]  # noqa: N806 - the paper's symbol
        state["step"] += 1
        t = state["step"]
        work = self._buffer(x, 0)
        g = self._gradient(x, grad, group, weight_decay)

        np.multiply(g, g, out=work)
        G += work                                            # G = G + g^2
        lr_t = lr / (1 + (t - 1) * group["lr_decay"])
        std = np.sqrt(G, out=work)
        std += eps
        np.divide(g, std, out=work)
        work *= lr_t
        x -= work                                            # x = x - lr_t g / (sqrt(G) + eps)


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with a leaky (exponentially decaying) sum of squared gradients
    (Tieleman & Hinton 2012, lecture 6e).

    With gradient g (plus weight decay: g = g + lambda x) and decay rate alpha:

        v = alpha v + (1 - alpha) g^2
        centered:  g_avg = alpha g_avg + (1 - alpha) g;  denom = sqrt(v - g_avg^2) + eps
        otherwise: denom = sqrt(v) + eps
        momentum rho > 0:  b = rho b + g / denom;  x = x - lr b
        otherwise:         x = x - lr g / denom

    Parameters
    ----------
    params : iterable of Tensor or of dicts
    lr : float
    alpha : float
        Decay rate of the squared-gradient average (PyTorch's name; the course's "decay_rate").
    eps, weight_decay, momentum : float
        All >= 0.
    centered : bool
        Normalize by an estimate of the gradient's variance instead of its second moment.
    maximize : bool
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=bool(centered), maximize=bool(maximize))
        super().__init__(params, defaults)

    def _check_group(self, group):
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            check_number("RMSProp", name, group[name])

    def _update(self, x, grad, state, group):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        rho = group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(x)                  # v
            if rho > 0:
                state["momentum_buffer"] = np.zeros_like(x)         # b
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(x)                # g_avg
        state["step"] += 1
        v = state["square_avg"]
        work = self._buffer(x, 0)
        g = self._gradient(x, grad, group, group["weight_decay"])

        v *= alpha
        np.multiply(g, g, out=work)
        work *= 1 - alpha
        v += work                                            # v = alpha v + (1 - alpha) g^2
        if group["centered"]:
            g_avg = state["grad_avg"]
            g_avg *= alpha
            np.multiply(g, 1 - alpha, out=work)
            g_avg += work                                    # g_avg = alpha g_avg + (1 - alpha) g
            np.multiply(g_avg, g_avg, out=work)
            np.subtract(v, work, out=work)
            denom = np.sqrt(work, out=work)                  # sqrt(v - g_avg^2)
        else:
            denom = np.sqrt(v, out=work)                     # sqrt(v)
        denom += eps
        np.divide(g, denom, out=work)                        # g / denom
        if rho > 0:
            b = state["momentum_buffer"]
            b *= rho
            b += work                                        # b = rho b + g / denom
            np.multiply(b, lr, out=work)
        else:
            work *= lr
        x -= work                                            # x = x - lr b  (or lr g / denom)


Adagrad = AdaGrad
RMSprop = RMSProp
