"""Callbacks: code that runs inside ``Trainer.fit`` at fixed points, to watch or to stop it.

Subclass :class:`Callback` and override the hooks you need (the trainer calls only the
overridden ``on_step_end``, so an unused hook costs nothing in the inner loop). A hook stops
training by returning True or by setting ``trainer.stop_training = True``: at ``on_epoch_end``
training stops after that epoch (checkpointed); at ``on_step_end`` it stops after that step,
and the unfinished epoch is not recorded.

    >>> class StopAtAccuracy(Callback):
    ...     def __init__(self, target):
    ...         self.target = target
    ...     def on_epoch_end(self, trainer, record):
    ...         return record["train_accuracy"] >= self.target
"""

from __future__ import annotations

__all__ = ["Callback", "LambdaCallback"]


class Callback:
    """Base class: every hook does nothing. ``trainer`` exposes ``model``, ``optimizer``,
    ``history``, ``epoch`` (completed epochs), ``step`` (optimizer steps done) and
    ``stop_training``."""

    def on_fit_start(self, trainer):
        """Before the first epoch (also when resuming)."""

    def on_epoch_start(self, trainer, epoch):
        """Before epoch ``epoch`` (1-based)."""

    def on_step_end(self, trainer, step, loss):
        """After optimizer step ``step`` (1-based, counted over the whole run) with the
        iteration's total ``loss`` (float)."""

    def on_epoch_end(self, trainer, record):
        """After an epoch, with its history row ``record`` (already in ``trainer.history``)."""

    def on_fit_end(self, trainer):
        """After training ends normally (after the best weights are restored)."""


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda trainer, record: ...)``."""

    _HOOKS = ("on_fit_start", "on_epoch_start", "on_step_end", "on_epoch_end", "on_fit_end")

    def __init__(self, **hooks):
        for name, function in hooks.items():
            if name not in self._HOOKS:
                raise ValueError(f"LambdaCallback: unknown hook {name!r}; expected one of "
                                 f"{self._HOOKS}")
            if not callable(function):
                raise TypeError(f"LambdaCallback: {name} must be callable, got "
                                f"{type(function).__name__}")
            setattr(self, name, function)
