"""Watching a network train: which ReLU units have died."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, no_grad
from .activations import RELU_FAMILY
from .module import Module


def dead_unit_fractions(model, x):
    """For each ReLU-family layer, the fraction of its units that are "dead" on the batch ``x``.

    A unit is dead on a batch when its input (pre-activation) is <= 0 for every example: a ReLU
    then outputs 0 and passes back no gradient, so no example of the batch can revive it (for
    leaky ReLU and ELU the gradient is only small, but the count shows the same pathology).

    Parameters
    ----------
    model : Module
    x : array_like of shape (N, ...)
        A batch of inputs.

    Returns
    -------
    dict
        Layer name (as in ``named_modules``) -> fraction in [0, 1].
    """
    if not isinstance(model, Module):
        raise TypeError(f"dead_unit_fractions expects a Module, got {type(model).__name__}")
    fractions = {}
    handles = []

    def make_hook(name):
        def hook(module, inputs, output):
            pre_activation = inputs[0].data if isinstance(inputs[0], Tensor) else inputs[0]
            flat = np.asarray(pre_activation).reshape(len(pre_activation), -1)
            fractions[name] = float(np.all(flat <= 0, axis=0).mean())

        return hook

    for name, module in model.named_modules():
        if isinstance(module, RELU_FAMILY):
            handles.append(module.register_forward_hook(make_hook(name)))
    was_training = model.training
    try:
        model.eval()
        with no_grad():
            model(x if isinstance(x, Tensor) else Tensor(x))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return fractions
