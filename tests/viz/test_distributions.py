"""plot_weights_histogram / plot_activations_histogram: one histogram per array, of its values."""

import numpy as np
import pytest

from chainrule import nn, viz

from .helpers import assert_png


def bar_heights(ax):
    return np.array([patch.get_height() for patch in ax.patches])


def test_weight_histograms_of_a_model(tmp_path):
    model = nn.Sequential(nn.Linear(6, 5, rng=0), nn.ReLU(), nn.Linear(5, 3, rng=1))
    fig = viz.plot_weights_histogram(model, bins=7, path=tmp_path / "w.png", dpi=30)
    assert_png(tmp_path / "w.png")
    drawn = [ax for ax in fig.axes if ax.patches]
    assert len(drawn) == 2  # the biases are left out by default
    for ax, (name, weight) in zip(drawn, [("0.weight", model[0].weight), ("2.weight", model[2].weight)]):
        counts, _ = np.histogram(weight.data.astype(np.float64), bins=7)
        np.testing.assert_array_equal(bar_heights(ax), counts)
        assert ax.get_title().startswith(f"{name}\nmean {weight.data.mean():.3g}")
    fig = viz.plot_weights_histogram(model, include_bias=True)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes if ax.patches] == [
        "0.weight", "0.bias", "2.weight", "2.bias"]


def test_activation_histograms_report_zeros():
    relu_out = np.maximum(np.linspace(-1, 1, 101), 0)[None, :].repeat(4, axis=0)
    fig = viz.plot_activations_histogram({"relu1": relu_out, "tanh2": np.tanh(relu_out)}, bins=10)
    drawn = [ax for ax in fig.axes if ax.patches]
    assert len(drawn) == 2 and len(fig.axes) == 2
    assert bar_heights(drawn[0]).sum() == relu_out.size
    assert drawn[0].get_title().endswith(f"zeros {np.mean(relu_out == 0):.0%}")
    assert drawn[0].get_title().startswith("relu1\n")
    # A list of arrays is numbered; five panels at four per row leave three empty axes hidden.
    fig = viz.plot_activations_histogram([np.arange(3.0)] * 5)
    assert len(fig.axes) == 8
    assert sum(ax.get_visible() and ax.axison for ax in fig.axes) == 5


@pytest.mark.parametrize("call, error, message", [
    (lambda: viz.plot_weights_histogram({}), ValueError, "empty"),
    (lambda: viz.plot_weights_histogram({"b": np.zeros(3)}), ValueError, "no weight matrix"),
    (lambda: viz.plot_weights_histogram(3.0), TypeError, "dict of name -> array"),
    (lambda: viz.plot_activations_histogram({"a": np.array([1.0, np.inf])}), ValueError, "NaN"),
    (lambda: viz.plot_activations_histogram({"a": np.ones(3)}, bins=0), ValueError, "bins"),
])
def test_histogram_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
