"""The two ways a training run ends early on its own: it is interrupted, or it diverges."""

from __future__ import annotations

import signal

__all__ = ["TrainingDiverged", "TrainingInterrupted"]


class TrainingInterrupted(Exception):
    """SIGINT (Ctrl-C) or SIGTERM arrived during ``Trainer.fit``; training stopped at a safe
    point, after the step in progress, with the checkpoint on disk.

    Attributes
    ----------
    signal_number : int
    epoch : int
        1-based number of the epoch that was running.
    iteration : int
        Iterations of that epoch done when training stopped.
    checkpoint_path : Path or None
        The checkpoint to resume from (None when the trainer had no ``checkpoint_dir``).
    resume_epoch : int
        The epoch (1-based) a resumed run starts with: the interrupted epoch itself, restarted
        from its beginning, unless it had just finished.
    """

    def __init__(self, signal_number, epoch, iteration, checkpoint_path, resume_epoch):
        self.signal_number = signal_number
        self.epoch, self.iteration = epoch, iteration
        self.checkpoint_path = checkpoint_path
        self.resume_epoch = resume_epoch
        try:
            name = signal.Signals(signal_number).name
        except ValueError:
            name = f"signal {signal_number}"
        where = f"training interrupted by {name} in epoch {epoch} after {iteration} iterations"
        if checkpoint_path is None:
            message = f"{where}; no checkpoint_dir was given, so it cannot be resumed"
        else:
            message = (f"{where}; checkpoint saved in {checkpoint_path}: resume with "
                       f"resume=True (chainrule train ... --resume), which starts at epoch "
                       f"{resume_epoch}")
        super().__init__(message)


class TrainingDiverged(ValueError):
    """The loss became NaN or inf: the step size is too large (or the data is not scaled).

    Attributes
    ----------
    epoch, iteration, step : int
        1-based epoch, 1-based iteration within it, and 1-based optimizer step overall.
    loss : float
        The non-finite loss (NaN when the cause is not the loss itself).
    cause : {"loss", "weights", "validation"}
        What was found non-finite: the step's loss, the weights after the epoch's last update,
        or the validation scores after the epoch.
    lr : float
    checkpoint_path : Path or None
        The last good checkpoint (left untouched).
    """

    CAUSES = {"loss": "the loss is {loss}",
              "weights": "its update made the weights NaN or inf",
              "validation": "the weights it left give NaN or inf scores on the validation set"}

    def __init__(self, epoch, iteration, step, loss, lr, checkpoint_path=None, cause="loss"):
        self.epoch, self.iteration, self.step = epoch, iteration, step
        self.loss, self.lr = loss, lr
        self.checkpoint_path = checkpoint_path
        self.cause = cause
        what = self.CAUSES[cause].format(loss=loss)
        message = (f"training diverged in epoch {epoch}, iteration {iteration} (step {step}): "
                   f"{what}. Try a lower learning rate (it was {lr:.3g}), or check that the "
                   "inputs are scaled")
        if checkpoint_path is not None:
            message += f"; the last good checkpoint, {checkpoint_path}, is kept"
        super().__init__(message)
