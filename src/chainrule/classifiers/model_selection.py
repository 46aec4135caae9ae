"""Choosing k for kNN by cross-validation: the course's 5-fold experiment and its plot data.

Split the training set into ``folds`` parts; each part in turn is the validation set for the
other parts. One distance computation per fold serves every k: the neighbors of each validation
point are found once, for the largest k, and the first k of them vote for each smaller k.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .base import check_features, check_labels
from .distances import METRICS, k_nearest
from .knn import WEIGHTS, neighbor_votes

__all__ = ["KCrossValidation", "cross_validate_k"]


@dataclass(frozen=True)
class KCrossValidation:
    """Result of `cross_validate_k`.

    Attributes
    ----------
    ks : ndarray of shape (n_ks,)
        The k values tried, in the order given.
    accuracies : ndarray of shape (n_ks, folds)
        Validation accuracy of each k on each fold (the dots of the course's plot).
    mean, std : ndarray of shape (n_ks,)
        Mean and standard deviation over folds (the line and its error bars).
    best_k : int
        The k of highest mean accuracy (the smallest such k on a tie).
    """

    ks: np.ndarray
    accuracies: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    best_k: int


def cross_validate_k(X, y, ks=(1, 3, 5, 8, 10, 12, 15, 20, 50, 100), folds=5, metric="l2",
                     weights="uniform", seed=0, max_memory=2**28, dtype="float32"):
    """Validation accuracy of kNN for each k in ``ks``, by ``folds``-fold cross-validation.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    ks : sequence of int
        Candidate numbers of neighbors (each at most the size of a training split).
    folds : int
        Number of folds (>= 2); the samples are shuffled once, then split into nearly equal parts.
    metric, weights, max_memory, dtype
        As for `KNNClassifier`.
    seed : int
        Seeds the shuffle (a ``numpy.random.Generator``).

    Returns
    -------
    KCrossValidation
    """
    where = "cross_validate_k"
    if metric not in METRICS:
        raise ValueError(f"{where}: metric must be one of {METRICS}, got {metric!r}")
    if weights not in WEIGHTS:
        raise ValueError(f"{where}: weights must be one of {WEIGHTS}, got {weights!r}")
    if not isinstance(folds, numbers.Integral) or isinstance(folds, bool) or folds < 2:
        raise ValueError(f"{where}: folds must be an integer >= 2, got {folds!r}")
    ks_array = np.asarray(ks)
    if (ks_array.ndim != 1 or ks_array.size == 0 or ks_array.dtype.kind not in "iu"
            or ks_array.min() < 1):
        raise ValueError(f"{where}: ks must be a non-empty sequence of positive integers, "
                         f"got {ks!r}")
    X, _ = check_features(X, where, dtype=np.dtype(dtype))
    y = check_labels(y, where, len(X))
    if len(X) < folds:
        raise ValueError(f"{where}: {folds} folds need at least {folds} samples, got {len(X)}")
    classes, encoded = np.unique(y, return_inverse=True)
    encoded = encoded.reshape(-1)
    permutation = np.random.default_rng(seed).permutation(len(X))
    parts = np.array_split(permutation, folds)
    smallest_train = len(X) - max(len(part) for part in parts)
    k_max = int(ks_array.max())
    if k_max > smallest_train:
        raise ValueError(f"{where}: k={k_max} exceeds the {smallest_train} training samples of "
                         f"a fold; expected every k <= {smallest_train}")
    accuracies = np.empty((len(ks_array), folds))
    for fold, validation in enumerate(parts):
        train = np.concatenate([part for index, part in enumerate(parts) if index != fold])
        distances, indices = k_nearest(X[validation], X[train], k_max, metric, max_memory)
        neighbor_labels = encoded[train][indices]
        for row, k in enumerate(ks_array):
            votes = neighbor_votes(neighbor_labels[:, :k], distances[:, :k], len(classes),
                                   weights)
            accuracies[row, fold] = np.mean(votes.argmax(axis=1) == encoded[validation])
    mean = accuracies.mean(axis=1)
    best_k = int(ks_array[np.flatnonzero(mean == mean.max())].min())
    return KCrossValidation(ks=ks_array.copy(), accuracies=accuracies, mean=mean,
                            std=accuracies.std(axis=1), best_k=best_k)
