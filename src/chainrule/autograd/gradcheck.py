"""The gradient check: compare analytic gradients (backprop) with numerical ones (centred
finite differences). Always in float64: in float32 the rounding error of f(x +- h) swamps the
difference being measured."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .grad_mode import no_grad
from .tensor import Tensor


def numerical_gradient(f, x, h=1e-5, order=2):
    """Centred differences: df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h), for every i.

    With ``order=4`` the five-point stencil
    (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12h) is used instead: its error is
    O(h^4), so a larger h (1e-3) keeps rounding small too, about 100x more accurate overall.

    Parameters
    ----------
    f : callable
        Takes no argument (it reads ``x``, which is modified in place and restored) or takes
        ``x``; returns a scalar.
    x : ndarray
        The point; float64 recommended.
    h : float
        Step. The error is O(h^2) from truncation plus O(eps |f| / h) from rounding; 1e-5 balances
        them in float64.
    order : {2, 4}
        Accuracy order of the centred stencil.

    Returns
    -------
    ndarray of the shape of x
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"numerical_gradient needs an ndarray x, got {type(x).__name__}")
    try:
        import inspect

        takes_x = len(inspect.signature(f).parameters) > 0
    except (TypeError, ValueError):
        takes_x = True

    def evaluate():
        value = f(x) if takes_x else f()
        return float(np.asarray(value.data if isinstance(value, Tensor) else value))

    grad = np.zeros(x.shape, dtype=np.float64)
    flat_x = x.reshape(-1)  # a view when x is contiguous
    if not np.shares_memory(flat_x, x):
        raise ValueError("numerical_gradient needs a contiguous array x")
    flat_grad = grad.reshape(-1)
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, got {order}")

    def at(i, value):
        flat_x[i] = value
        return evaluate()

    for i in range(flat_x.size):
        old = flat_x[i]
        if order == 2:
            flat_grad[i] = (at(i, old + h) - at(i, old - h)) / (2 * h)
        else:
            # differences first: an f that does not depend on x_i gives exactly 0
            near = at(i, old + h) - at(i, old - h)
            far = at(i, old + 2 * h) - at(i, old - 2 * h)
            flat_grad[i] = (8 * near - far) / (12 * h)
        flat_x[i] = old
    return grad


def rel_error(a, b):
    """max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|): the course's relative error (cs231n)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when an analytic gradient disagrees with the numerical one."""


@dataclass
class GradcheckReport:
    """Result of `gradcheck`: the max relative error of each input's gradient."""

    errors: dict = field(default_factory=dict)
    tolerance: float = 1e-7

    @property
    def max_error(self):
        return max(self.errors.values(), default=0.0)

    @property
    def passed(self):
        return self.max_error <= self.tolerance

    def __str__(self):
        parts = ", ".join(f"{name}: {error:.2e}" for name, error in self.errors.items())
        return f"gradcheck {'passed' if self.passed else 'FAILED'} ({parts}; tolerance {self.tolerance:.0e})"


def gradcheck(fn, inputs, h=1e-3, order=4, tolerance=1e-7, raise_exception=True, seed=0,
              names=None):
    """Check the backward pass of ``fn`` on ``inputs`` against centred differences.

    A non-scalar output y is reduced to the scalar sum(y * r) with a fixed random r, so every
    entry of the Jacobian contributes.

    Parameters
    ----------
    fn : callable
        ``fn(*tensors) -> Tensor``.
    inputs : sequence of Tensor or ndarray
        Inputs that require grad are checked; arrays are turned into float64 tensors that do.
    h, order : float, int
        Finite-difference step and stencil order (see `numerical_gradient`). The default
        five-point stencil measures gradients to about 1e-12 absolute in float64, so entries
        down to ~1e-5 are checked to 1e-7 relative; inputs must be at least 2h away from kinks
        (ReLU at 0, |x| at 0, hinge margins at 0).
    tolerance : float
        The largest acceptable `rel_error`.
    raise_exception : bool
        Raise `GradcheckError` when the check fails (otherwise just return the report).
    names : sequence of str, optional
        Names for the inputs in the report (default ``input0``, ``input1``, ...).

    Returns
    -------
    GradcheckReport
    """
    tensors = []
    for value in inputs:
        if isinstance(value, Tensor):
            tensors.append(value)
        else:
            tensors.append(Tensor(np.array(value, dtype=np.float64), requires_grad=True))
    for t in tensors:
        if t.requires_grad and t.dtype != np.float64:
            raise TypeError(f"gradcheck needs float64 inputs (float32 rounding swamps the "
                            f"finite differences), got {t.dtype}")
    names = list(names) if names is not None else [f"input{i}" for i in range(len(tensors))]

    with no_grad():
        probe = fn(*tensors)
    projection = np.random.default_rng(seed).standard_normal(probe.shape)

    def scalar_output():
        out = fn(*tensors)
        return out if out.data.size == 1 and probe.ndim == 0 else (out * projection).sum()

    for t in tensors:
        t.grad = None
    scalar_output().backward()
    report = GradcheckReport(tolerance=tolerance)
    for name, t in zip(names, tensors):
        if not t.requires_grad:
            continue
        analytic = t.grad if t.grad is not None else np.zeros_like(t.data)
        with no_grad():
            numeric = numerical_gradient(lambda: scalar_output().data, t.data, h=h, order=order)
        report.errors[name] = rel_error(analytic, numeric)
    if raise_exception and not report.passed:
        raise GradcheckError(str(report))
    return report
