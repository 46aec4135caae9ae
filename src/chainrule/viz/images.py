"""Image grids: class templates (the linear classifier's "visual viewpoint"), misclassified
examples, and the confusion matrix."""

from __future__ import annotations

import numpy as np

from ._checks import (
    as_class_names,
    as_images,
    as_labels,
    as_numeric,
    as_positive_int,
    rescale_unit,
)
from ._figure import finish, grid_shape, new_figure

__all__ = ["normalize_confusion", "plot_confusion_matrix", "plot_misclassified", "plot_templates"]


def _image_grid(count, max_cols, panel_size):
    rows, cols = grid_shape(count, max_cols)
    fig, axes = new_figure(rows, cols, figsize=(panel_size * cols, panel_size * rows + 0.3))
    for ax in axes.flat:
        ax.set_axis_off()
    return fig, axes.flat


def _show(ax, image, **kwargs):
    """Draw one image: grayscale (H, W) with a gray colormap, RGB (H, W, 3) as is."""
    if image.ndim == 2:
        kwargs.setdefault("cmap", "gray")
    ax.imshow(image, interpolation="nearest", **kwargs)


def plot_templates(templates, class_names, path=None, dpi=None, image_shape=None, max_cols=5):
    """The rows of a linear classifier's weights as images: one "template" per class.

    The score of class c is s_c = w_c . x + b_c, a dot product of the image with the template
    w_c; seen as an image, w_c shows what the classifier matches (a blurry "average" of the
    class). Each template is rescaled to [0, 1] on its own for display:
    t' = (t - min t) / (max t - min t).

    Parameters
    ----------
    templates : ndarray of shape (C, H, W) or (C, H, W, 3)
        One template per class. ``chainrule.nn.Linear`` stores W as (D, C): pass
        ``W.T`` with ``image_shape=(H, W)`` (or ``(H, W, 3)``) to reshape rows of length D.
    class_names : list of str of length C
        Panel titles.
    path : str or os.PathLike, optional
        Save the figure there (atomically; PNG by default).
    dpi : float, optional
    image_shape : tuple of int, optional
        Shape to reshape each template to, e.g. (28, 28) or (32, 32, 3).
    max_cols : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    where = "plot_templates"
    templates = as_images(templates, "templates", where, image_shape=image_shape)
    names = as_class_names(class_names, where, n_classes=templates.shape[0])
    max_cols = as_positive_int(max_cols, "max_cols", where)
    fig, axes = _image_grid(len(names), max_cols, panel_size=1.8)
    for ax, template, name in zip(axes, templates, names):
        _show(ax, rescale_unit(template), vmin=0.0, vmax=1.0)
        ax.set_title(name, fontsize="medium")
    return finish(fig, path, dpi)


def plot_misclassified(images, true_labels, predicted_labels, class_names, max_images=25,
                       path=None, dpi=None, image_shape=None, max_cols=5):
    """A grid of the images whose predicted label differs from the true one, in their order.

    Each panel is titled "true → predicted". uint8 images are shown on the 0..255 scale; float
    images (e.g. after preprocessing) are rescaled to [0, 1] one by one.

    Parameters
    ----------
    images : ndarray of shape (N, H, W) or (N, H, W, 3), or (N, D) with ``image_shape``
    true_labels, predicted_labels : array_like of int of shape (N,)
    class_names : list of str
    max_images : int
        At most this many misclassified images are shown (the first ones).
    path : str or os.PathLike, optional
    dpi : float, optional
    image_shape : tuple of int, optional
    max_cols : int

    Returns
    -------
    matplotlib.figure.Figure
        With one titled panel per misclassified image shown; when every image is classified
        correctly, a single panel saying so.
    """
    where = "plot_misclassified"
    images = as_images(images, "images", where, image_shape=image_shape)
    names = as_class_names(class_names, where)
    n = images.shape[0]
    true = as_labels(true_labels, "true_labels", where, n, len(names))
    predicted = as_labels(predicted_labels, "predicted_labels", where, n, len(names))
    max_images = as_positive_int(max_images, "max_images", where)
    max_cols = as_positive_int(max_cols, "max_cols", where)
    wrong = np.flatnonzero(true != predicted)
    if wrong.size == 0:
        fig, axes = new_figure(1, 1, figsize=(4.0, 1.5))
        axes[0, 0].set_axis_off()
        axes[0, 0].text(0.5, 0.5, f"all {n} images classified correctly", ha="center",
                        va="center", transform=axes[0, 0].transAxes)
        return finish(fig, path, dpi)
    shown = wrong[:max_images]
    fig, axes = _image_grid(len(shown), max_cols, panel_size=1.9)
    is_bytes = images.dtype == np.uint8
    for ax, index in zip(axes, shown):
        if is_bytes:
            _show(ax, images[index], vmin=0, vmax=255)
        else:
            _show(ax, rescale_unit(images[index]), vmin=0.0, vmax=1.0)
        ax.set_title(f"{names[true[index]]} \N{RIGHTWARDS ARROW} {names[predicted[index]]}",
                     fontsize="small")
    fig.suptitle(f"{wrong.size} of {n} misclassified" + (
        f" (first {len(shown)} shown)" if len(shown) < wrong.size else ""), fontsize="medium")
    return finish(fig, path, dpi)


def normalize_confusion(matrix):
    """Each row divided by its sum: entry (i, j) becomes P(predicted j | true i).

    Rows without examples stay zero.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def plot_confusion_matrix(matrix, class_names, normalize=True, path=None, dpi=None,
                          annotate=None, cmap="Blues"):
    """The confusion matrix as an image: row i = true class i, column j = predicted class j.

    Parameters
    ----------
    matrix : ndarray of shape (C, C)
        Counts (e.g. from ``chainrule.train.metrics``), non-negative.
    class_names : list of str of length C
    normalize : bool
        Show each row divided by its sum (the fraction of class i predicted as j; the diagonal
        is the per-class accuracy) instead of the counts.
    path : str or os.PathLike, optional
    dpi : float, optional
    annotate : bool, optional
        Write the value in each cell; by default when C <= 20.
    cmap : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    where = "plot_confusion_matrix"
    matrix = as_numeric(matrix, "matrix", where, ndims=(2,))
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{where}: matrix must be square (C, C), got shape {matrix.shape}")
    if np.any(matrix < 0):
        raise ValueError(f"{where}: matrix entries must be >= 0, got {matrix.min()}")
    n_classes = matrix.shape[0]
    names = as_class_names(class_names, where, n_classes=n_classes)
    shown = normalize_confusion(matrix) if normalize else matrix.astype(np.float64)
    if annotate is None:
        annotate = n_classes <= 20
    size = min(12.0, 2.5 + 0.55 * n_classes)
    fig, axes = new_figure(1, 1, figsize=(size + 1.0, size))
    ax = axes[0, 0]
    image = ax.imshow(shown, cmap=cmap, vmin=0.0, vmax=1.0 if normalize else None,
                      interpolation="nearest")
    fig.colorbar(image, ax=ax, shrink=0.8, label="fraction of the true class" if normalize
                 else "count")
    ticks = np.arange(n_classes)
    ax.set_xticks(ticks, names, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title("confusion matrix" + (" (rows normalized)" if normalize else ""))
    if annotate:
        high = shown.max() if shown.size else 0.0
        for i in range(n_classes):
            for j in range(n_classes):
                value = shown[i, j]
                text = f"{value:.2f}" if normalize else f"{value:g}"
                ax.text(j, i, text, ha="center", va="center", fontsize="x-small",
                        color="white" if value > 0.5 * high else "black")
    return finish(fig, path, dpi)
