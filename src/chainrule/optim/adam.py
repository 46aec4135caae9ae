"""Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019): momentum plus RMSProp."""

from __future__ import annotations

import numpy as np

from .. import kernels
from .optimizer import Optimizer, check_betas, check_number


class Adam(Optimizer):
    r"""Adam: a running mean of the gradient (momentum) divided by the root of a running mean
    of its square (RMSProp), both bias-corrected (Kingma & Ba 2015).

    At step t, with gradient g (plus weight decay: g = g + lambda x):

        m = beta1 m + (1 - beta1) g                 first moment
        v = beta2 v + (1 - beta2) g^2               second moment
        m_hat = m / (1 - beta1^t)                   bias correction: m and v start at 0
        v_hat = v / (1 - beta2^t)
        x = x - lr m_hat / (sqrt(v_hat) + eps)

    With ``amsgrad=True`` (Reddi et al. 2018) the denominator uses v_max = max(v_max, v), so the
    effective step size never grows. With ``bias_correction=False`` m_hat = m and v_hat = v: the
    course's point that the first steps are then badly scaled, since m and v start at 0 and are
    biased towards it: the first step is (1 - beta1) / sqrt(1 - beta2) times the corrected one
    (eps aside), 3.2 times too large with the default betas (0.9, 0.999), 0.32 times with
    (0.99, 0.999).

    Parameters
    ----------
    params : iterable of Tensor or of dicts
    lr : float
    betas : (float, float)
        (beta1, beta2), each in [0, 1).
    eps : float
        Added to the denominator for numerical stability (>= 0).
    weight_decay : float
        L2 penalty added to the gradient (``AdamW`` decouples it instead).
    amsgrad : bool
    bias_correction : bool
        Divide by (1 - beta^t); PyTorch always does.
    maximize : bool
    decoupled_weight_decay : bool
        Shrink x by (1 - lr lambda) before the update instead of adding lambda x to g (AdamW).
    fused : bool or None
        Do the update in one compiled pass (`chainrule.kernels`, numba) instead of the
        NumPy code's thirteen passes; the numbers are bit-for-bit the same. None (default):
        when numba is installed; True: require it (ImportError otherwise); False: never.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, bias_correction=True,
                 decoupled_weight_decay=False, fused=None):
        if fused is not None and not isinstance(fused, bool):
            raise TypeError(f"{type(self).__name__}: fused must be None, True or False, got "
                            f"{fused!r}")
        if fused and not kernels.available():
            raise ImportError(f"{type(self).__name__}(fused=True) needs numba: "
                              "pip install 'chainrule[fast]'")
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, amsgrad=bool(amsgrad),
                        maximize=bool(maximize), bias_correction=bool(bias_correction),
                        decoupled_weight_decay=bool(decoupled_weight_decay), fused=fused)
        super().__init__(params, defaults)

    def _check_group(self, group):
        where = type(self).__name__
        check_number(where, "lr", group["lr"])
        check_betas(where, group["betas"])
        check_number(where, "eps", group["eps"])
        check_number(where, "weight_decay", group["weight_decay"])

    def _update(self, x, grad, state, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(x)              # m
            state["exp_avg_sq"] = np.zeros_like(x)           # v
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(x)   # v_max
        m, v = state["exp_avg"], state["exp_avg_sq"]
        state["step"] += 1
        t = state["step"]
        work = self._buffer(x, 0)

        decoupled = group["decoupled_weight_decay"]
        if decoupled and weight_decay != 0:
            x *= 1 - lr * weight_decay                       # x = x - lr lambda x
        g = self._gradient(x, grad, group, 0 if decoupled else weight_decay,
                           work=work)                        # g = g + lambda x

        if group["bias_correction"]:
            bias_correction1 = 1 - beta1**t
            bias_correction2 = 1 - beta2**t
        else:
            bias_correction1 = bias_correction2 = 1.0
        v_max = state["max_exp_avg_sq"] if group["amsgrad"] else None
        if group.get("fused") is not False and kernels.adam(
                x, g, m, v, v_max, beta1=beta1, beta2=beta2, eps=eps,
                sqrt_bias_correction2=bias_correction2**0.5, step_size=lr / bias_correction1):
            return  # the lines below, fused into one pass (chainrule/kernels.py)

        m *= beta1
        np.multiply(g, 1 - beta1, out=work)
        m += work                                            # m = beta1 m + (1 - beta1) g
        v *= beta2
        np.multiply(g, g, out=work)
        work *= 1 - beta2
        v += work                                            # v = beta2 v + (1 - beta2) g^2

        if v_max is not None:
            np.maximum(v_max, v, out=v_max)                  # v_max = max(v_max, v)
            v = v_max
        # x = x - lr m_hat / (sqrt(v_hat) + eps), computed as PyTorch does:
        # denom = sqrt(v) / sqrt(1 - beta2^t) + eps;  x = x - (lr / (1 - beta1^t)) m / denom
        denom = np.sqrt(v, out=work)
        denom /= bias_correction2**0.5
        denom += eps
        np.divide(m, denom, out=work)
        work *= lr / bias_correction1
        x -= work


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter 2019):

        x = x - lr lambda x,  then the Adam step on the plain gradient g.

    Unlike L2 in Adam, the decay is not divided by sqrt(v_hat), so every weight decays at the
    same rate. ``weight_decay`` defaults to 1e-2, as in PyTorch.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, bias_correction=True, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, bias_correction=bias_correction,
                         decoupled_weight_decay=True, fused=fused)
