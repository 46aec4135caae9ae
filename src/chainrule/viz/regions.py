"""Two-dimensional pictures: a classifier's decision regions on toy data, and optimizer paths
on a loss surface."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, no_grad
from ..nn import Module
from ._checks import as_array, as_class_names, as_labels, as_numeric, as_positive_int
from ._figure import finish, new_figure, pyplot

__all__ = ["grid_points", "plot_decision_regions", "plot_optimizer_paths", "predicted_labels"]


def _padded_bounds(points, padding, where, name):
    """((x_min, x_max), (y_min, y_max)) of the finite points, widened by ``padding`` of the span."""
    finite = points[np.all(np.isfinite(points), axis=1)]
    if finite.size == 0:
        raise ValueError(f"{where}: {name} has no finite point to frame the plot")
    low, high = finite.min(axis=0), finite.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - padding * span, high + padding * span
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


def _check_bounds(bounds, where):
    array = as_numeric(bounds, "bounds", where, ndims=(2,))
    if array.shape != (2, 2) or not np.all(array[:, 1] > array[:, 0]):
        raise ValueError(f"{where}: bounds must be ((x_min, x_max), (y_min, y_max)) with "
                         f"min < max, got {array.tolist()}")
    return (float(array[0, 0]), float(array[0, 1])), (float(array[1, 0]), float(array[1, 1]))


def grid_points(bounds, resolution):
    """A regular ``resolution`` x ``resolution`` grid over the bounds.

    Returns
    -------
    xx, yy : ndarray of shape (resolution, resolution)
        Coordinates, x varying along columns and y along rows (``np.meshgrid``).
    """
    (x_min, x_max), (y_min, y_max) = bounds
    xs = np.linspace(x_min, x_max, resolution)
    ys = np.linspace(y_min, y_max, resolution)
    return np.meshgrid(xs, ys)


def predicted_labels(predict_fn, points, where="predicted_labels"):
    """Labels of the (n, 2) ``points``: ``predict_fn``'s labels, or the argmax of its scores.

    ``predict_fn`` is a callable (a function, a chainrule Module returning a Tensor of scores)
    or an estimator with ``predict``. A Module runs in evaluation mode (Dropout off) without
    building a graph; its mode is restored afterwards.
    """
    if isinstance(predict_fn, Module):
        was_training = predict_fn.training
        try:
            predict_fn.eval()
            with no_grad():
                output = predict_fn(Tensor(points))
        finally:
            predict_fn.train(was_training)
    elif callable(predict_fn):
        output = predict_fn(points)
    elif callable(getattr(predict_fn, "predict", None)):
        output = predict_fn.predict(points)
    else:
        raise TypeError(f"{where}: predict_fn must be callable or have a predict method, "
                        f"got {type(predict_fn).__name__}")
    output = as_array(output, "predict_fn's output", where)
    n = points.shape[0]
    if output.ndim == 2 and output.shape[0] == n:
        if output.dtype.kind not in "biuf":
            raise TypeError(f"{where}: predict_fn returned scores of dtype {output.dtype}")
        return np.argmax(output, axis=1).astype(np.int64)
    if output.shape != (n,):
        raise ValueError(f"{where}: predict_fn must map points of shape {points.shape} to labels "
                         f"of shape ({n},) or scores of shape ({n}, C), got shape {output.shape}")
    return as_labels(output, "predict_fn's labels", where, n)


def plot_decision_regions(predict_fn, X, y, resolution=200, class_names=None, path=None,
                          dpi=None, padding=0.1, title=None, cmap="tab10"):
    """The decision regions of a classifier on 2-D data, with the data points on top.

    Every point of a ``resolution`` x ``resolution`` grid covering the data is labelled with
    ``predict_fn``; the regions are coloured by that label, the data points by their true label.

    Parameters
    ----------
    predict_fn : callable or estimator
        Maps points of shape (n, 2) to labels of shape (n,) or scores of shape (n, C) (the
        argmax is taken); an object with a ``predict`` method works too.
    X : ndarray of shape (n, 2)
    y : array_like of int of shape (n,)
    resolution : int
        Grid points per axis.
    class_names : list of str, optional
        Legend entries; classes are numbered otherwise.
    path : str or os.PathLike, optional
    dpi : float, optional
    padding : float
        Margin around the data, as a fraction of its extent.
    title : str, optional
    cmap : str
        A qualitative colormap; class k gets its k-th colour.

    Returns
    -------
    matplotlib.figure.Figure
        The regions are the axes' one image (``ax.images[0]``, label per grid point, origin at
        the bottom left), the points its one scatter collection.
    """
    pyplot()  # imports matplotlib, or says how to install it
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D

    where = "plot_decision_regions"
    X = as_numeric(X, "X", where, ndims=(2,))
    if X.shape[1] != 2:
        raise ValueError(f"{where}: X must have shape (n, 2), got {X.shape}")
    names = None if class_names is None else as_class_names(class_names, where)
    y = as_labels(y, "y", where, X.shape[0], None if names is None else len(names))
    resolution = as_positive_int(resolution, "resolution", where, minimum=2)
    bounds = _padded_bounds(X, float(padding), where, "X")
    xx, yy = grid_points(bounds, resolution)
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(X.dtype if X.dtype.kind == "f"
                                                             else np.float64)
    # One call labels the grid and the data points (for the accuracy in the title).
    labels = predicted_labels(predict_fn, np.concatenate([grid, X.astype(grid.dtype)]), where)
    regions, predicted = labels[:grid.shape[0]].reshape(xx.shape), labels[grid.shape[0]:]
    n_classes = len(names) if names is not None else int(max(y.max(), regions.max())) + 1
    if regions.max() >= n_classes:
        raise ValueError(f"{where}: predict_fn returned label {regions.max()} but only "
                         f"{n_classes} classes are named in class_names")
    base = colormaps[cmap]
    colors = base(np.arange(n_classes) % base.N)
    listed = ListedColormap(colors)
    norm = BoundaryNorm(np.arange(n_classes + 1) - 0.5, n_classes)

    fig, axes = new_figure(1, 1, figsize=(5.2, 4.6))
    ax = axes[0, 0]
    (x_min, x_max), (y_min, y_max) = bounds
    ax.imshow(regions, origin="lower", extent=(x_min, x_max, y_min, y_max), cmap=listed,
              norm=norm, alpha=0.35, interpolation="nearest", aspect="auto")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=listed, norm=norm, s=14, edgecolors="black",
               linewidths=0.4)
    handles = [Line2D([], [], linestyle="none", marker="o", markersize=6, markerfacecolor=colors[k],
                      markeredgecolor="black", label=names[k] if names else f"class {k}")
               for k in range(n_classes)]
    ax.legend(handles=handles, fontsize="small", loc="best", framealpha=0.8)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    accuracy = float(np.mean(predicted == y))
    ax.set_title(title if title is not None else f"decision regions (accuracy {accuracy:.1%})")
    return finish(fig, path, dpi)


def _contour_levels(values, levels):
    """Contour levels: an explicit sequence, or ``levels`` levels chosen from the values.

    Loss surfaces such as Rosenbrock's rise by orders of magnitude away from a narrow valley:
    evenly spaced levels would all sit on the walls. When the values above the minimum are that
    skewed (the range exceeds 20 times the 10th percentile), the levels are spaced evenly in
    log(L - min L); otherwise (a saddle, a mild quadratic) evenly in L.
    """
    if not np.isscalar(levels):
        return np.unique(np.asarray(levels, dtype=np.float64))
    count = int(levels)
    finite = values[np.isfinite(values)]
    low, high = float(finite.min()), float(finite.max())
    if high <= low:
        return np.array([low])
    above = finite - low
    spread, typical = high - low, float(np.quantile(above, 0.1))
    if typical > 0 and spread > 20 * typical:
        smallest = float(np.quantile(above, 0.002)) or spread * 1e-6
        return low + np.geomspace(max(smallest, spread * 1e-6), spread, count)
    return np.linspace(low, high, count + 2)[1:-1]


def _is_surface(candidate):
    """Duck-typed `chainrule.optim.surfaces.Surface`: ``value(points)`` and a plotting window."""
    return callable(getattr(candidate, "value", None)) and hasattr(candidate, "bounds")


def plot_optimizer_paths(surface_fn, paths, labels, path=None, dpi=None, bounds=None,
                         resolution=200, levels=25, minimum=None, title=None):
    """The paths of several optimizers on a 2-D loss surface, over its contour lines.

    Parameters
    ----------
    surface_fn : callable or Surface
        ``surface_fn(xx, yy)`` -> values, for coordinate grids ``xx, yy`` of shape (R, R) (the
        loss L(x, y) evaluated elementwise), returning an array of shape (R, R). A surface of
        `chainrule.optim.surfaces` (an object with ``value(points)`` on points of shape
        (..., 2), ``bounds``, ``minima`` and ``name``) works too: its window is included in the
        frame, its minima are starred and its name is the default title.
    paths : list of ndarray of shape (steps, 2)
        The iterates (x_t, y_t) of each optimizer, starting point first.
    labels : list of str
        One legend entry per path (e.g. "SGD", "momentum", "Adam").
    path : str or os.PathLike, optional
        Where to save the figure (not to be confused with ``paths``).
    dpi : float, optional
    bounds : ((x_min, x_max), (y_min, y_max)), optional
        The region shown; by default the finite points of all paths (and the minima) with a 15%
        margin, widened to a Surface's own window.
    resolution : int
        Grid points per axis of the contour plot.
    levels : int or sequence of float
        Number of contour levels (spaced evenly in L, or in log(L - min L) for a surface that
        rises by orders of magnitude), or the levels themselves.
    minimum : (x, y) or ndarray of shape (k, 2), optional
        Marked with stars (the known minimizers of a test function).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One line per path (``ax.lines``, in order, with the path's coordinates); the start of
        each path is marked by a circle, its end by a cross.
    """
    where = "plot_optimizer_paths"
    surface = surface_fn if _is_surface(surface_fn) else None
    if surface is None and not callable(surface_fn):
        raise TypeError(f"{where}: surface_fn must be callable, got {type(surface_fn).__name__}")
    if minimum is None and surface is not None:
        minimum = getattr(surface, "minima", None)
    minima = (np.zeros((0, 2)) if minimum is None
              else as_numeric(minimum, "minimum", where, ndims=(1, 2)).reshape(-1, 2))
    if isinstance(paths, np.ndarray) and paths.ndim == 2:
        paths = [paths]
    if not isinstance(paths, (list, tuple)) or len(paths) == 0:
        raise ValueError(f"{where}: paths must be a non-empty list of (steps, 2) arrays")
    paths = [as_numeric(p, f"paths[{i}]", where, ndims=(2,), allow_nan=True)
             for i, p in enumerate(paths)]
    for i, p in enumerate(paths):
        if p.shape[1] != 2:
            raise ValueError(f"{where}: paths[{i}] must have shape (steps, 2), got {p.shape}")
    if isinstance(labels, str):
        labels = [labels]
    labels = [str(label) for label in labels]
    if len(labels) != len(paths):
        raise ValueError(f"{where}: expected {len(paths)} labels (one per path), got {len(labels)}")
    resolution = as_positive_int(resolution, "resolution", where, minimum=2)
    if bounds is None:
        bounds = _padded_bounds(np.concatenate(paths + [minima]), 0.15, where, "paths")
        if surface is not None:
            window = _check_bounds(surface.bounds, where)
            bounds = tuple((min(low, w_low), max(high, w_high))
                           for (low, high), (w_low, w_high) in zip(bounds, window))
    else:
        bounds = _check_bounds(bounds, where)
    xx, yy = grid_points(bounds, resolution)
    if surface is not None:
        values = surface.value(np.stack([xx, yy], axis=-1))
    else:
        values = surface_fn(xx, yy)
    values = as_array(values, "surface_fn's output", where).astype(np.float64)
    if values.shape != xx.shape:
        raise ValueError(f"{where}: surface_fn(xx, yy) must return the grid's shape {xx.shape}, "
                         f"got {values.shape}")
    if not np.any(np.isfinite(values)):
        raise ValueError(f"{where}: surface_fn returned no finite value on the grid")

    fig, axes = new_figure(1, 1, figsize=(5.6, 4.6))
    ax = axes[0, 0]
    contour_levels = _contour_levels(values, levels)
    ax.contour(xx, yy, values, levels=contour_levels, cmap="viridis", linewidths=0.8)
    for i, (points, label) in enumerate(zip(paths, labels)):
        color = f"C{i % 10}"
        ax.plot(points[:, 0], points[:, 1], color=color, marker=".", markersize=3,
                linewidth=1.4, label=label)
        finite = points[np.all(np.isfinite(points), axis=1)]
        ax.scatter(finite[:1, 0], finite[:1, 1], color=color, marker="o", s=40,
                   edgecolors="black", zorder=3)
        ax.scatter(finite[-1:, 0], finite[-1:, 1], color=color, marker="X", s=50,
                   edgecolors="black", zorder=3)
    if len(minima):
        ax.scatter(minima[:, 0], minima[:, 1], marker="*", s=160, color="gold",
                   edgecolors="black", zorder=4)
    (x_min, x_max), (y_min, y_max) = bounds
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize="small", loc="best", framealpha=0.8)
    if title is None:
        title = f"optimizers on the {surface.name}" if surface is not None else "optimizer paths"
    ax.set_title(title)
    return finish(fig, path, dpi)
