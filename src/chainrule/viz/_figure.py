"""Shared machinery of the plots: importing matplotlib lazily, making figures, saving atomically.

matplotlib is an optional dependency (the ``plot`` extra). It is imported here, inside functions,
the first time a plot is drawn — never when ``chainrule.viz`` is imported.
"""

from __future__ import annotations

import os
import sys
import tempfile

import numpy as np

INSTALL_HINT = 'pip install "chainrule[plot]"'

# The formats we write, by file extension; a path without an extension is written as PNG.
_DEFAULT_FORMAT = "png"


def _has_display() -> bool:
    """Whether an interactive window could open: always on macOS/Windows, on X11/Wayland if set."""
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _backend_chosen(matplotlib) -> bool:
    """True when the user (MPLBACKEND, matplotlibrc, matplotlib.use) already chose a backend."""
    if os.environ.get("MPLBACKEND"):
        return True
    params = matplotlib.rcParams
    getter = getattr(params, "_get_backend_or_none", None)
    if getter is not None:
        return getter() is not None
    sentinel = getattr(matplotlib.rcsetup, "_auto_backend_sentinel", None)
    return dict.__getitem__(params, "backend") is not sentinel


def pyplot():
    """``matplotlib.pyplot``, imported on first use.

    Without a display (a server, CI, a container), and unless a backend was chosen explicitly,
    the non-interactive "Agg" backend is selected first, so no GUI toolkit is ever touched.

    Raises
    ------
    ImportError
        When matplotlib is not installed, saying how to install it.
    """
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(f"chainrule.viz needs matplotlib, which is not installed; "
                          f"install it with: {INSTALL_HINT}") from exc
    if ("matplotlib.pyplot" not in sys.modules and not _has_display()
            and not _backend_chosen(matplotlib)):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def new_figure(nrows=1, ncols=1, figsize=None, **subplot_kw):
    """A pyplot figure with a grid of axes, laid out so labels do not overlap.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : ndarray of Axes of shape (nrows, ncols)
    """
    plt = pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False,
                             layout="constrained", **subplot_kw)
    return fig, axes


def grid_shape(count, max_cols=5):
    """(rows, cols) of a grid holding ``count`` panels, filled row by row, at most ``max_cols`` wide."""
    cols = max(1, min(count, max_cols))
    return int(np.ceil(count / cols)), cols


def _format_for(path) -> str:
    extension = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    return extension or _DEFAULT_FORMAT


def save_figure(fig, path, dpi=None):
    """Save ``fig`` to ``path`` atomically; the format follows the extension (PNG without one).

    The figure is written to a temporary file in the same directory and renamed over ``path``
    only once complete, so an interrupted save never leaves a truncated image behind.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or os.PathLike
        Target file; its directory must exist. ``.png``, ``.svg``, ``.pdf`` ... (any format of
        the figure's canvas); no extension means PNG.
    dpi : float, optional
        Resolution of raster formats; the figure's own dpi by default.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    ValueError
        For an unsupported extension.
    FileNotFoundError
        When the directory of ``path`` does not exist.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    fmt = _format_for(path)
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ValueError(f"path {path!r}: unsupported image format {fmt!r}; expected one of "
                         f"{sorted(supported)}")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"path {path!r}: directory {directory!r} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".chainrule-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            fig.savefig(stream, format=fmt, dpi=dpi if dpi is not None else "figure")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def finish(fig, path, dpi):
    """Save the figure when a path is given; return it."""
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig
