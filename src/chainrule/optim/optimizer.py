"""`Optimizer`: the base class of every update rule, with PyTorch's bookkeeping.

An optimizer holds ``param_groups`` (a list of dicts: the parameters and their hyperparameters,
so two groups can have two learning rates) and ``state`` (per parameter: momentum buffers,
moment estimates, step counts). ``step()`` reads each parameter's ``.grad`` and updates
``.data`` in place; parameters whose ``.grad`` is None are skipped.

    >>> import numpy as np
    >>> from chainrule.nn import Parameter
    >>> from chainrule.optim import SGD
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> optimizer = SGD([w], lr=0.1)
    >>> loss = (w * w).sum()         # L = ||w||^2, dL/dw = 2 w
    >>> loss.backward()
    >>> optimizer.step()             # w <- w - 0.1 * 2 w = 0.8 w
    >>> w.data
    array([ 0.8, -1.6])
"""

from __future__ import annotations

import math
import numbers
from collections import defaultdict

import numpy as np

from ..autograd import Tensor, enable_grad


class _Required:
    """Marker for a hyperparameter without a default (``lr`` of SGD, as in PyTorch)."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()


# ---------------------------------------------------------------------- argument checks
def check_number(where, name, value, low=0.0, high=None, high_inclusive=False):
    """Return ``value`` as a float after checking ``low <= value`` (and ``< high``).

    NaN fails every comparison, so it is rejected too. Raises TypeError for non-numbers and
    ValueError naming ``where`` and ``name`` otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a real number, got {type(value).__name__} "
                        f"{value!r}")
    value = float(value)
    above = value >= low if low is not None else not math.isnan(value)
    below = True if high is None else (value <= high if high_inclusive else value < high)
    if not (above and below):
        if high is None:
            expected = f">= {low}"
        else:
            expected = f"in [{low}, {high}{']' if high_inclusive else ')'}"
        raise ValueError(f"{where}: {name} must be {expected}, got {value!r}")
    return value


def check_betas(where, betas):
    """(beta1, beta2), each in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
    return (check_number(where, "betas[0] (beta1)", betas[0], 0.0, 1.0),
            check_number(where, "betas[1] (beta2)", betas[1], 0.0, 1.0))


def _plain(value):
    """A JSON-friendly copy of a hyperparameter (tuples stay tuples: they are plain Python)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


class Optimizer:
    """Base class of the optimizers, with PyTorch's interface.

    Parameters
    ----------
    params : iterable of Tensor, of (name, Tensor) pairs, or of dicts
        The parameters to optimize (``model.parameters()``), or parameter groups: dicts with a
        ``"params"`` entry and any hyperparameters that override ``defaults`` for that group.
    defaults : dict
        Default hyperparameters of every group (``lr``, ``momentum``, ...).

    Attributes
    ----------
    param_groups : list of dict
        Each group's ``"params"`` (list of Tensor) and hyperparameters. Schedulers change
        ``group["lr"]``.
    state : dict
        Parameter -> dict of its optimizer state (arrays of the parameter's shape and dtype,
        step counts); filled on the first ``step()``.

    Subclasses implement ``_update(param, grad, state, group)``: one parameter's update, in
    place on ``param`` (the parameter's ndarray), reading ``grad`` (never modifying it).
    """

    #: whether ``step`` needs a closure that re-evaluates the loss (L-BFGS, random search)
    requires_closure = False
    #: whether that closure must also compute the gradient (``backward()``)
    closure_uses_gradient = True

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        self._scratch = {}
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors or "
                            "dicts (e.g. model.parameters()), got a single Tensor; wrap it "
                            "in a list")
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{type(self).__name__}: parameters must be in an ordered "
                            "collection (a list), not a set: a set's order changes between runs")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``"params"`` and optional hyperparameters).

        Useful to unfreeze layers while training. Hyperparameters not given take the
        optimizer's defaults. A parameter may belong to one group only.
        """
        where = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{where}.add_param_group: expected a dict, got "
                            f"{type(param_group).__name__}")
        group = dict(param_group)
        if "params" not in group:
            raise ValueError(f"{where}.add_param_group: the dict needs a 'params' entry")
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{where}: parameters must be in an ordered collection (a list), "
                            "not a set: a set's order changes between runs")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        if names:
            if len(names) != len(params):
                raise ValueError(f"{where}: give every parameter a name or none of them")
            params = [p[1] for p in params]
            group["param_names"] = names
        for index, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(f"{where}: can only optimize Tensors, but parameter {index} "
                                f"is a {type(param).__name__}")
            if param.data.dtype.kind != "f":
                raise TypeError(f"{where}: parameter {index} must be floating point, got "
                                f"dtype {param.data.dtype}")
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{where}: a parameter group contains the same parameter twice")
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in params):
            raise ValueError(f"{where}: some parameters appear in more than one group")
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"{where}: parameter group did not give the required "
                                 f"hyperparameter {name!r}")
            group.setdefault(name, default)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group):
        """Validate a group's hyperparameters (subclasses check their own)."""
        check_number(type(self).__name__, "lr", group["lr"])

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none=True):
        """Clear the gradients of every parameter (to None by default, as in PyTorch)."""
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model: zeroes the gradients, computes the loss, calls
            ``backward()`` and returns the loss. Needed by L-BFGS and random search.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                if grad.shape != param.data.shape:
                    raise ValueError(f"{type(self).__name__}: gradient of shape {grad.shape} "
                                     f"for a parameter of shape {param.data.shape}")
                self._update(param.data, grad, self.state[param], group)
        return loss

    def _update(self, param, grad, state, group):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must define _update()")

    def _gradient(self, x, grad, group, weight_decay, work=None):
        """g = +-grad + lambda x (``maximize`` flips the sign; lambda is the L2 weight decay),
        written to a scratch buffer (slot 1) when it differs from ``grad``, which is never
        modified; ``work``, if given, holds the temporary lambda x."""
        if not group["maximize"] and weight_decay == 0:
            return grad
        g = self._buffer(x, 1)
        if group["maximize"]:
            np.negative(grad, out=g)
        else:
            g[...] = grad
        if weight_decay != 0:
            g += (weight_decay * x if work is None
                  else np.multiply(x, weight_decay, out=work))   # g = g + lambda x
        return g

    def _buffer(self, param, slot=0):
        """A scratch array shaped like ``param`` (reused across steps, never saved): the
        temporaries of an update are written here with ``out=`` instead of allocated."""
        key = (id(param), slot)
        buffer = self._scratch.get(key)
        if buffer is None or buffer.shape != param.shape or buffer.dtype != param.dtype:
            if len(self._scratch) > 4 * len(self._indexed_params()) + 8:
                self._scratch.clear()  # parameters got new arrays (model.to(...)): drop stale
            buffer = np.empty_like(param)
            self._scratch[key] = buffer
        return buffer

    # ------------------------------------------------------------------ saving and resuming
    def _indexed_params(self):
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self):
        """The optimizer's state as plain Python and NumPy values (copies).

        Returns
        -------
        dict
            ``{"state": {index: {name: ndarray or number}}, "param_groups": [{hyperparameter:
            value, ..., "params": [index, ...]}]}``, where index numbers the parameters in
            group order, as in PyTorch. Arrays can go to safetensors and the rest to JSON.
        """
        index_of = {}
        groups = []
        for group in self.param_groups:
            packed = {key: _plain(value) for key, value in group.items() if key != "params"}
            if "param_names" in packed:
                packed["param_names"] = list(packed["param_names"])
            indices = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                indices.append(index_of[id(param)])
            packed["params"] = indices
            groups.append(packed)
        state = {}
        for param in self._indexed_params():
            if param in self.state and self.state[param]:
                state[index_of[id(param)]] = {key: _plain(value)
                                              for key, value in self.state[param].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore a state saved by ``state_dict()`` (from this or an identical optimizer).

        Arrays are copied and cast to each parameter's dtype (step counts stay numbers).

        Raises
        ------
        ValueError
            When the number of groups, the number of parameters in a group, or an array's
            shape does not match this optimizer.
        KeyError
            When "state" or "param_groups" is missing.
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict):
            raise TypeError(f"{where}: expected a dict, got {type(state_dict).__name__}")
        missing = [key for key in ("state", "param_groups") if key not in state_dict]
        if missing:
            raise KeyError(f"{where}: the state dict lacks {missing}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{where}: the saved state has {len(saved_groups)} parameter "
                             f"groups, this optimizer has {len(self.param_groups)}")
        for number, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{where}: parameter group {number} has "
                                 f"{len(group['params'])} parameters here but "
                                 f"{len(saved['params'])} in the saved state")
        param_of = {}
        for group, saved in zip(self.param_groups, saved_groups):
            param_of.update(zip((int(i) for i in saved["params"]), group["params"]))
        new_state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            index = int(key)
            if index not in param_of:
                raise ValueError(f"{where}: the saved state has an entry for parameter "
                                 f"{index}, which no group lists")
            param = param_of[index]
            new_state[param] = {name: self._restore(where, index, name, value, param)
                                for name, value in values.items()}
        for group, saved in zip(self.param_groups, saved_groups):
            for key, value in saved.items():
                if key == "params":
                    continue
                if isinstance(group.get(key), tuple) and isinstance(value, list):
                    value = tuple(value)  # betas after a JSON round trip
                group[key] = _plain(value)
        self.state = new_state
        self._scratch = {}

    @staticmethod
    def _restore(where, index, name, value, param):
        if isinstance(value, Tensor):
            value = value.data
        if isinstance(value, np.ndarray) and value.ndim > 0:
            if value.shape != param.data.shape:
                raise ValueError(f"{where}: state {name!r} of parameter {index} has shape "
                                 f"{value.shape}, but the parameter has shape "
                                 f"{param.data.shape}")
            return value.astype(param.data.dtype, copy=True)
        if isinstance(value, (np.ndarray, np.generic)):
            return value.item()
        return value

    # ------------------------------------------------------------------ printing
    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)
