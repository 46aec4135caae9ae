"""The :class:`Dataset` container returned by :func:`chainrule.data.load_dataset`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Dataset", "check_labels"]


def check_labels(y, name: str = "y", n_classes: int | None = None) -> np.ndarray:
    """Validate integer class labels and return them as int64.

    Parameters
    ----------
    y : array-like of shape (n,)
        Labels; must have an integer dtype (bool and float are refused).
    name : str
        Argument or file name used in error messages.
    n_classes : int, optional
        If given, labels must lie in ``[0, n_classes)``.

    Returns
    -------
    ndarray of shape (n,), int64

    Raises
    ------
    TypeError
        If the dtype is not an integer type.
    ValueError
        If ``y`` is not 1-D or a label is out of range.
    """
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"{name}: labels must be integers, got dtype {y.dtype} "
            "(convert with y.astype(np.int64) if the values are whole numbers)"
        )
    if y.ndim != 1:
        raise ValueError(f"{name}: labels must be 1-D of shape (n,), got shape {y.shape}")
    if y.size and y.min() < 0:
        raise ValueError(f"{name}: labels must be >= 0, got minimum {y.min()}")
    if n_classes is not None and y.size and y.max() >= n_classes:
        raise ValueError(
            f"{name}: labels must be in [0, {n_classes}) for {n_classes} classes, "
            f"got maximum {y.max()}"
        )
    return y.astype(np.int64, copy=False)


@dataclass(repr=False)
class Dataset:
    """A classification dataset with a fixed train/test split.

    Attributes
    ----------
    name : str
        Dataset name (``"fashion-mnist-mini"``) or, for user data, the file or folder name.
    X_train : ndarray of shape (n_train, H, W) or (n_train, H, W, C)
        Training images, uint8 for image datasets (grayscale without a channel axis);
        float (n_train, 2) for the 2-D toy sets; as stored for ``.npz`` user data.
    y_train : ndarray of shape (n_train,), int64
        Training labels in ``[0, len(classes))``.
    X_test : ndarray of shape (n_test, ...)
        Test inputs, same per-sample shape as ``X_train``.
    y_test : ndarray of shape (n_test,), int64
        Test labels.
    classes : list of str
        Class names; label ``k`` is ``classes[k]``.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.classes = [str(c) for c in self.classes]
        for split in ("train", "test"):
            X = np.asarray(getattr(self, f"X_{split}"))
            if X.ndim < 2:
                raise ValueError(f"X_{split} must have shape (n, ...), got {X.shape}")
            y = check_labels(getattr(self, f"y_{split}"), f"y_{split}", len(self.classes))
            if X.shape[0] != y.shape[0]:
                raise ValueError(
                    f"X_{split} has {X.shape[0]} samples but y_{split} has {y.shape[0]} labels"
                )
            setattr(self, f"X_{split}", X)
            setattr(self, f"y_{split}", y)
        if self.X_train.shape[1:] != self.X_test.shape[1:]:
            raise ValueError(
                f"X_train samples have shape {self.X_train.shape[1:]} but X_test samples have "
                f"shape {self.X_test.shape[1:]}"
            )

    @property
    def image_shape(self) -> tuple[int, ...]:
        """Shape of one sample: (H, W) grayscale, (H, W, C) colour, (d,) for feature vectors."""
        return tuple(self.X_train.shape[1:])

    @property
    def n_classes(self) -> int:
        """Number of classes, ``len(classes)``."""
        return len(self.classes)

    def class_counts(self, split: str = "train") -> np.ndarray:
        """Samples per class in ``split`` (``"train"`` or ``"test"``), shape (n_classes,)."""
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        return np.bincount(getattr(self, f"y_{split}"), minlength=self.n_classes)

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, train={self.X_train.shape[0]}, "
            f"test={self.X_test.shape[0]}, image_shape={self.image_shape}, "
            f"dtype={self.X_train.dtype}, classes={self.n_classes})"
        )
