"""Turning SIGINT/SIGTERM into a clean stop: the handler only records the signal; the training
loop looks at the flag after each step (a safe point) and stops there."""

from __future__ import annotations

import signal
import threading

__all__ = ["InterruptFlag"]

SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None))
                if s is not None)


class InterruptFlag:
    """Context manager: while active (in the main thread only; Python delivers signals there),
    SIGINT and SIGTERM set ``signal_number`` instead of killing the process; on exit the
    previous handlers are put back.

    >>> with InterruptFlag() as flag:
    ...     pass  # a loop that checks flag.signal_number
    """

    def __init__(self):
        self.signal_number = None
        self._previous = {}

    def _handler(self, signal_number, frame):
        self.signal_number = signal_number

    def __enter__(self):
        self.signal_number = None
        if threading.current_thread() is threading.main_thread():
            for number in SIGNALS:
                self._previous[number] = signal.signal(number, self._handler)
        return self

    def __exit__(self, *exc_info):
        for number, previous in self._previous.items():
            # None: the previous handler was not installed from Python; the default is closest
            signal.signal(number, signal.SIG_DFL if previous is None else previous)
        self._previous = {}
        return False
