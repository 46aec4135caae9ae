"""Showing training progress: a tqdm bar on a terminal, one plain line per epoch otherwise
(logs, CI, notebooks piping stderr), nothing with ``verbose=0``."""

from __future__ import annotations

import sys

__all__ = ["Progress", "format_epoch"]


def _number(value, spec):
    return "-" if value is None else format(value, spec)


def format_epoch(record, epochs):
    """One line summing up an epoch's history row."""
    parts = [f"epoch {record['epoch']}/{epochs}",
             f"loss {_number(record['loss'], '.4f')} (data {_number(record['data_loss'], '.4f')}"
             f" + reg {_number(record['reg_loss'], '.4f')})",
             f"train acc {_number(record['train_accuracy'], '.4f')}"]
    if record.get("val_accuracy") is not None:
        parts.append(f"val acc {record['val_accuracy']:.4f}")
    parts.append(f"lr {record['lr']:.3g}")
    parts.append(f"{record['seconds']:.1f}s")
    return "  ".join(parts)


class Progress:
    """Progress display of one ``fit``.

    Parameters
    ----------
    verbose : int
        0: silent; 1: a bar when ``stream`` is a terminal, else one line per epoch; 2: lines.
    epochs : int
    stream : file, optional
        Where to write (stderr by default).
    """

    def __init__(self, verbose, epochs, stream=None):
        self.stream = sys.stderr if stream is None else stream
        self.epochs = epochs
        isatty = getattr(self.stream, "isatty", None)
        self.bar_mode = verbose == 1 and bool(isatty and isatty())
        self.line_mode = verbose >= 1 and not self.bar_mode
        self._bar = None
        self._every = 1
        self._countdown = 1

    def start_epoch(self, epoch, n_batches):
        if not self.bar_mode:
            return
        from tqdm.auto import tqdm

        self._bar = tqdm(total=n_batches, desc=f"epoch {epoch}/{self.epochs}", unit="batch",
                         file=self.stream, leave=True, dynamic_ncols=True)
        self._every = max(1, n_batches // 100)  # refresh the numbers ~100 times an epoch
        self._countdown = 1

    def step(self, loss, correct, count, lr):
        """Called every iteration; cheap unless a refresh is due."""
        if self._bar is None:
            return
        self._bar.update(1)
        self._countdown -= 1
        if self._countdown == 0:
            self._countdown = self._every
            self._bar.set_postfix(loss=f"{loss:.4f}", acc=f"{correct / count:.3f}",
                                  lr=f"{lr:.3g}", refresh=False)

    def end_epoch(self, record):
        if self._bar is not None:
            postfix = {"loss": f"{record['loss']:.4f}", "acc": f"{record['train_accuracy']:.3f}"}
            if record.get("val_accuracy") is not None:
                postfix["val_acc"] = f"{record['val_accuracy']:.3f}"
            postfix["lr"] = f"{record['lr']:.3g}"
            self._bar.set_postfix(postfix)
            self.close()
        elif self.line_mode:
            print(format_epoch(record, self.epochs), file=self.stream, flush=True)

    def message(self, text):
        if self.bar_mode or self.line_mode:
            if self._bar is not None:
                self._bar.write(text, file=self.stream)
            else:
                print(text, file=self.stream, flush=True)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
