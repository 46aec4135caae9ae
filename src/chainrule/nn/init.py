"""Weight initializers. Each fills an array (or a Parameter's data) in place and returns it.

The scale matters: with ``fan_in`` inputs of unit variance, a unit's pre-activation has variance
``fan_in * Var(W)``. Keeping that near 1 (Xavier/Glorot for tanh/sigmoid, He/Kaiming for ReLU,
which zeroes half its inputs and so needs twice the variance) keeps activations and gradients
from vanishing or exploding through depth. The course's first attempt, ``0.01 * randn``, works
for small networks and shows the problem in deep ones.
"""

from __future__ import annotations

import math

import numpy as np


def as_generator(rng):
    """A `numpy.random.Generator` from a Generator, an int seed, or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")


def _array(target):
    array = getattr(target, "data", target)
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected an ndarray or Parameter, got {type(target).__name__}")
    return array


def _fans(shape):
    """(fan_in, fan_out) of a weight of shape (in_features, out_features)."""
    if len(shape) < 2:
        raise ValueError(f"fan-in/fan-out need a weight with at least 2 axes, got shape {shape}")
    fan_in = shape[0]
    fan_out = int(np.prod(shape[1:]))
    return fan_in, fan_out


def kaiming_normal_(target, rng=None, gain=math.sqrt(2.0)):
    """He et al. 2015: W ~ N(0, gain^2 / fan_in), gain = sqrt(2) for ReLU."""
    array = _array(target)
    fan_in, _ = _fans(array.shape)
    std = gain / math.sqrt(fan_in)
    array[...] = as_generator(rng).standard_normal(array.shape) * std
    return target


def kaiming_uniform_(target, rng=None, gain=math.sqrt(2.0)):
    """He et al. 2015, uniform form: W ~ U(-b, b), b = gain * sqrt(3 / fan_in)."""
    array = _array(target)
    fan_in, _ = _fans(array.shape)
    bound = gain * math.sqrt(3.0 / fan_in)
    array[...] = as_generator(rng).uniform(-bound, bound, array.shape)
    return target


def xavier_normal_(target, rng=None, gain=1.0):
    """Glorot & Bengio 2010: W ~ N(0, gain^2 * 2 / (fan_in + fan_out))."""
    array = _array(target)
    fan_in, fan_out = _fans(array.shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    array[...] = as_generator(rng).standard_normal(array.shape) * std
    return target


def xavier_uniform_(target, rng=None, gain=1.0):
    """Glorot & Bengio 2010: W ~ U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out))."""
    array = _array(target)
    fan_in, fan_out = _fans(array.shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    array[...] = as_generator(rng).uniform(-bound, bound, array.shape)
    return target


def small_random_(target, rng=None, scale=0.01):
    """The course's first try: W = 0.01 * randn(...) (fine for shallow nets, vanishes in deep ones)."""
    array = _array(target)
    array[...] = as_generator(rng).standard_normal(array.shape) * scale
    return target


def zeros_(target):
    _array(target)[...] = 0
    return target


INITIALIZERS = {
    "kaiming": kaiming_normal_,
    "he": kaiming_normal_,
    "kaiming_uniform": kaiming_uniform_,
    "xavier": xavier_normal_,
    "glorot": xavier_normal_,
    "xavier_uniform": xavier_uniform_,
    "small": small_random_,
}


def get_initializer(name):
    """Look an initializer up by name: kaiming/he, kaiming_uniform, xavier/glorot,
    xavier_uniform, small."""
    if callable(name):
        return name
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"unknown initializer {name!r}; expected one of "
                         f"{sorted(INITIALIZERS)}") from None
