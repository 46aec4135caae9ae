"""Distances between images, fully vectorized and computed in memory-bounded blocks.

The course's nearest-neighbor classifier compares every test image with every training image.
Written with no Python loop over pairs, the L2 distance expands into one matrix product:

    ||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2,   so   D^2 = |A|^2 1^T - 2 A B^T + 1 |B|^2^T

and ``A @ B.T`` runs at BLAS speed (float32 by default: twice as fast as float64, and precise
enough to rank distances between images). To find neighbors, even less is needed: along a
query's row ||a||^2 is a constant, so r = ||b||^2 / 2 - a.b ranks the training points like the
distance, costs one subtraction after the product, and only the k winners are turned back into
distances, ||a - b|| = sqrt(2 r + ||a||^2). L1 has no such identity; it is computed by
broadcasting, |A[:, None, :] - B[None, :, :]| summed over features, on small blocks that stay in
the CPU cache.

Nothing here holds the full (n_queries, n_train) matrix unless asked to (`pairwise_distances`):
`k_nearest` walks over blocks of queries whose rows fit in ``max_memory`` bytes, keeping only the
k smallest of each row (``np.argpartition``: O(n) per row instead of a full sort). That selection
runs on one core per call, so the rows of a block are split across the cores (NumPy releases the
GIL while it partitions): on 2 cores it takes half the time. With numba installed, the selection
is `chainrule.kernels.k_smallest` instead: one scan per row that keeps the k best in a sorted
list, with the L2 ranking's subtraction done on the fly; same neighbors, same order, same
values, about 20x less time than ``argpartition`` (`k_nearest`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import kernels

__all__ = ["METRICS", "half_squared_norms", "k_nearest", "pairwise_distances",
           "query_block_rows"]

METRICS = ("l2", "l1")

#: bytes of the broadcast (queries, train, features) temporary of L1: small enough for L2 cache
_L1_BLOCK_BYTES = 2**21


def _check_metric(metric):
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")


def _l2_ranking_block(queries, train, train_half_sq_norms):
    """r = ||b||^2 / 2 - a.b for a block of queries: (q, d), (n, d) -> (q, n).

    r = (||a - b||^2 - ||a||^2) / 2 ranks the training points of each query exactly as the
    distance does (||a||^2 is the same along a row), so the neighbors are found on r with one
    BLAS product and one subtraction, and only the k chosen get turned into distances
    (`_l2_from_ranking`)."""
    block = queries @ train.T
    np.subtract(train_half_sq_norms[None, :], block, out=block)
    return block


def _l2_from_ranking(ranking, queries):
    """||a - b|| = sqrt(2 r + ||a||^2), clipped at 0 first (rounding can make a true 0
    slightly negative)."""
    squared = 2 * ranking + np.einsum("ij,ij->i", queries, queries)[:, None]
    np.maximum(squared, 0, out=squared)
    return np.sqrt(squared, out=squared)


def _l1_block(queries, train):
    """sum_f |a_f - b_f| for a block of queries: (q, d), (n, d) -> (q, n), by broadcasting on
    sub-blocks of about `_L1_BLOCK_BYTES`."""
    q, d = queries.shape
    n = train.shape[0]
    out = np.empty((q, n), dtype=queries.dtype)
    itemsize = queries.dtype.itemsize
    sub_queries = max(1, min(q, 16))
    sub_train = max(1, _L1_BLOCK_BYTES // (sub_queries * d * itemsize))
    buffer = np.empty((sub_queries, sub_train, d), dtype=queries.dtype)
    for q0 in range(0, q, sub_queries):
        a = queries[q0:q0 + sub_queries, None, :]
        for t0 in range(0, n, sub_train):
            b = train[None, t0:t0 + sub_train, :]
            view = buffer[:a.shape[0], :b.shape[1]]
            np.subtract(a, b, out=view)
            np.abs(view, out=view)
            view.sum(axis=2, out=out[q0:q0 + a.shape[0], t0:t0 + b.shape[1]])
    return out


def _ranking_block(queries, train, metric, train_half_sq_norms=None):
    """What the neighbors are ranked by, for a block of queries: the L1 distance itself, or
    the L2 ranking r of `_l2_ranking_block`."""
    if metric == "l2":
        if train_half_sq_norms is None:
            train_half_sq_norms = half_squared_norms(train)
        return _l2_ranking_block(queries, train, train_half_sq_norms)
    return _l1_block(queries, train)


def half_squared_norms(train):
    """||b||^2 / 2 for every row of ``train`` (what L2 ranking needs, to reuse across calls)."""
    return 0.5 * np.einsum("ij,ij->i", train, train)


def query_block_rows(n_train, itemsize, max_memory):
    """How many query rows one block may hold so that its working set stays under max_memory.

    Per (query, training point) pair a block holds the distance (``itemsize`` bytes), the copy
    that ``np.argpartition`` sorts (``itemsize``) and its int64 index result (8):
    ``2 * itemsize + 8`` bytes. At least one row is always used.
    """
    per_row = n_train * (2 * itemsize + 8)
    return max(1, int(max_memory // per_row))


def pairwise_distances(queries, train, metric="l2", max_memory=2**28):
    """The full matrix of distances, D[i, j] = dist(queries[i], train[j]).

    Parameters
    ----------
    queries : ndarray of shape (n_queries, n_features)
    train : ndarray of shape (n_train, n_features)
    metric : {"l2", "l1"}
        L2 (Euclidean) or L1 (Manhattan) distance.
    max_memory : int
        Bytes of working memory per block, on top of the (n_queries, n_train) result.

    Returns
    -------
    ndarray of shape (n_queries, n_train)
        In the floating dtype of the inputs.
    """
    _check_metric(metric)
    queries, train = np.asarray(queries), np.asarray(train)
    dtype = np.result_type(queries.dtype, train.dtype, np.float32)
    queries, train = queries.astype(dtype, copy=False), train.astype(dtype, copy=False)
    out = np.empty((len(queries), len(train)), dtype=dtype)
    half_norms = half_squared_norms(train) if metric == "l2" else None
    rows = query_block_rows(len(train), dtype.itemsize, max_memory)
    for start in range(0, len(queries), rows):
        block_queries = queries[start:start + rows]
        block = _ranking_block(block_queries, train, metric, half_norms)
        if metric == "l2":
            block = _l2_from_ranking(block, block_queries)
        out[start:start + rows] = block
    return out


def _k_smallest(block, k):
    """Indices of the k smallest entries of each row, nearest first, ties broken by the lower
    index (so the answer never depends on how argpartition happens to order equal values)."""
    n_rows, n_cols = block.shape
    rows = np.arange(n_rows)[:, None]
    if k < n_cols:
        # the k-th and (k+1)-th smallest land in columns k-1 and k; when they are equal, the
        # boundary is tied and argpartition chose among the tied entries arbitrarily, so that
        # (rare) row is redone with a stable sort
        partition = np.argpartition(block, (k - 1, k), axis=1)
        candidates = partition[:, :k]
        kth, next_value = block[rows[:, 0], partition[:, k - 1]], block[rows[:, 0], partition[:, k]]
        tied = (kth == next_value) | (np.isnan(kth) & np.isnan(next_value))  # NaNs tie too
        for row in np.flatnonzero(tied):
            candidates[row] = np.argsort(block[row], kind="stable")[:k]
    else:
        candidates = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols)).copy()
    values = block[rows, candidates]
    order = np.lexsort((candidates, values), axis=-1)
    return np.take_along_axis(candidates, order, axis=1)


_SELECTION = {"pool": None}


def _split_rows(function, block):
    """``function(rows)`` on parts of the block's rows, across the cores; the results in order.

    Used for work that releases the GIL (NumPy's partitioning, the compiled kernels); a block
    too small to be worth the threads is done in one call (a list of one result)."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or block.shape[0] < 2 * workers or block.size < 1_000_000:
        return [function(block)]
    if _SELECTION["pool"] is None:
        _SELECTION["pool"] = ThreadPoolExecutor(workers, thread_name_prefix="chainrule-knn")
    bounds = np.linspace(0, block.shape[0], workers + 1).astype(int)
    return list(_SELECTION["pool"].map(lambda i: function(block[bounds[i]:bounds[i + 1]]),
                                       range(workers)))


def _k_smallest_parallel(block, k):
    """`_k_smallest` with the rows split across the cores (same result, row by row)."""
    return np.concatenate(_split_rows(lambda rows: _k_smallest(rows, k), block))


def _select(block, k, offsets=None):
    """(values, indices) of the k smallest entries of each row, smallest first, ties to the
    lower index; with ``offsets``, of ``offsets - block`` (the L2 ranking from the products).

    The compiled kernel when it can run (`chainrule.kernels.k_smallest`), else NumPy:
    the subtraction in place, then `_k_smallest`. Both give the same values and indices. The
    block may be overwritten."""
    parts = _split_rows(lambda rows: kernels.k_smallest(rows, k, offsets), block)
    if parts[0] is not None:
        return (np.concatenate([values for values, _ in parts]),
                np.concatenate([indices for _, indices in parts]))
    if offsets is not None:
        np.subtract(offsets[None, :], block, out=block)
    nearest = _k_smallest_parallel(block, k)
    return np.take_along_axis(block, nearest, axis=1), nearest


def k_nearest(queries, train, k, metric="l2", max_memory=2**28, train_half_sq_norms=None):
    """The k nearest training points of every query, nearest first.

    Parameters
    ----------
    queries : ndarray of shape (n_queries, n_features)
    train : ndarray of shape (n_train, n_features)
        Same floating dtype as ``queries``.
    k : int
        1 <= k <= n_train.
    metric : {"l2", "l1"}
    max_memory : int
        Bound, in bytes, on the working memory of one block of queries (see
        `query_block_rows`). Peak memory is about ``max_memory`` plus the inputs and the
        (n_queries, k) results, whatever the number of queries: 10,000 x 60,000 float32 distances
        (2.4 GB at once) go through in blocks of ``max_memory // (60,000 * 16)`` queries.
        L1 adds a fixed 2 MiB broadcasting buffer.
    train_half_sq_norms : ndarray of shape (n_train,), optional
        ||b||^2 / 2 of each training row (L2 only; `half_squared_norms`), to reuse across
        calls.

    Returns
    -------
    distances : ndarray of shape (n_queries, k)
        Sorted ascending; ties keep the lower training index first.
    indices : ndarray of shape (n_queries, k)
        int64 row indices into ``train``.
    """
    _check_metric(metric)
    n_train = len(train)
    if not 1 <= k <= n_train:
        raise ValueError(f"k must be between 1 and the number of training points ({n_train}), "
                         f"got {k}")
    if metric == "l2" and train_half_sq_norms is None:
        train_half_sq_norms = half_squared_norms(train)
    distances = np.empty((len(queries), k), dtype=queries.dtype)
    indices = np.empty((len(queries), k), dtype=np.int64)
    rows = query_block_rows(n_train, queries.dtype.itemsize, max_memory)
    for start in range(0, len(queries), rows):
        block_queries = queries[start:start + rows]
        if metric == "l2":  # the products a.b; the ranking r = ||b||^2 / 2 - a.b is formed
            block = block_queries @ train.T            # while selecting
            chosen, nearest = _select(block, k, train_half_sq_norms.astype(block.dtype,
                                                                          copy=False))
        else:
            chosen, nearest = _select(_l1_block(block_queries, train), k)
        indices[start:start + rows] = nearest
        if metric == "l2":
            chosen = _l2_from_ranking(chosen, block_queries)
        distances[start:start + rows] = chosen
    return distances, indices
