"""Plot tests: matplotlib is required (the `plot` extra); figures are closed after each test."""

import os

import pytest

# Headless by default; a backend chosen by the person running the tests wins.
os.environ.setdefault("MPLBACKEND", "Agg")

pytest.importorskip("matplotlib")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
