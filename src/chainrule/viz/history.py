"""Training curves: loss (data, regularization, total; train and validation), accuracy, learning rate.

A *history* is what the Trainer records: a list of per-epoch records, each a dict such as
``{"epoch": 3, "data_loss": 0.61, "reg_loss": 0.02, "loss": 0.63, "train_acc": 0.78,
"val_acc": 0.75, "lr": 0.01}``. Every function here accepts the list itself, a dict holding it
under ``"epochs"``, or the path of a ``.json`` (either form) or ``.csv`` file the Trainer wrote.
Missing keys are tolerated: a curve is drawn for each key present in at least one record, with a
gap where a record lacks it.
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
           "plot_lr"]

# ----------------------------------------------------------------------------- the record keys
# Every history key the plots read is named here, and nowhere else.
EPOCH_KEY = "epoch"
ITERATION_KEY = "iteration"
LR_KEY = "lr"
# (key, legend label) of the curves on the loss panel and on the accuracy panel.
LOSS_CURVES = (
    ("data_loss", "train data loss"),
    ("reg_loss", "regularization loss"),
    ("loss", "train total loss"),
    ("val_loss", "validation loss"),
)
ACCURACY_CURVES = (
    ("train_acc", "train"),
    ("val_acc", "validation"),
)
# Lists of records may sit under one of these keys of a dict (e.g. a history .json file).
RECORD_LIST_KEYS = ("epochs", "history")
HISTORY_KEYS = (EPOCH_KEY, ITERATION_KEY, LR_KEY) + tuple(key for key, _ in LOSS_CURVES) + tuple(
    key for key, _ in ACCURACY_CURVES)


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


def load_history(history):
    """The list of records of a history given in any accepted form.

    Parameters
    ----------
    history : list of dict, dict with an ``"epochs"`` list, or str / os.PathLike
        Records, or the path of a ``.json`` / ``.csv`` history file.

    Returns
    -------
    list of dict

    Raises
    ------
    ValueError
        When the history is empty or a file cannot be parsed.
    TypeError
        When it is not a list of dict records.
    """
    source = "history"
    if isinstance(history, (str, os.PathLike)):
        source = f"history file {os.fspath(history)!r}"
        history = _read_file(history)
    if isinstance(history, Mapping):
        for key in RECORD_LIST_KEYS:
            if key in history:
                history = history[key]
                break
        else:
            raise ValueError(f"{source}: a dict history must hold its records under one of "
                             f"{list(RECORD_LIST_KEYS)}, got keys {sorted(history)[:10]}")
    if isinstance(history, (str, bytes)) or not isinstance(history, Sequence):
        raise TypeError(f"{source}: expected a list of per-epoch dict records, "
                        f"got {type(history).__name__}")
    if len(history) == 0:
        raise ValueError(f"{source} is empty: there is nothing to plot")
    for index, record in enumerate(history):
        if not isinstance(record, Mapping):
            raise TypeError(f"{source}: record {index} must be a dict, "
                            f"got {type(record).__name__}")
    return list(history)


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


def series(records, key):
    """The values of ``key`` over the records as float64 (NaN where a record lacks it), or None
    when no record has it."""
    if not any(key in record for record in records):
        return None
    return np.array([_number(record.get(key), key, index) for index, record in enumerate(records)],
                    dtype=np.float64)


def _x_axis(records):
    """(values, label): epochs when every record has one, else iterations, else 1, 2, ..."""
    for key in (EPOCH_KEY, ITERATION_KEY):
        values = series(records, key)
        if values is not None and np.all(np.isfinite(values)):
            return values, key
    return np.arange(1, len(records) + 1, dtype=np.float64), "record"


# ----------------------------------------------------------------------------- plots
def plot_history(history, path=None, dpi=None, log_loss=False):
    """Loss and accuracy curves of a training run, against the epoch.

    The left panel shows the data loss, the regularization loss and their sum (train), and the
    validation loss; the right panel the train and validation accuracy. A panel is drawn only
    when the history has at least one of its keys (see ``LOSS_CURVES`` / ``ACCURACY_CURVES``).

    Parameters
    ----------
    history : list of dict, dict, or path
        See `load_history`.
    path : str or os.PathLike, optional
        Save the figure there (atomically; PNG unless the extension says otherwise).
    dpi : float, optional
        Resolution of the saved image.
    log_loss : bool
        Logarithmic loss axis (useful when the loss falls over orders of magnitude).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the history is empty or holds neither losses nor accuracies.
    """
    records = load_history(history)
    x, x_label = _x_axis(records)
    panels = []
    for title, curves in (("loss", LOSS_CURVES), ("accuracy", ACCURACY_CURVES)):
        present = [(label, values) for key, label in curves
                   if (values := series(records, key)) is not None]
        if present:
            panels.append((title, present))
    if not panels:
        known = [key for key, _ in LOSS_CURVES + ACCURACY_CURVES]
        found = sorted({key for record in records for key in record})
        raise ValueError(f"history has no loss or accuracy to plot: expected some of {known}, "
                         f"got keys {found}")
    fig, axes = new_figure(1, len(panels), figsize=(5.0 * len(panels), 3.6))
    # Few points: show markers, so a single epoch is still visible.
    marker = "o" if len(records) <= 30 else None
    for ax, (title, present) in zip(axes[0], panels):
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
    history : list of numbers, 1-D array, or a history (list of dict, dict, path)
        Learning rates, one per step (plotted against the step 0, 1, ...), or history records
        with an ``"lr"`` key (plotted against their iteration when every such record has one,
        else their epoch).
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
        records = [record for record in load_history(history) if LR_KEY in record]
        if not records:
            raise ValueError(f"{where}: no history record has a {LR_KEY!r} key")
        lrs = series(records, LR_KEY)
        x, x_label = _x_axis(records)
        if x_label == EPOCH_KEY:
            iterations = series(records, ITERATION_KEY)
            if iterations is not None and np.all(np.isfinite(iterations)):
                x, x_label = iterations, ITERATION_KEY
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
