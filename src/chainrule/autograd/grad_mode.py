"""Switching graph recording off and on (`no_grad`), as in PyTorch."""

from __future__ import annotations

import functools
import threading

_state = threading.local()


def is_grad_enabled() -> bool:
    """Whether operations on tensors that require grad are recorded in the graph."""
    return getattr(_state, "enabled", True)


def set_grad_enabled(enabled: bool) -> None:
    _state.enabled = bool(enabled)


class _GradMode:
    enabled = True

    def __enter__(self):
        self._previous = is_grad_enabled()
        set_grad_enabled(self.enabled)
        return self

    def __exit__(self, *exc_info):
        set_grad_enabled(self._previous)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 - named like torch.no_grad
    """Context manager (or decorator) under which no graph is recorded: evaluation and
    optimizer updates need no backward pass, so they skip the bookkeeping."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801
    """Context manager (or decorator) that turns recording back on inside `no_grad`."""

    enabled = True
