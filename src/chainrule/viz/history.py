"""Training curves: loss (data, regularization, total; train and validation), accuracy, learning
rate, and per-layer health (update/weight ratios, dead ReLU units).

A *history* is what `chainrule.train.Trainer` records (see `chainrule.train.History`): per-epoch
rows such as ``{"epoch": 3, "step": 150, "lr": 0.01, "data_loss": 0.61, "reg_loss": 0.02,
"loss": 0.63, "train_accuracy": 0.78, "val_loss": 0.7, "val_accuracy": 0.75,
"update_ratio/0.weight": 1e-3, "dead_fraction/1": 0.05}``. Every function here accepts

- a ``History`` object, or its ``to_dict()``: ``{"epochs": [...], "steps": [...],
  "step_losses": [...]}`` (step rows every N iterations, the loss of every iteration);
- a plain list of per-epoch dict records;
- the path of a ``history.json`` (either form) or ``history.csv`` file the Trainer wrote.

Missing keys are tolerated: a curve is drawn for each key present in at least one record, with a
gap where a record lacks it (or holds None). Short names (``train_acc``, ``val_acc``,
``iteration``) are accepted as aliases.
"""

from __future__ import annotations

import csv
import json
import math
import numbers
import os
from collections.abc import Mapping, Sequence

import numpy as np

from ._checks import as_numeric
from ._figure import finish, new_figure

__all__ = ["ACCURACY_CURVES", "HISTORY_KEYS", "LOSS_CURVES", "load_history", "plot_history",
           "plot_layer_statistics", "plot_lr"]

# ----------------------------------------------------------------------------- the record keys
# Every history key the plots read is named here, and nowhere else. A tuple lists a column's
# name as chainrule.train writes it first, then accepted aliases.
EPOCH_KEYS = ("epoch",)
STEP_KEYS = ("step", "iteration")
LR_KEYS = ("lr",)
# (legend label, keys) of the curves on the loss panel and on the accuracy panel.
LOSS_CURVES = (
    ("train data loss", ("data_loss",)),
    ("regularization loss", ("reg_loss",)),
    ("train total loss", ("loss", "train_loss")),
    ("validation loss", ("val_loss",)),
)
ACCURACY_CURVES = (
    ("train", ("train_accuracy", "train_acc")),
    ("validation", ("val_accuracy", "val_acc")),
)
# Per-layer columns: "<prefix>/<parameter or layer name>".
UPDATE_RATIO_PREFIX = "update_ratio"
DEAD_FRACTION_PREFIX = "dead_fraction"
# Where the rows sit in a dict history (History.to_dict(), history.json).
EPOCH_ROWS_KEYS = ("epochs", "history")
STEP_ROWS_KEY = "steps"
STEP_LOSSES_KEY = "step_losses"
HISTORY_KEYS = (EPOCH_KEYS + STEP_KEYS + LR_KEYS
                + tuple(key for _, keys in LOSS_CURVES + ACCURACY_CURVES for key in keys))
# The course's rule of thumb: each update changes a weight matrix by about 1e-3 of its norm.
UPDATE_RATIO_GUIDE = 1e-3


# ----------------------------------------------------------------------------- reading
def _read_file(path):
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    if extension == ".csv":
        with open(path, newline="", encoding="utf-8") as stream:
            return list(csv.DictReader(stream))
    if extension != ".json":
        raise ValueError(f"history file {path!r}: expected a .json or .csv file")
    with open(path, encoding="utf-8") as stream:
        try:
            return json.load(stream)
        except json.JSONDecodeError as exc:
            raise ValueError(f"history file {path!r} is not valid JSON ({exc})") from exc


def _check_rows(rows, source, what):
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise TypeError(f"{source}: expected a list of {what} dict records, "
                        f"got {type(rows).__name__}")
    for index, record in enumerate(rows):
        if not isinstance(record, Mapping):
            raise TypeError(f"{source}: record {index} must be a dict, "
                            f"got {type(record).__name__}")
    return list(rows)


def _load(history):
    """(epoch rows, step rows, per-iteration losses) of a history in any accepted form."""
    source = "history"
    if isinstance(history, (str, os.PathLike)):
        source = f"history file {os.fspath(history)!r}"
        history = _read_file(history)
    elif callable(getattr(history, "to_dict", None)) and hasattr(history, "epochs"):
        history = history.to_dict()  # a chainrule.train.History
    steps, step_losses = [], []
    if isinstance(history, Mapping):
        key = next((key for key in EPOCH_ROWS_KEYS if key in history), None)
        if key is None:
            raise ValueError(f"{source}: a dict history must hold its records under one of "
                             f"{list(EPOCH_ROWS_KEYS)}, got keys {sorted(history)[:10]}")
        steps = _check_rows(history.get(STEP_ROWS_KEY) or [], source, "step")
        step_losses = history.get(STEP_LOSSES_KEY) or []
        history = history[key]
    epochs = _check_rows(history, source, "per-epoch")
    if not epochs and not steps:
        raise ValueError(f"{source} is empty: there is nothing to plot")
    return epochs, steps, step_losses


def load_history(history):
    """The per-epoch records of a history given in any accepted form.

    Parameters
    ----------
    history : History, dict with an ``"epochs"`` list, list of dict, or str / os.PathLike
        Records, or the path of a ``.json`` / ``.csv`` history file.

    Returns
    -------
    list of dict

    Raises
    ------
    ValueError
        When the history is empty or a file cannot be parsed.
    TypeError
        When it is not made of dict records.
    """
    epochs, _, _ = _load(history)
    if not epochs:
        raise ValueError("history has no per-epoch records: there is nothing to plot")
    return epochs


def _number(value, key, index):
    """A record's value as float: None or "" (a CSV gap) is NaN."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return math.nan
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise TypeError(f"history record {index}: {key!r} must be a number, got {value!r}")


def series(records, keys):
    """The values of the first of ``keys`` (a name or a tuple of aliases) that some record has, as
    float64 over the records (NaN where a record lacks it); None when no record has any."""
    for key in (keys,) if isinstance(keys, str) else keys:
        if any(key in record for record in records):
            return np.array([_number(record.get(key), key, index)
                             for index, record in enumerate(records)], dtype=np.float64)
    return None


def _x_axis(records, step_rows=False):
    """(values, label): epochs when every record has one, else iterations, else 1, 2, ...
    (iterations first for ``step_rows``)."""
    axes = ((EPOCH_KEYS, "epoch"), (STEP_KEYS, "iteration"))
    for keys, label in reversed(axes) if step_rows else axes:
        values = series(records, keys)
        if values is not None and np.all(np.isfinite(values)):
            return values, label
    return np.arange(1, len(records) + 1, dtype=np.float64), "record"


def _prefixed_columns(records, prefix):
    """{name: values} of the per-layer columns "<prefix>/<name>", in order of appearance."""
    names = []
    for record in records:
        names.extend(key for key in record if key.startswith(prefix + "/") and key not in names)
    return {name[len(prefix) + 1:]: series(records, name) for name in names}


def _iteration_losses(records, x_label, step_losses):
    """(x, y) of the loss of every iteration on the epoch axis, or None when it cannot be placed:
    iteration i lies at epoch e where the rows say step s_e ended epoch e (interpolated)."""
    if len(step_losses) == 0:
        return None
    losses = np.array([_number(value, STEP_LOSSES_KEY, index)
                       for index, value in enumerate(step_losses)], dtype=np.float64)
    iterations = np.arange(1, len(losses) + 1, dtype=np.float64)
    if x_label == "iteration":
        return iterations, losses
    steps = series(records, STEP_KEYS)
    if x_label != "epoch" or steps is None or not np.all(np.isfinite(steps)):
        return None
    if steps[-1] != len(losses) or np.any(np.diff(steps) <= 0):
        return None  # the rows and the per-iteration losses disagree: do not guess
    epochs = series(records, EPOCH_KEYS)
    return np.interp(iterations, np.r_[0.0, steps], np.r_[0.0, epochs]), losses


# ----------------------------------------------------------------------------- plots
def plot_history(history, path=None, dpi=None, log_loss=False, per_iteration=True):
    """Loss and accuracy curves of a training run, against the epoch.

    The left panel shows the data loss, the regularization loss and their sum (train), and the
    validation loss; the right panel the train and validation accuracy. A panel is drawn only
    when the history has at least one of its keys (see ``LOSS_CURVES`` / ``ACCURACY_CURVES``).
    When the history holds the loss of every iteration (``step_losses``), that noisy curve is
    drawn in gray behind the per-epoch ones, placed on the epoch axis by the rows' ``step``.

    Parameters
    ----------
    history : History, dict, list of dict, or path
        See `load_history`. Without epoch rows, the step rows are plotted against the iteration.
    path : str or os.PathLike, optional
        Save the figure there (atomically; PNG unless the extension says otherwise).
    dpi : float, optional
        Resolution of the saved image.
    log_loss : bool
        Logarithmic loss axis (useful when the loss falls over orders of magnitude).
    per_iteration : bool
        Draw the per-iteration losses when the history has them.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the history is empty or holds neither losses nor accuracies.
    """
    epochs, steps, step_losses = _load(history)
    records = epochs or steps
    x, x_label = _x_axis(records, step_rows=not epochs)
    panels = []
    for title, curves in (("loss", LOSS_CURVES), ("accuracy", ACCURACY_CURVES)):
        present = [(label, values) for label, keys in curves
                   if (values := series(records, keys)) is not None]
        if present:
            panels.append((title, present))
    if not panels:
        known = [keys[0] for _, keys in LOSS_CURVES + ACCURACY_CURVES]
        found = sorted({key for record in records for key in record})
        raise ValueError(f"history has no loss or accuracy to plot: expected some of {known}, "
                         f"got keys {found[:20]}")
    noisy = _iteration_losses(records, x_label, step_losses) if per_iteration else None
    fig, axes = new_figure(1, len(panels), figsize=(5.0 * len(panels), 3.6))
    # Few points: show markers, so a single epoch is still visible.
    marker = "o" if len(records) <= 30 else None
    for ax, (title, present) in zip(axes[0], panels):
        if title == "loss" and noisy is not None:
            ax.plot(*noisy, color="0.55", linewidth=0.6, alpha=0.6, label="loss per iteration")
        for label, values in present:
            ax.plot(x, values, marker=marker, markersize=3, label=label)
        ax.set_title(title)
        ax.set_xlabel(x_label)
        ax.set_ylabel(title)
        if title == "loss" and log_loss:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    return finish(fig, path, dpi)


def plot_lr(history, path=None, dpi=None, log_scale=False):
    """The learning-rate curve, per iteration or per epoch.

    Parameters
    ----------
    history : list of numbers, 1-D array, or a history (History, dict, list of dict, path)
        Learning rates, one per step (plotted against the step 0, 1, ...), or a history whose
        records have an ``"lr"``: its step rows when they have one (per iteration), else its
        epoch rows, against the iteration when every such record has one, else the epoch.
    path : str or os.PathLike, optional
        Save the figure there.
    dpi : float, optional
    log_scale : bool
        Logarithmic learning-rate axis (step decay reads better on it).

    Returns
    -------
    matplotlib.figure.Figure
    """
    where = "plot_lr"
    if isinstance(history, np.ndarray) or (
            isinstance(history, Sequence) and not isinstance(history, (str, bytes))
            and len(history) > 0 and not isinstance(history[0], Mapping)):
        lrs = as_numeric(history, "learning rates", where, ndims=(1,))
        x, x_label = np.arange(len(lrs), dtype=np.float64), "step"
    else:
        epochs, steps, _ = _load(history)
        records = []
        for rows in (steps, epochs):  # the finer rows first
            records = [row for row in rows if any(key in row for key in LR_KEYS)]
            if records:
                break
        if not records:
            raise ValueError(f"{where}: no history record has a {LR_KEYS[0]!r} key")
        lrs = series(records, LR_KEYS)
        iterations = series(records, STEP_KEYS)
        if iterations is not None and np.all(np.isfinite(iterations)):
            x, x_label = iterations, "iteration"
        else:
            x, x_label = _x_axis(records)
    fig, axes = new_figure(1, 1, figsize=(5.0, 3.4))
    ax = axes[0, 0]
    ax.plot(x, lrs, marker="o" if len(lrs) <= 30 else None, markersize=3)
    ax.set_title("learning rate")
    ax.set_xlabel(x_label)
    ax.set_ylabel("learning rate")
    if log_scale:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    return finish(fig, path, dpi)


def plot_layer_statistics(history, path=None, dpi=None):
    """Per-layer health during training: update/weight ratios and the fraction of dead units.

    Left: for each parameter, ||W_after - W_before|| / ||W_before|| on one step (the
    ``update_ratio/<parameter>`` columns), on a log axis with the course's ~1e-3 rule of thumb
    dashed: much lower, the learning rate is too low; much higher, too high. Right: for each
    ReLU-family layer, the fraction of its units inactive on a whole batch
    (``dead_fraction/<layer>``). A panel is drawn when the history has its columns.

    Parameters
    ----------
    history : History, dict, list of dict, or path
        See `load_history`.
    path : str or os.PathLike, optional
    dpi : float, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    epochs, steps, _ = _load(history)
    records = epochs or steps
    x, x_label = _x_axis(records, step_rows=not epochs)
    panels = [(prefix, columns) for prefix in (UPDATE_RATIO_PREFIX, DEAD_FRACTION_PREFIX)
              if (columns := _prefixed_columns(records, prefix))]
    if not panels:
        raise ValueError(f"history has no per-layer columns: expected keys like "
                         f"'{UPDATE_RATIO_PREFIX}/<parameter>' or '{DEAD_FRACTION_PREFIX}/<layer>'")
    fig, axes = new_figure(1, len(panels), figsize=(5.0 * len(panels), 3.6))
    marker = "o" if len(records) <= 30 else None
    for ax, (prefix, columns) in zip(axes[0], panels):
        for name, values in columns.items():
            ax.plot(x, values, marker=marker, markersize=3, label=name)
        if prefix == UPDATE_RATIO_PREFIX:
            ax.set_yscale("log")
            ax.axhline(UPDATE_RATIO_GUIDE, color="0.4", linestyle="--", linewidth=1.0,
                       label=f"{UPDATE_RATIO_GUIDE:g} rule of thumb")
            ax.set_title("update / weight ratio")
            ax.set_ylabel(r"$\|\Delta W\| / \|W\|$")
        else:
            ax.set_ylim(-0.02, 1.02)
            ax.set_title("dead units")
            ax.set_ylabel("fraction of units")
        ax.set_xlabel(x_label)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small", title="parameter" if prefix == UPDATE_RATIO_PREFIX
                  else "layer", title_fontsize="small")
    return finish(fig, path, dpi)
