"""Minibatches: sampling without replacement, reshuffled every epoch.

All randomness comes from the ``numpy.random.Generator`` passed in, and one epoch draws exactly
one permutation from it, when the epoch starts. A trainer that saves
``rng.bit_generator.state`` before an epoch and restores it later gets the same batches, bit for
bit; ``epoch(skip_batches=k)`` resumes in the middle of that epoch.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

import numpy as np

__all__ = ["BatchSampler", "iterate_minibatches"]


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


class BatchSampler:
    """Index batches over ``range(n)``, each index once per epoch.

    Parameters
    ----------
    n : int
        Number of samples.
    batch_size : int
        Samples per batch; the last batch is smaller when ``batch_size`` does not divide ``n``
        (unless ``drop_last``).
    rng : numpy.random.Generator, optional
        Source of the shuffles; required when ``shuffle`` is true.
    shuffle : bool
        Draw a new permutation every epoch; otherwise batches follow ``0, 1, ..., n - 1``.
    drop_last : bool
        Skip the final, incomplete batch.

    Examples
    --------
    >>> sampler = BatchSampler(10, 4, np.random.default_rng(0))
    >>> [len(batch) for batch in sampler]
    [4, 4, 2]
    """

    def __init__(
        self,
        n: int,
        batch_size: int,
        rng: np.random.Generator | None = None,
        shuffle: bool = True,
        drop_last: bool = False,
    ) -> None:
        self.n = _check_int(n, "n", 1)
        self.batch_size = _check_int(batch_size, "batch_size", 1)
        if shuffle and not isinstance(rng, np.random.Generator):
            raise TypeError(
                "rng must be a numpy.random.Generator when shuffle=True "
                f"(e.g. np.random.default_rng(seed)), got {type(rng).__name__}"
            )
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator or None, got {type(rng)}")
        if drop_last and self.batch_size > self.n:
            raise ValueError(
                f"drop_last=True with batch_size {self.batch_size} > n {self.n} gives no batches"
            )
        self.rng = rng
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)

    def __len__(self) -> int:
        """Number of batches per epoch."""
        if self.drop_last:
            return self.n // self.batch_size
        return math.ceil(self.n / self.batch_size)

    def epoch(self, skip_batches: int = 0) -> Iterator[np.ndarray]:
        """Draw this epoch's order (one call to ``rng.permutation``) and yield its batches.

        The permutation is drawn immediately, not at the first ``next()``, so the generator's
        state after this call no longer depends on how far the epoch is consumed.

        Parameters
        ----------
        skip_batches : int
            Batches to skip at the start (to resume an interrupted epoch).

        Returns
        -------
        iterator of ndarray of shape (batch_size,), int64
        """
        skip = _check_int(skip_batches, "skip_batches", 0)
        if self.shuffle:
            order = self.rng.permutation(self.n).astype(np.int64)
        else:
            order = np.arange(self.n, dtype=np.int64)
        return self._batches(order, skip)

    def _batches(self, order: np.ndarray, skip: int) -> Iterator[np.ndarray]:
        for b in range(skip, len(self)):
            yield order[b * self.batch_size : (b + 1) * self.batch_size]

    def __iter__(self) -> Iterator[np.ndarray]:
        return self.epoch()

    def __repr__(self) -> str:
        return (
            f"BatchSampler(n={self.n}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last})"
        )


def iterate_minibatches(
    X,
    y,
    batch_size: int,
    rng: np.random.Generator | None = None,
    shuffle: bool = True,
    drop_last: bool = False,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of ``(X_batch, y_batch)`` pairs; see :class:`BatchSampler`.

    Parameters
    ----------
    X : ndarray of shape (n, ...)
    y : ndarray of shape (n,)
    batch_size, rng, shuffle, drop_last
        As for :class:`BatchSampler`.

    Returns
    -------
    iterator of (ndarray of shape (b, ...), ndarray of shape (b,))
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of samples, got shapes {X.shape} and {y.shape}"
        )
    sampler = BatchSampler(X.shape[0], batch_size, rng, shuffle, drop_last)
    return ((X[idx], y[idx]) for idx in sampler.epoch())
