"""Deterministic, stratified splits: train/test for user data, train/validation for training.

Shuffling for splits comes from :func:`stable_permutation`: the raw 64-bit output of NumPy's
PCG64 bit generator, argsorted. NumPy guarantees bit generator streams across versions (unlike
the ``Generator`` methods such as ``permutation``), so the same seed gives the same split on any
NumPy version and machine -- which the embedded dataset's fixed train/test split relies on.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["stable_permutation", "stratified_split_indices", "train_val_split"]


def stable_permutation(n: int, seed: int) -> np.ndarray:
    """A uniformly random permutation of ``range(n)`` that depends only on ``seed``.

    Returns
    -------
    ndarray of shape (n,), int64
    """
    keys = np.random.PCG64(seed).random_raw(n)
    return np.argsort(keys, kind="stable").astype(np.int64)


def _two_permutations(n: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """Two independent permutations of ``range(n)``: one picks the split, one orders it."""
    if isinstance(seed, np.random.Generator):
        return seed.permutation(n).astype(np.int64), seed.permutation(n).astype(np.int64)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        keys = np.random.PCG64(int(seed)).random_raw(2 * n)
        return (np.argsort(keys[:n], kind="stable").astype(np.int64),
                np.argsort(keys[n:], kind="stable").astype(np.int64))  # fmt: skip
    raise TypeError(f"seed must be a non-negative int or a numpy Generator, got {seed!r}")


def _allocate(counts: np.ndarray, fraction: float) -> np.ndarray:
    """Split ``round(fraction * counts.sum())`` among classes in proportion to ``counts``
    (largest remainder, ties to the lower class index)."""
    exact = counts * fraction
    alloc = np.floor(exact).astype(np.int64)
    remaining = int(round(fraction * counts.sum())) - int(alloc.sum())
    if remaining > 0:
        order = np.argsort(-(exact - alloc), kind="stable")
        alloc[order[:remaining]] += 1
    return alloc


def stratified_split_indices(
    y: np.ndarray,
    fraction: float,
    seed: int | np.random.Generator = 0,
    stratify: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a random split of ``y`` into a kept part and a held-out ``fraction``.

    With ``stratify``, each class is held out in proportion to its size (largest-remainder
    rounding, so the held-out part has exactly ``round(fraction * n)`` samples). Both index
    arrays come in a uniformly random order (drawn independently of the split).

    Parameters
    ----------
    y : ndarray of shape (n,)
        Integer labels.
    fraction : float
        Held-out fraction, in (0, 1).
    seed : int or numpy.random.Generator
        An int gives a split that is identical on every NumPy version; a Generator is advanced.
    stratify : bool
        Keep class proportions in both parts.

    Returns
    -------
    keep : ndarray of shape (n - m,), int64
    held_out : ndarray of shape (m,), int64
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
        raise TypeError(f"fraction must be a float in (0, 1), got {fraction!r}")
    if not 0.0 < float(fraction) < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    n = y.shape[0]
    perm, order = _two_permutations(n, seed)
    held_out_mask = np.zeros(n, dtype=bool)  # indexed by position in perm
    if stratify:
        classes, y_codes = np.unique(y[perm], return_inverse=True)
        counts = np.bincount(y_codes, minlength=classes.size)
        for code, n_out in enumerate(_allocate(counts, float(fraction))):
            positions = np.flatnonzero(y_codes == code)
            held_out_mask[positions[:n_out]] = True
    else:
        held_out_mask[: int(round(float(fraction) * n))] = True
    n_out = int(held_out_mask.sum())
    if n_out == 0 or n_out == n:
        raise ValueError(
            f"a fraction of {fraction} of {n} samples leaves an empty split; "
            "use more samples or another fraction"
        )
    # Which samples are held out depends on `perm`; the order within each part comes from the
    # independent `order`, so neither part starts with the classes that filled their quota first.
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    keep, held_out = perm[~held_out_mask], perm[held_out_mask]
    return (keep[np.argsort(rank[keep], kind="stable")],
            held_out[np.argsort(rank[held_out], kind="stable")])  # fmt: skip


def train_val_split(
    X: np.ndarray,
    y: np.ndarray,
    val_fraction: float = 0.1,
    seed: int | np.random.Generator = 0,
    stratify: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Carve a validation set out of the training data.

    Parameters
    ----------
    X : ndarray of shape (n, ...)
        Training inputs.
    y : ndarray of shape (n,)
        Integer labels.
    val_fraction : float
        Fraction of samples moved to the validation set, in (0, 1).
    seed : int or numpy.random.Generator
        Seed of the shuffle (see :func:`stratified_split_indices`).
    stratify : bool
        Keep class proportions in both parts.

    Returns
    -------
    X_train : ndarray of shape (n - m, ...)
    y_train : ndarray of shape (n - m,)
    X_val : ndarray of shape (m, ...)
    y_val : ndarray of shape (m,)
        Note the order: pairs (X, y) per split, like the fields of
        :class:`~chainrule.data.Dataset` -- not scikit-learn's ``X_train, X_test, y_train, ...``.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of samples: got X of shape {X.shape} and y of "
            f"shape {y.shape}"
        )
    if stratify and not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer labels to stratify, got dtype {y.dtype}")
    train_idx, val_idx = stratified_split_indices(y, val_fraction, seed, stratify)
    return X[train_idx], y[train_idx], X[val_idx], y[val_idx]
