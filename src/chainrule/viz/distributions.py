"""Histograms of weights and activations, layer by layer.

The course reads these to diagnose initialization: with weights too small the activations of
deep layers collapse to zero, with weights too large tanh units saturate at +-1; a good
initialization (Xavier, He) keeps every layer's distribution alike.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._checks import as_numeric, as_positive_int
from ._figure import finish, grid_shape, new_figure

__all__ = ["plot_activations_histogram", "plot_weights_histogram"]


def _named_arrays(arrays, where, name):
    """[(name, flat float64 array)] from a dict, a list of arrays, or a Module's parameters."""
    if hasattr(arrays, "named_parameters") and callable(arrays.named_parameters):
        items = list(arrays.named_parameters())
    elif isinstance(arrays, Mapping):
        items = list(arrays.items())
    elif isinstance(arrays, (list, tuple)):
        items = [(str(index), value) for index, value in enumerate(arrays)]
    elif isinstance(arrays, np.ndarray):
        items = [(name, arrays)]
    else:
        raise TypeError(f"{where}: {name} must be a dict of name -> array, a list of arrays or a "
                        f"Module, got {type(arrays).__name__}")
    if not items:
        raise ValueError(f"{where}: {name} is empty: there is nothing to plot")
    return [(str(key), as_numeric(value, f"{name}[{key!r}]", where, ndims=tuple(range(0, 33))))
            for key, value in items]


def _histograms(items, bins, where, xlabel, max_cols, path, dpi, describe):
    bins = as_positive_int(bins, "bins", where)
    max_cols = as_positive_int(max_cols, "max_cols", where)
    rows, cols = grid_shape(len(items), max_cols)
    fig, axes = new_figure(rows, cols, figsize=(3.0 * cols, 2.5 * rows))
    flat = list(axes.flat)
    for ax in flat[len(items):]:
        ax.set_axis_off()
    for ax, (name, array) in zip(flat, items):
        values = array.astype(np.float64).ravel()
        ax.hist(values, bins=bins, color="C0")
        ax.set_title(f"{name}\n{describe(values)}", fontsize="small")
        ax.set_xlabel(xlabel, fontsize="small")
        ax.tick_params(labelsize="x-small")
    return finish(fig, path, dpi)


def plot_weights_histogram(weights, bins=50, path=None, dpi=None, include_bias=False,
                           max_cols=4):
    """One histogram per weight array, titled with its mean and standard deviation.

    Parameters
    ----------
    weights : Module, dict of name -> ndarray, or list of ndarray
        A model (its ``named_parameters()``) or the arrays themselves.
    bins : int
    path : str or os.PathLike, optional
    dpi : float, optional
    include_bias : bool
        Also show 1-D arrays (biases); by default only weight matrices (ndim >= 2), the ones
        initialization and regularization act on.
    max_cols : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    where = "plot_weights_histogram"
    items = _named_arrays(weights, where, "weights")
    if not include_bias:
        items = [(name, array) for name, array in items if array.ndim >= 2]
        if not items:
            raise ValueError(f"{where}: weights holds no weight matrix (ndim >= 2); pass "
                             "include_bias=True to show 1-D arrays")
    return _histograms(items, bins, where, "weight value", max_cols, path, dpi,
                       lambda v: f"mean {v.mean():.3g}, std {v.std():.3g}")


def plot_activations_histogram(activations, bins=50, path=None, dpi=None, max_cols=4):
    """One histogram per layer's activations, titled with mean, standard deviation and the
    fraction of exact zeros (ReLU units that are off).

    Parameters
    ----------
    activations : dict of layer name -> ndarray, or list of ndarray
        Outputs of each layer on one batch (collect them with forward hooks).
    bins : int
    path : str or os.PathLike, optional
    dpi : float, optional
    max_cols : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    where = "plot_activations_histogram"
    items = _named_arrays(activations, where, "activations")
    return _histograms(items, bins, where, "activation", max_cols, path, dpi,
                       lambda v: f"mean {v.mean():.3g}, std {v.std():.3g}, "
                                 f"zeros {np.mean(v == 0):.0%}")
