"""Lazy import of matplotlib, the backend choice, the install hint, and atomic saving."""

import os
import subprocess
import sys

import numpy as np
import pytest

from chainrule import viz
from chainrule.viz import _figure

from .helpers import PNG_SIGNATURE, assert_no_temporaries, assert_png


def _run_python(code, **env_changes):
    env = {key: value for key, value in os.environ.items()
           if key not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(env_changes)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_import_does_not_load_matplotlib_and_first_plot_picks_agg_without_display():
    code = ("import sys, chainrule, chainrule.viz as viz\n"
            "print(any(m.split('.')[0] == 'matplotlib' for m in sys.modules))\n"
            "viz.plot_lr([0.1, 0.05])\n"
            "import matplotlib\n"
            "print(matplotlib.get_backend().lower())\n")
    assert _run_python(code) == ["False", "agg"]


def test_backend_chosen_by_the_user_is_kept():
    code = ("import chainrule.viz as viz, matplotlib\n"
            "viz.plot_lr([0.1, 0.05])\n"
            "print(matplotlib.get_backend().lower())\n")
    assert _run_python(code, MPLBACKEND="pdf") == ["pdf"]


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match=r'pip install "chainrule\[plot\]"'):
        viz.plot_lr([0.1, 0.2])
    with pytest.raises(ImportError, match=r'pip install "chainrule\[plot\]"'):
        viz.plot_decision_regions(lambda p: np.zeros(len(p), int), np.zeros((3, 2)), [0, 0, 0])


def test_save_writes_png_atomically_and_by_default(tmp_path):
    fig = viz.plot_lr([0.3, 0.2, 0.1])
    assert viz.save_figure(fig, tmp_path / "lr.png", dpi=30) == str(tmp_path / "lr.png")
    assert_png(tmp_path / "lr.png")
    viz.save_figure(fig, tmp_path / "no_extension", dpi=30)  # no extension: PNG
    assert_png(tmp_path / "no_extension")
    viz.save_figure(fig, tmp_path / "lr.svg")
    assert (tmp_path / "lr.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert_no_temporaries(tmp_path)


def test_interrupted_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "plot.png"
    target.write_bytes(b"old contents")
    fig = viz.plot_lr([0.3, 0.2, 0.1])

    def broken_savefig(stream, **kwargs):
        stream.write(PNG_SIGNATURE + b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(fig, "savefig", broken_savefig)
    with pytest.raises(KeyboardInterrupt):
        viz.save_figure(fig, target)
    assert target.read_bytes() == b"old contents"
    assert_no_temporaries(tmp_path)


def test_save_errors(tmp_path):
    fig = viz.plot_lr([0.3, 0.2])
    with pytest.raises(ValueError, match="unsupported image format 'docx'"):
        viz.save_figure(fig, tmp_path / "plot.docx")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.save_figure(fig, tmp_path / "missing" / "plot.png")
    with pytest.raises(TypeError, match="path must be a str"):
        viz.save_figure(fig, 42)
    assert os.listdir(tmp_path) == []


def test_grid_shape():
    assert _figure.grid_shape(10) == (2, 5)
    assert _figure.grid_shape(3) == (1, 3)
    assert _figure.grid_shape(25) == (5, 5)
    assert _figure.grid_shape(11, max_cols=4) == (3, 4)
