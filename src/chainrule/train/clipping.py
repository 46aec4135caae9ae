"""Gradient clipping by global norm (Pascanu et al. 2013), as ``torch.nn.utils.clip_grad_norm_``.

With g the concatenation of every parameter's gradient and ||g|| its Euclidean norm,

    g <- g * min(1, max_norm / (||g|| + 1e-6))

so one exploding step cannot throw the weights far, while the direction is kept.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Tensor

__all__ = ["clip_grad_norm_", "global_grad_norm"]


def _gradients(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def global_grad_norm(parameters):
    """||g||: the Euclidean norm of all gradients together (0.0 when there are none)."""
    total = 0.0
    for grad in _gradients(parameters):
        flat = grad.ravel()
        total += float(np.dot(flat, flat))
    return math.sqrt(total)


def clip_grad_norm_(parameters, max_norm):
    """Scale the gradients in place so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    parameters : iterable of Tensor
    max_norm : float > 0

    Returns
    -------
    float
        The global norm before clipping (NaN or inf when a gradient is not finite; the
        gradients are then left as they are).
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float, np.number)) \
            or not max_norm > 0 or not math.isfinite(max_norm):
        raise ValueError(f"clip_grad_norm_: max_norm must be a finite number > 0, got "
                         f"{max_norm!r}")
    parameters = list(parameters) if not isinstance(parameters, Tensor) else [parameters]
    norm = global_grad_norm(parameters)
    clip_coef = max_norm / (norm + 1e-6)
    if clip_coef < 1.0:
        for grad in _gradients(parameters):
            grad *= grad.dtype.type(clip_coef)
    return norm
