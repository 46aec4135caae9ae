"""Draw the computational graph as Graphviz DOT text: the course's picture of backprop, with each
value and, once ``backward()`` has run, each gradient."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import numpy as np

from .tensor import Tensor


def _describe(array):
    if array is None:
        return "?"
    array = np.asarray(array)
    if array.size == 1:
        return f"{array.item():.4g}"
    return "shape " + "x".join(str(n) for n in array.shape)


def _escape(text):
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("{", "\\{") \
        .replace("}", "\\}").replace("|", "\\|").replace("<", "\\<").replace(">", "\\>")


def to_dot(root, name="graph"):
    """The graph that produced ``root`` as DOT text.

    Tensors are boxes showing ``name | value (or shape) | grad``; operations are ellipses named
    after their Function class. Call ``retain_grad()`` on intermediate tensors before
    ``backward()`` to see their gradients too (leaves keep theirs anyway).
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"to_dot expects a Tensor, got {type(root).__name__}")
    lines = [f'digraph "{_escape(name)}" {{', "  rankdir=LR;",
             '  node [fontname="Helvetica", fontsize=11];']
    seen_tensors = {}
    seen_nodes = set()

    def tensor_id(t):
        if id(t) not in seen_tensors:
            key = f"t{len(seen_tensors)}"
            seen_tensors[id(t)] = key
            label = t.name or ("" if t.is_leaf else "")
            parts = [_escape(label)] if label else []
            parts.append("value " + _escape(_describe(t.data)))
            parts.append("grad " + _escape(_describe(t.grad)))
            color = "lightblue" if t.is_leaf and t.requires_grad else "white"
            lines.append(f'  {key} [shape=record, style=filled, fillcolor={color}, '
                         f'label="{{{" | ".join(parts)}}}"];')
        return seen_tensors[id(t)]

    stack = [root]
    while stack:
        t = stack.pop()
        out_key = tensor_id(t)
        node = t._ctx
        if node is None or id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        node_key = f"op{len(seen_nodes)}"
        lines.append(f'  {node_key} [shape=ellipse, label="{_escape(node.name)}"];')
        lines.append(f"  {node_key} -> {out_key};")
        for value in node.inputs:
            if isinstance(value, Tensor):
                lines.append(f"  {tensor_id(value)} -> {node_key};")
                stack.append(value)
            else:
                const_key = f"c{len(lines)}"
                lines.append(f'  {const_key} [shape=plaintext, label="{_escape(_describe(value))}"];')
                lines.append(f"  {const_key} -> {node_key};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_dot(dot_text, path, fmt=None):
    """Render DOT text to a file (SVG, PNG, ...) with Graphviz's ``dot`` program.

    Raises
    ------
    FileNotFoundError
        When Graphviz is not installed (``apt-get install graphviz``).
    """
    executable = shutil.which("dot")
    if executable is None:
        raise FileNotFoundError("Graphviz's `dot` program is not installed "
                                "(install it with `apt-get install graphviz`)")
    fmt = fmt or os.path.splitext(str(path))[1].lstrip(".") or "svg"
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
    os.close(handle)
    try:
        subprocess.run([executable, f"-T{fmt}", "-o", temporary], input=dot_text.encode(),
                       check=True, capture_output=True)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path
