"""Compiled kernels (numba): hot loops that NumPy can only do in several passes over memory.

Each kernel has a NumPy reference in the library that states the mathematics and is used when
numba is missing; the kernels compute the same numbers (tests compare them exactly).

- `adam`: Adam's update in one pass (reference: ``Adam._update``).
- `k_smallest`: the k smallest entries of each row of a distance (or ranking) matrix, for
  k-nearest neighbours, in one scan per row (reference: ``classifiers.distances._k_smallest``).

**Adam.** The NumPy form of the update (``Adam._update``) is the reference: it follows the
docstring's math line by line, and each line is a separate pass over the parameter array:
thirteen passes, about 0.7 ms per step for the 535,818 parameters of a 784-512-256-10 MLP on
this project's 2-core machine, a quarter of a training step. The kernel below does the same
arithmetic element by element in one loop, which LLVM vectorizes (16 float32 lanes with
AVX-512): 0.21 ms for the same update.

**Same numbers, not just close ones.** The kernel performs the reference's operations in the
reference's order and rounding (each operation rounded to the array's dtype, no fused
multiply-add, no reassociation: numba's default, non-``fastmath`` code), with the
hyperparameters converted to the array's dtype exactly as NumPy converts a Python float. Its
results are bit-for-bit those of the NumPy code; ``tests/test_kernels.py`` asserts
equality, not closeness.

**k smallest.** For each query, kNN needs the k nearest of n training points. NumPy's
``argpartition`` moves indices around a copy of the row (0.7 ms per row of 60,000 here); the
kernel scans the row once and keeps the k best in a small sorted list (a new value is compared
with the current k-th best; only the rare winner is inserted), and for L2 it also forms the
ranking r = ||b||^2 / 2 - a.b on the fly instead of in a separate pass. Scanning in index
order with strict comparisons breaks ties by the lower index, as the reference does.

numba is optional (the ``fast`` extra). It is imported the first time a kernel is asked for,
never by ``import chainrule``, and the compiled code is cached on disk. Without numba,
with ``CHAINRULE_FUSED_KERNELS=0`` in the environment, after ``set_enabled(False)``, or for
arrays a kernel does not take (not C-contiguous, mixed or non-float dtypes), the callers run
their NumPy reference. The kernels run on the calling thread and release the GIL, so a caller
can split rows across threads (kNN's does). Adam's update stays on one thread: numba's own
thread pool fought with OpenBLAS's threads over the two cores, and with Python threads a
wake-up (~77 us here) costs more than half of the update saves (``benchmarks/NOTES.md``).
"""

from __future__ import annotations

import os
import threading

import numpy as np

__all__ = ["adam", "available", "enabled", "k_smallest", "set_enabled"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))

_state = {
    "enabled": os.environ.get("CHAINRULE_FUSED_KERNELS", "1").strip() not in ("0", "false", ""),
    "kernels": None,   # None: not tried yet; {}: numba missing; else name -> compiled function
}
_lock = threading.Lock()


def set_enabled(value):
    """Turn the fused kernels on or off for this process (``False``: always the NumPy code)."""
    _state["enabled"] = bool(value)


def enabled():
    """Whether the fused kernels may be used (they also need numba: see `available`)."""
    return _state["enabled"]


def available():
    """Whether numba is installed and the kernels compiled (imports numba on first call)."""
    return bool(_kernels())


def _kernels():
    if _state["kernels"] is None:
        with _lock:
            if _state["kernels"] is None:
                _state["kernels"] = _compile()
    return _state["kernels"]


def _compile():
    """Define the kernels (numba compiles each dtype on first call and caches it on disk)."""
    try:
        import numba
    except ImportError:
        return {}
    # error_model="numpy": a division by zero gives inf/nan as in NumPy, with no Python
    # exception check in the loop, which is what lets LLVM vectorize it.
    options = dict(nogil=True, boundscheck=False, error_model="numpy")
    try:
        return _define(numba.njit(cache=True, **options))
    except RuntimeError:
        # "cannot cache function ...: no locator available": neither the package's folder
        # nor a user cache folder is writable; compile in every process instead
        return _define(numba.njit(cache=False, **options))


def _define(njit):
    """The kernels, compiled with ``njit`` (numba's decorator with the options chosen)."""

    @njit
    def moments(g, m, v, i, beta1, one_minus_beta1, beta2, one_minus_beta2):
        # m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2, at element i
        gi = g[i]
        mi = m[i] * beta1 + gi * one_minus_beta1
        vi = v[i] * beta2 + (gi * gi) * one_minus_beta2
        m[i] = mi
        v[i] = vi
        return mi, vi

    @njit
    def adam(x, g, m, v, coefficients):
        # Adam._update's lines, per element and in the same order:
        #   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
        #   x = x - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
        beta1, one_minus_beta1, beta2, one_minus_beta2 = coefficients[:4]
        sqrt_bias_correction2, eps, step_size = coefficients[4:]
        for i in range(x.shape[0]):
            mi, vi = moments(g, m, v, i, beta1, one_minus_beta1, beta2, one_minus_beta2)
            x[i] = x[i] - (mi / (np.sqrt(vi) / sqrt_bias_correction2 + eps)) * step_size

    @njit
    def adam_amsgrad(x, g, m, v, v_max, coefficients):
        # as `adam`, with v_max = max(v_max, v) (NaN-propagating, as np.maximum) in the
        # denominator
        beta1, one_minus_beta1, beta2, one_minus_beta2 = coefficients[:4]
        sqrt_bias_correction2, eps, step_size = coefficients[4:]
        for i in range(x.shape[0]):
            mi, vi = moments(g, m, v, i, beta1, one_minus_beta1, beta2, one_minus_beta2)
            vm = v_max[i]
            if vi > vm or vi != vi:
                vm = vi
            v_max[i] = vm
            x[i] = x[i] - (mi / (np.sqrt(vm) / sqrt_bias_correction2 + eps)) * step_size

    @njit
    def before(a, b):
        # a sorts before b: smaller, with NaN after everything (as np.argpartition/np.sort)
        return a < b or (b != b and a == a)

    @njit
    def insert(best_values, best_indices, count, k, value, index):
        # put (value, index) into the sorted list of the `count` best (at most k); an equal
        # value already there came from a lower index and stays first
        if count < k:
            position = count
            count += 1
        elif before(value, best_values[k - 1]):
            position = k - 1
        else:
            return count
        while position > 0 and before(value, best_values[position - 1]):
            best_values[position] = best_values[position - 1]
            best_indices[position] = best_indices[position - 1]
            position -= 1
        best_values[position] = value
        best_indices[position] = index
        return count

    @njit
    def k_smallest_rows(block, k, values, indices):
        for r in range(block.shape[0]):
            row, best_values, best_indices = block[r], values[r], indices[r]
            count = 0
            for j in range(row.shape[0]):
                count = insert(best_values, best_indices, count, k, row[j], j)

    @njit
    def k_smallest_offset_rows(block, offsets, k, values, indices):
        # ranks offsets[j] - block[r, j], the value NumPy's np.subtract would give
        for r in range(block.shape[0]):
            row, best_values, best_indices = block[r], values[r], indices[r]
            count = 0
            for j in range(row.shape[0]):
                count = insert(best_values, best_indices, count, k, offsets[j] - row[j], j)

    return {"adam": adam, "adam_amsgrad": adam_amsgrad, "k_smallest": k_smallest_rows,
            "k_smallest_offset": k_smallest_offset_rows}


def _takes(arrays):
    """Whether the kernels can run on these arrays: one float dtype, all C-contiguous."""
    dtype = arrays[0].dtype
    if dtype not in _FLOATS:
        return False
    for array in arrays:
        if array.dtype != dtype or not array.flags.c_contiguous:
            return False
    return True


def adam(x, g, m, v, v_max, *, beta1, beta2, eps, sqrt_bias_correction2, step_size):
    """One fused Adam step, in place on x, m, v (and v_max); False if the kernel can't run.

    Parameters
    ----------
    x, g, m, v : ndarray
        Parameter, gradient (never modified), first and second moments; one shape and dtype.
    v_max : ndarray or None
        The AMSGrad maximum of v, or None for plain Adam.
    beta1, beta2, eps : float
    sqrt_bias_correction2 : float
        sqrt(1 - beta2^t) (1 without bias correction).
    step_size : float
        lr / (1 - beta1^t) (lr without bias correction).

    Returns
    -------
    bool
        True if the step was done here, False if the caller must use the NumPy reference.
    """
    if not _state["enabled"]:
        return False
    arrays = (x, g, m, v) if v_max is None else (x, g, m, v, v_max)
    if not _takes(arrays):
        return False
    kernels = _kernels()
    if not kernels:
        return False
    # rounded to the arrays' dtype, as NumPy rounds a Python float that meets such an array
    coefficients = np.array((beta1, 1 - beta1, beta2, 1 - beta2, sqrt_bias_correction2, eps,
                             step_size), dtype=x.dtype)
    if x.ndim != 1:
        arrays = [a.reshape(-1) for a in arrays]  # views: the arrays are C-contiguous
    if v_max is None:
        kernels["adam"](*arrays, coefficients)
    else:
        kernels["adam_amsgrad"](*arrays, coefficients)
    return True


def k_smallest(block, k, offsets=None):
    """The k smallest entries of each row, smallest first, ties broken by the lower index.

    Parameters
    ----------
    block : ndarray of shape (n_rows, n)
        float32 or float64, C-contiguous.
    k : int
        1 <= k <= n.
    offsets : ndarray of shape (n,), optional
        Rank ``offsets - block[row]`` instead of ``block[row]`` (the L2 ranking
        r = ||b||^2 / 2 - a.b from the product a.b), computed in the block's dtype.

    Returns
    -------
    (values, indices) : ndarrays of shape (n_rows, k), or None
        The ranked values and their column indices; None when the kernel can't run here (no
        numba, disabled, or other arrays), and the caller uses its NumPy code.
    """
    if not _state["enabled"] or block.ndim != 2 or not 1 <= k <= block.shape[1]:
        return None
    if not _takes((block,) if offsets is None else (block, offsets)):
        return None
    kernels = _kernels()
    if not kernels:
        return None
    values = np.empty((block.shape[0], k), dtype=block.dtype)
    indices = np.empty((block.shape[0], k), dtype=np.int64)
    if offsets is None:
        kernels["k_smallest"](block, k, values, indices)
    else:
        kernels["k_smallest_offset"](block, offsets, k, values, indices)
    return values, indices
