"""How good is a classifier: accuracy, per-class accuracy, the confusion matrix, and running a
model over a whole dataset in batches (eval mode, no graph).

    >>> import numpy as np
    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2])
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 0, 1]])
"""

from __future__ import annotations

import numbers

import numpy as np

from ..autograd import Tensor, no_grad

__all__ = ["accuracy", "confusion_matrix", "evaluate", "per_class_accuracy", "predict",
           "predict_scores"]


def _labels(values, name):
    values = np.asarray(getattr(values, "data", values))
    if values.dtype.kind not in "iu":
        if values.dtype.kind == "f" and values.size and np.all(values == np.round(values)):
            values = values.astype(np.int64)
        elif values.size:
            raise TypeError(f"{name} must be integer class labels, got dtype {values.dtype}")
    if values.ndim != 1:
        raise ValueError(f"{name} must have shape (n,), got shape {values.shape}")
    if values.size and values.min() < 0:
        raise ValueError(f"{name} must be >= 0, got {values.min()}")
    return values.astype(np.int64, copy=False)


def _pair(y_true, y_pred):
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} and "
                         f"{y_pred.shape}")
    if y_true.size == 0:
        raise ValueError("y_true and y_pred are empty")
    return y_true, y_pred


def _n_classes(n_classes, *label_arrays):
    seen = max(int(labels.max()) for labels in label_arrays) + 1
    if n_classes is None:
        return seen
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral) \
            or n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}")
    if seen > n_classes:
        raise ValueError(f"labels must be in [0, {n_classes}) for n_classes={n_classes}, got "
                         f"{seen - 1}")
    return int(n_classes)


def accuracy(y_true, y_pred):
    """Fraction of predictions equal to the true labels: (1/N) sum_i 1[y_pred_i = y_i].

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,), int

    Returns
    -------
    float in [0, 1]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.count_nonzero(y_true == y_pred)) / y_true.size


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Counts M[i, j] of examples of true class i predicted as class j.

    The diagonal holds the correct predictions; row i sums to the number of examples of class i.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,), int
    n_classes : int, optional
        Number of classes C (default: the largest label + 1).

    Returns
    -------
    ndarray of shape (C, C), int64
    """
    y_true, y_pred = _pair(y_true, y_pred)
    n_classes = _n_classes(n_classes, y_true, y_pred)
    counts = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64, copy=False)


def per_class_accuracy(y_true, y_pred, n_classes=None):
    """For each class, the fraction of its examples predicted correctly (its recall):
    M[k, k] / sum_j M[k, j]; NaN for a class without examples.

    Returns
    -------
    ndarray of shape (C,), float64
    """
    return _recall(confusion_matrix(y_true, y_pred, n_classes))


def _recall(matrix):
    support = matrix.sum(axis=1)
    return np.where(support > 0, np.diag(matrix) / np.maximum(support, 1), np.nan)


def _batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def predict_scores(model, X, batch_size=1000):
    """The model's class scores for every row of ``X``, computed in batches in eval mode
    (dropout off) without recording a graph; the model's train/eval mode is restored after.

    Parameters
    ----------
    model : Module
    X : ndarray of shape (n, ...)
        Preprocessed inputs.
    batch_size : int

    Returns
    -------
    ndarray of shape (n, C)
    """
    batch_size = _batch_size(batch_size)
    X = np.asarray(getattr(X, "data", X))
    if X.ndim == 0 or X.shape[0] == 0:
        raise ValueError(f"X must hold at least one example, got shape {X.shape}")
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            scores = [model(Tensor(X[start:start + batch_size])).data
                      for start in range(0, X.shape[0], batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(scores, axis=0)


def predict(model, X, batch_size=1000):
    """The predicted class of every row of ``X``: argmax_j s_j. Returns ndarray (n,), int64."""
    return predict_scores(model, X, batch_size).argmax(axis=1).astype(np.int64)


def evaluate(model, X, y, batch_size=1000, loss=None):
    """Accuracy (and optionally the mean data loss) of ``model`` on ``(X, y)``.

    Parameters
    ----------
    model : Module
    X : ndarray of shape (n, ...)
    y : array_like of shape (n,), int
    batch_size : int
    loss : callable ``loss(scores, labels)`` -> scalar Tensor, optional
        E.g. ``nn.SoftmaxCrossEntropyLoss()`` (mean over the batch).

    Returns
    -------
    dict
        ``accuracy`` (float), ``loss`` (float, or None without ``loss``), ``n`` (examples),
        ``per_class_accuracy`` (ndarray (C,)), ``confusion_matrix`` (ndarray (C, C)).
    """
    y = _labels(y, "y")
    X = np.asarray(getattr(X, "data", X))
    if X.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of examples, got shapes "
                         f"{X.shape} and {y.shape}")
    scores = predict_scores(model, X, batch_size)
    predicted = scores.argmax(axis=1)
    mean_loss = None
    if loss is not None:
        with no_grad():
            total = sum(float(loss(Tensor(scores[s:s + batch_size]), y[s:s + batch_size]).data)
                        * len(y[s:s + batch_size]) for s in range(0, len(y), batch_size))
        mean_loss = total / len(y)
    n_classes = max(scores.shape[1], int(y.max()) + 1)
    matrix = confusion_matrix(y, predicted, n_classes)
    return {"accuracy": float(np.trace(matrix)) / len(y), "loss": mean_loss, "n": len(y),
            "per_class_accuracy": _recall(matrix), "confusion_matrix": matrix}
