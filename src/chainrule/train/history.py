"""`History`: what happened during training, epoch by epoch (and every N iterations), as rows of
plain numbers, saved as CSV and JSON.

An epoch row holds ``epoch`` (1-based), ``step`` (optimizer steps so far), ``lr``,
``data_loss`` and ``reg_loss`` (batch means over the epoch; ``loss`` is their sum),
``train_accuracy`` (on the training batches as they were trained, dropout active: no extra pass),
``val_loss`` and ``val_accuracy`` (None without validation data), ``seconds``, and per layer
``update_ratio/<parameter>`` (||W_after - W_before|| / ||W_before|| on one step; the course's
rule of thumb wants about 1e-3) and ``dead_fraction/<layer>`` (ReLU-family units that are
inactive on every example of a fixed batch). A step row (every ``log_every`` iterations) holds
the same training columns averaged over the last ``log_every`` iterations. ``step_losses`` is the
total loss of every single iteration (the noisy curve of the course's loss plots).
"""

from __future__ import annotations

import csv
import io as stdio
import json
import math
from pathlib import Path

import numpy as np

from ..io import atomic_write_text

__all__ = ["History"]


def _plain(value):
    """A JSON/CSV-friendly scalar: numpy numbers become Python numbers, NaN/inf become None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class History:
    """Training records.

    Attributes
    ----------
    epochs : list of dict
        One row per completed epoch.
    steps : list of dict
        One row every ``log_every`` iterations (empty when not asked for).
    step_losses : list of float
        The total loss (data + regularization) of every iteration.
    """

    def __init__(self, epochs=None, steps=None, step_losses=None):
        self.epochs = list(epochs or [])
        self.steps = list(steps or [])
        self.step_losses = list(step_losses or [])

    def __len__(self):
        return len(self.epochs)

    def __repr__(self):
        return (f"History({len(self.epochs)} epochs, {len(self.steps)} step records, "
                f"{len(self.step_losses)} iterations)")

    # ------------------------------------------------------------------ reading
    def column(self, name, rows="epochs"):
        """One column as a float array (NaN where missing): ``history.column("val_accuracy")``."""
        table = self._rows(rows)
        values = [row.get(name) for row in table]
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    def series(self, prefix, rows="epochs"):
        """The per-layer columns under ``prefix``: ``{"0.weight": array, ...}`` for
        ``history.series("update_ratio")``."""
        names = []
        for row in self._rows(rows):
            names.extend(k for k in row if k.startswith(prefix + "/") and k not in names)
        return {name[len(prefix) + 1:]: self.column(name, rows) for name in names}

    def best(self, name="val_accuracy"):
        """The epoch row with the largest ``name`` (None if no row has it)."""
        rows = [row for row in self.epochs if row.get(name) is not None]
        return max(rows, key=lambda row: row[name]) if rows else None

    def _rows(self, rows):
        if rows not in ("epochs", "steps"):
            raise ValueError(f"rows must be 'epochs' or 'steps', got {rows!r}")
        return self.epochs if rows == "epochs" else self.steps

    # ------------------------------------------------------------------ serialization
    def to_dict(self):
        """``{"epochs": [...], "steps": [...], "step_losses": [...]}`` with NaN/inf as None."""
        return {"epochs": [{k: _plain(v) for k, v in row.items()} for row in self.epochs],
                "steps": [{k: _plain(v) for k, v in row.items()} for row in self.steps],
                "step_losses": [_plain(float(v)) for v in self.step_losses]}

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise TypeError(f"History.from_dict expects a dict, got {type(data).__name__}")
        return cls(data.get("epochs"), data.get("steps"), data.get("step_losses"))

    def to_json(self, path):
        """Write the whole history as JSON (atomically)."""
        atomic_write_text(path, json.dumps(self.to_dict(), indent=1, allow_nan=False))

    @classmethod
    def load_json(cls, path):
        with open(path, encoding="utf-8") as file:
            return cls.from_dict(json.load(file))

    def to_csv(self, path, rows="epochs"):
        """Write the epoch rows (or step rows) as CSV (atomically); missing values are empty."""
        table = self._rows(rows)
        columns = []
        for row in table:
            columns.extend(k for k in row if k not in columns)
        buffer = stdio.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in table:
            writer.writerow({k: ("" if _plain(v) is None else _plain(v)) for k, v in row.items()})
        atomic_write_text(path, buffer.getvalue())

    def save(self, directory):
        """Write ``history.json`` and ``history.csv`` (and ``history_steps.csv`` when there are
        step rows) into ``directory``; returns the paths written."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = [directory / "history.json", directory / "history.csv"]
        self.to_json(paths[0])
        self.to_csv(paths[1])
        if self.steps:
            paths.append(directory / "history_steps.csv")
            self.to_csv(paths[2], rows="steps")
        return paths
