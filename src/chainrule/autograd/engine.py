"""Backpropagation: walk the graph once, in reverse topological order, applying the chain rule.

Every node receives the sum of the gradients of all the paths from the output to it before it
runs its own ``backward`` (that is why the order matters: with plain recursion, a node used
twice, as in ``b = a + a``, would pass on a partial gradient). The walk is iterative, so a
chain of any length works without hitting Python's recursion limit.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor

FREED_MESSAGE = (
    "trying to backward through the graph a second time (or directly access saved values after "
    "they have been freed); the first backward() freed them: pass retain_graph=True to it if you "
    "need to backpropagate twice"
)


def sum_to_shape(grad, shape):
    """Undo NumPy broadcasting: sum ``grad`` over the axes that broadcasting added or stretched."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def topological_order(root_node):
    """Nodes reachable from ``root_node``, each after every node that consumes its output."""
    post_order = []
    visited = set()
    stack = [(root_node, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            post_order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for value in node.inputs:
            if isinstance(value, Tensor) and value._ctx is not None and id(value._ctx) not in visited:
                stack.append((value._ctx, False))
    post_order.reverse()
    return post_order


def _accumulate_into(tensor, grad, in_use):
    """``tensor.grad += grad``; the first gradient is stored as-is unless the engine might still
    use that memory elsewhere (then it is copied, so later ``+=`` cannot corrupt it)."""
    if grad.dtype != tensor.data.dtype:
        grad = grad.astype(tensor.data.dtype)
    if tensor.grad is None:
        if id(grad) in in_use or not grad.flags.owndata or not grad.flags.writeable:
            grad = np.array(grad)
        in_use.add(id(grad))
        tensor.grad = grad
    else:
        tensor.grad += grad


def backward(root, grad=None, retain_graph=False):
    """Accumulate d(root)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

    Parameters
    ----------
    root : Tensor
        Usually the scalar loss.
    grad : array_like, optional
        dL/d(root), the upstream gradient; defaults to 1 for a scalar root.
    retain_graph : bool
        Keep the values saved for backward so the graph can be walked again.
    """
    if not root.requires_grad:
        raise RuntimeError("backward() called on a tensor that does not require grad "
                           "(no input of its computation has requires_grad=True, or it was "
                           "computed under no_grad())")
    if grad is None:
        if root.data.size != 1:
            raise ValueError("backward() without a gradient needs a scalar output; got shape "
                             f"{root.shape}: pass grad= of that shape")
        grad = np.ones_like(root.data)
    else:
        grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=root.data.dtype)
        if grad.shape != root.shape:
            raise ValueError(f"backward(grad=...) has shape {grad.shape}, "
                             f"expected the output's shape {root.shape}")
    in_use = set()
    if root._ctx is None or root._retains_grad:
        _accumulate_into(root, grad, in_use)
    if root._ctx is None:
        return

    pending = {id(root._ctx): grad}  # gradient flowing into each node's output
    in_use.add(id(grad))
    for node in topological_order(root._ctx):
        grad_out = pending.pop(id(node), None)
        if grad_out is None:
            continue
        if node.freed:
            raise RuntimeError(FREED_MESSAGE)
        input_grads = node.backward(node, grad_out)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if len(input_grads) != len(node.inputs):
            raise RuntimeError(f"{node.name}.backward returned {len(input_grads)} gradients "
                               f"for {len(node.inputs)} inputs")
        if not retain_graph:
            node.saved = ()
            node.freed = True
        for value, needs, input_grad in zip(node.inputs, node.needs_input_grad, input_grads):
            if not needs or input_grad is None:
                continue
            input_grad = np.asarray(input_grad)
            if input_grad.shape != value.data.shape:
                input_grad = sum_to_shape(input_grad, value.data.shape)
                if input_grad.shape != value.data.shape:
                    raise RuntimeError(f"{node.name}.backward returned a gradient of shape "
                                       f"{input_grad.shape} for an input of shape {value.shape}")
            if value._ctx is None:
                _accumulate_into(value, input_grad, in_use)
                continue
            key = id(value._ctx)
            previous = pending.get(key)
            # a fresh array for the sum: `previous` may be shared with another input's gradient
            pending[key] = input_grad if previous is None else previous + input_grad
            in_use.add(id(pending[key]))
            in_use.add(id(input_grad))
            if value._retains_grad:
                _accumulate_into(value, input_grad, in_use)
