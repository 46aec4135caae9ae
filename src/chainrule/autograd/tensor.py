"""`Tensor`: a NumPy array that remembers how it was computed, so gradients can flow back."""

from __future__ import annotations

import numbers

import numpy as np


def _as_array(data, dtype=None, copy=False):
    """Convert user data to an ndarray; strings and objects are a TypeError, not a surprise."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, (str, bytes)):
        raise TypeError(f"expected numbers or an array, got {type(data).__name__} {data!r}")
    try:
        array = np.array(data, dtype=dtype, copy=copy) if copy else np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"cannot make a tensor from {type(data).__name__}: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"expected a numeric array, got dtype {array.dtype}")
    if dtype is None and (array.dtype.kind in "biu" or not isinstance(data, (np.ndarray, np.generic))):
        # like torch.tensor: Python numbers and lists give float32; arrays keep float dtypes
        array = array.astype(np.float32)
    return array


class Tensor:
    """An n-dimensional array node of the computational graph.

    Parameters
    ----------
    data : array_like
        The values. Integer and boolean data become float32; float data keeps its dtype.
    requires_grad : bool
        Whether ``backward()`` should compute ``dL/d(this)`` into ``.grad``.
    dtype : numpy dtype, optional
        Cast the data to this dtype.

    Attributes
    ----------
    data : ndarray
    grad : ndarray or None
        Accumulated gradient (same shape as ``data``); only leaves, and tensors that called
        ``retain_grad()``, keep one. ``zero_grad()`` on a module or optimizer clears it.
    requires_grad : bool
    creator : Function or None
        The node that produced this tensor (None for leaves).
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_retains_grad", "name", "__weakref__")
    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__
    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        self.data = _as_array(data, dtype=dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._retains_grad = False
        self.name = name
        if self.requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating point tensors can require grad, got {self.data.dtype}")

    @classmethod
    def _from_array(cls, array, requires_grad=False):
        """Wrap an ndarray without copying or checking (the fast path used by Function.apply)."""
        tensor = cls.__new__(cls)
        tensor.data = array
        tensor.grad = None
        tensor.requires_grad = requires_grad
        tensor._ctx = None
        tensor._retains_grad = False
        tensor.name = None
        return tensor

    # ------------------------------------------------------------------ introspection
    @property
    def creator(self):
        return self._ctx

    @property
    def is_leaf(self):
        return self._ctx is None

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def __len__(self):
        return len(self.data)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def numpy(self):
        """The underlying array (shared, not copied)."""
        return self.data

    def detach(self):
        """A new leaf tensor sharing the data, cut from the graph."""
        return Tensor._from_array(self.data)

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward (to inspect or draw it)."""
        self._retains_grad = True
        return self

    def astype(self, dtype):
        return ops.Cast.apply(self, dtype=np.dtype(dtype))

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20,
                               prefix="tensor(")
        extras = []
        if self.data.dtype != np.float32:
            extras.append(f"dtype={self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError("the truth value of a tensor with more than one element is ambiguous")
        return bool(self.data)

    def __hash__(self):
        return id(self)

    # ------------------------------------------------------------------ backpropagation
    def backward(self, grad=None, retain_graph=False):
        """Backpropagate from this tensor: accumulate dL/dx into ``.grad`` of every leaf x
        that requires grad. ``grad`` defaults to 1 for a scalar."""
        from .engine import backward

        backward(self, grad, retain_graph=retain_graph)

    # ------------------------------------------------------------------ arithmetic
    def _wrap(self, other):
        if isinstance(other, Tensor):
            return other
        if isinstance(other, numbers.Number):
            return np.asarray(other, dtype=self.data.dtype)
        return _as_array(other)

    def __add__(self, other):
        return ops.Add.apply(self, self._wrap(other))

    def __radd__(self, other):
        return ops.Add.apply(self._wrap(other), self)

    def __sub__(self, other):
        return ops.Sub.apply(self, self._wrap(other))

    def __rsub__(self, other):
        return ops.Sub.apply(self._wrap(other), self)

    def __mul__(self, other):
        return ops.Mul.apply(self, self._wrap(other))

    def __rmul__(self, other):
        return ops.Mul.apply(self._wrap(other), self)

    def __truediv__(self, other):
        return ops.Div.apply(self, self._wrap(other))

    def __rtruediv__(self, other):
        return ops.Div.apply(self._wrap(other), self)

    def __matmul__(self, other):
        return ops.MatMul.apply(self, self._wrap(other))

    def __rmatmul__(self, other):
        return ops.MatMul.apply(self._wrap(other), self)

    def __pow__(self, exponent):
        if isinstance(exponent, numbers.Number):
            return ops.PowConst.apply(self, exponent=exponent)
        return ops.Pow.apply(self, self._wrap(exponent))

    def __rpow__(self, base):
        return ops.Pow.apply(self._wrap(base), self)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __pos__(self):
        return self

    # comparisons give plain boolean arrays: they have no gradient
    def __lt__(self, other):
        return self.data < getattr(other, "data", other)

    def __le__(self, other):
        return self.data <= getattr(other, "data", other)

    def __gt__(self, other):
        return self.data > getattr(other, "data", other)

    def __ge__(self, other):
        return self.data >= getattr(other, "data", other)

    # ------------------------------------------------------------------ reductions and maps
    def sum(self, axis=None, keepdims=False):
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return ops.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def exp(self):
        return ops.Exp.apply(self)

    def log(self):
        return ops.Log.apply(self)

    def abs(self):
        return ops.Abs.apply(self)

    def sqrt(self):
        return ops.PowConst.apply(self, exponent=0.5)

    # ------------------------------------------------------------------ shapes
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.Reshape.apply(self, shape=shape)

    def flatten(self, start_dim=1):
        """Keep the first ``start_dim`` axes and flatten the rest (images -> rows)."""
        return self.reshape(*self.shape[:start_dim], -1)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return ops.Transpose.apply(self, axes=axes or None)

    @property
    def T(self):  # noqa: N802 - NumPy's name
        return ops.Transpose.apply(self, axes=None)

    def __getitem__(self, index):
        if isinstance(index, Tensor):
            index = index.data
        elif isinstance(index, tuple):
            index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
        return ops.GetItem.apply(self, index=index)


def tensor(data, requires_grad=False, dtype=None):
    """Create a tensor (a new leaf of the graph) from array-like ``data``.

    Floats keep their precision unless ``dtype`` is given; Python floats give float64 and
    integer data becomes float32 (labels stay plain NumPy integer arrays in chainrule).
    """
    if isinstance(data, Tensor):
        data = data.data
    return Tensor(np.array(_as_array(data, dtype=dtype)), requires_grad=requires_grad)


from . import ops  # noqa: E402  (ops builds on Tensor and Function)
