"""Input validation shared by the plots: clear ValueError/TypeError naming the argument."""

from __future__ import annotations

import numbers

import numpy as np


def as_array(value, name, where):
    """``value`` as an ndarray (a chainrule Tensor gives its ``.data``)."""
    if not isinstance(value, np.ndarray) and isinstance(getattr(value, "data", None), np.ndarray):
        value = value.data
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}: {name} must be array-like, got {type(value).__name__}") from exc
    if array.dtype == object:
        raise TypeError(f"{where}: {name} must be a numeric array, got an object array "
                        "(ragged nesting or non-numbers)")
    return array


def as_numeric(value, name, where, ndims, allow_nan=False):
    """A real-valued array with ``ndim`` in ``ndims``, non-empty and (by default) finite."""
    array = as_array(value, name, where)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim not in ndims:
        expected = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{where}: {name} must be {expected}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {array.shape})")
    if not allow_nan and array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{where}: {name} contains NaN or inf")
    return array


def as_labels(value, name, where, n, n_classes=None):
    """Integer class labels of shape (n,), in [0, n_classes) when ``n_classes`` is given."""
    labels = as_array(value, name, where)
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(f"{where}: {name} must have shape ({n},), got {labels.shape}")
    if labels.dtype.kind == "f" and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{where}: {name} must be integer class labels, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if n and labels.min() < 0:
        raise ValueError(f"{where}: {name} must be >= 0, got {labels.min()}")
    if n and n_classes is not None and labels.max() >= n_classes:
        raise ValueError(f"{where}: {name} has label {labels.max()} but only {n_classes} classes "
                         "are named in class_names")
    return labels


def as_class_names(class_names, where, n_classes=None):
    """A list of str; its length must equal ``n_classes`` when given."""
    if isinstance(class_names, (str, bytes)) or not hasattr(class_names, "__len__"):
        raise TypeError(f"{where}: class_names must be a list of names, "
                        f"got {type(class_names).__name__}")
    names = [str(name) for name in class_names]
    if not names:
        raise ValueError(f"{where}: class_names is empty")
    if n_classes is not None and len(names) != n_classes:
        raise ValueError(f"{where}: expected {n_classes} class_names, got {len(names)}")
    return names


def as_positive_int(value, name, where, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {value}")
    return int(value)


def rescale_unit(image):
    """Min-max rescale one image to [0, 1] for display (a constant image becomes 0.5).

    t' = (t - min t) / (max t - min t)
    """
    image = np.asarray(image, dtype=np.float64)
    low, high = image.min(), image.max()
    if high > low:
        return (image - low) / (high - low)
    return np.full_like(image, 0.5)


def as_images(value, name, where, image_shape=None):
    """Images of shape (N, H, W) or (N, H, W, 3); rows of shape (N, D) with ``image_shape``."""
    images = as_numeric(value, name, where, ndims=(2, 3, 4))
    if image_shape is not None:
        image_shape = tuple(int(size) for size in image_shape)
        if images.shape[1:] != image_shape:
            size = int(np.prod(image_shape))
            if int(np.prod(images.shape[1:])) != size:
                raise ValueError(f"{where}: cannot reshape {name} of shape {images.shape} to "
                                 f"images of shape {image_shape} ({size} values each)")
            images = images.reshape((images.shape[0],) + image_shape)
    if images.ndim == 2:
        raise ValueError(f"{where}: {name} has shape {images.shape}: flat rows need image_shape=, "
                         "e.g. image_shape=(28, 28)")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 4 and images.shape[-1] != 3:
        raise ValueError(f"{where}: {name} must be (N, H, W) or (N, H, W, 3) images (channels "
                         f"last), got shape {images.shape}")
    return images
