"""Stochastic gradient descent: vanilla, with momentum (two equivalent forms) and Nesterov."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_number, required

MOMENTUM_FORMS = ("pytorch", "velocity")


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (Polyak 1964) or Nesterov
    momentum (Nesterov 1983; Sutskever et al. 2013).

    With gradient g = dL/dx (plus weight decay: g = g + lambda x), learning rate lr and
    momentum rho:

    - vanilla (rho = 0):                 x = x - lr g
    - ``momentum_form="pytorch"`` (the default, PyTorch's form; b starts as g):
                                         b = rho b + (1 - dampening) g;  x = x - lr b
      and with ``nesterov=True``:        x = x - lr (g + rho b)
    - ``momentum_form="velocity"`` (the course's form; v starts at 0):
                                         v = rho v - lr g;  x = x + v
      and with ``nesterov=True``:        v_prev = v;  v = rho v - lr g;
                                         x = x - rho v_prev + (1 + rho) v

    The two forms are the same sequence of x while lr is constant (v = -lr b). They part when
    lr changes: the PyTorch form applies the new lr to the whole accumulated buffer at once,
    the velocity form keeps the old steps' lr inside v and lets it fade at rate rho.

    Parameters
    ----------
    params : iterable of Tensor or of dicts
    lr : float
        Learning rate (>= 0).
    momentum : float
        rho in [0, 1) usually; 0 gives vanilla SGD.
    dampening : float
        Scales the new gradient in the PyTorch form (only there).
    nesterov : bool
        Look-ahead momentum; needs momentum > 0 and dampening = 0.
    weight_decay : float
        L2 penalty lambda added to the gradient (lambda/2 ||x||^2 in the loss).
    momentum_form : {"pytorch", "velocity"}
    maximize : bool
        Ascend instead of descend (use -g).
    """

    def __init__(self, params, lr=required, momentum=0, dampening=0, nesterov=False,
                 weight_decay=0, *, maximize=False, momentum_form="pytorch"):
        if lr is required:
            raise TypeError("SGD: missing the learning rate lr (e.g. SGD(params, lr=0.01))")
        if momentum_form not in MOMENTUM_FORMS:
            raise ValueError(f"SGD: momentum_form must be one of {MOMENTUM_FORMS}, got "
                             f"{momentum_form!r}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=bool(nesterov),
                        weight_decay=weight_decay, maximize=bool(maximize),
                        momentum_form=momentum_form)
        super().__init__(params, defaults)

    def _check_group(self, group):
        where = "SGD"
        check_number(where, "lr", group["lr"])
        check_number(where, "momentum", group["momentum"])
        check_number(where, "dampening", group["dampening"])
        check_number(where, "weight_decay", group["weight_decay"])
        if group["momentum_form"] not in MOMENTUM_FORMS:
            raise ValueError(f"SGD: momentum_form must be one of {MOMENTUM_FORMS}, got "
                             f"{group['momentum_form']!r}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")
        if group["momentum_form"] == "velocity" and group["dampening"] != 0:
            raise ValueError("SGD: dampening is defined for momentum_form='pytorch' only, got "
                             f"dampening={group['dampening']!r} with momentum_form='velocity'")

    def _update(self, x, grad, state, group):
        lr, rho = group["lr"], group["momentum"]
        weight_decay, dampening = group["weight_decay"], group["dampening"]
        step = self._buffer(x, 0)                           # the temporary of each line below
        g = self._gradient(x, grad, group, weight_decay, work=step)   # g = g + lambda x

        if rho == 0:
            np.multiply(g, lr, out=step)
            x -= step                                       # x = x - lr g
            return

        if group["momentum_form"] == "velocity":
            v = state.get("velocity")
            if v is None:
                v = state["velocity"] = np.zeros_like(x)
            if group["nesterov"]:
                look_ahead = self._buffer(x, 2)
                np.multiply(v, -rho, out=look_ahead)        # -rho v_prev
            v *= rho
            np.multiply(g, lr, out=step)
            v -= step                                       # v = rho v - lr g
            if group["nesterov"]:
                np.multiply(v, 1 + rho, out=step)
                step += look_ahead
                x += step                                   # x = x - rho v_prev + (1 + rho) v
            else:
                x += v                                      # x = x + v
            return

        b = state.get("momentum_buffer")
        if b is None:
            b = state["momentum_buffer"] = np.array(g, copy=True)   # b_1 = g
        else:
            b *= rho
            if dampening == 0:
                b += g                                      # b = rho b + g
            else:
                np.multiply(g, 1 - dampening, out=step)
                b += step                                   # b = rho b + (1 - dampening) g
        if group["nesterov"]:
            np.multiply(b, rho, out=step)
            step += g                                       # g + rho b
            step *= lr
        else:
            np.multiply(b, lr, out=step)
        x -= step                                           # x = x - lr b  (or lr (g + rho b))
