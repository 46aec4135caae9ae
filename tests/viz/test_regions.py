"""plot_decision_regions / plot_optimizer_paths: regions are the classifier's labels on the grid,
lines are the optimizers' paths."""

import numpy as np
import pytest
from matplotlib.contour import ContourSet

from chainrule import nn, viz

from .helpers import assert_png

X = np.array([[-1.0, -1.0], [1.0, -0.5], [0.5, 1.0], [-0.5, 0.8], [0.2, 0.1]])
Y = np.array([0, 1, 2, 2, 1])


def quadrant_rule(points):
    """Class 0 left of x=0, class 1 right of it and below y=0.3, class 2 right and above."""
    right = points[:, 0] > 0
    return np.where(right, np.where(points[:, 1] > 0.3, 2, 1), 0)


def grid_centers(image, resolution):
    """The (x, y) of each pixel of a decision-region image, rows bottom to top."""
    x_min, x_max, y_min, y_max = image.get_extent()
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    return np.column_stack([xx.ravel(), yy.ravel()])


def test_regions_are_the_predictions_on_the_grid(tmp_path):
    fig = viz.plot_decision_regions(quadrant_rule, X, Y, resolution=40, class_names=["a", "b", "c"],
                                    path=tmp_path / "regions.png", dpi=30)
    assert_png(tmp_path / "regions.png")
    ax = fig.axes[0]
    (image,) = ax.images
    regions = np.asarray(image.get_array())
    assert regions.shape == (40, 40)
    np.testing.assert_array_equal(regions.ravel(), quadrant_rule(grid_centers(image, 40)))
    assert set(np.unique(regions)) == {0, 1, 2}
    # The frame is the data with a 10% margin.
    np.testing.assert_allclose(image.get_extent(), [-1.2, 1.2, -1.2, 1.2])
    (points,) = ax.collections
    np.testing.assert_array_equal(points.get_offsets(), X)
    np.testing.assert_array_equal(points.get_array(), Y)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    assert len(ax.lines) == 0
    # quadrant_rule puts X[3] = (-0.5, 0.8), of class 2, left of x=0 (class 0): 4 of 5 right.
    assert ax.get_title() == "decision regions (accuracy 80.0%)"


def test_scores_module_and_estimator_give_the_argmax():
    linear = nn.Linear(2, 3, rng=0, dtype=np.float64)
    fig = viz.plot_decision_regions(linear, X, Y, resolution=25)
    image = fig.axes[0].images[0]
    points = grid_centers(image, 25)
    expected = np.argmax(points @ linear.weight.data + linear.bias.data, axis=1)
    np.testing.assert_array_equal(np.asarray(image.get_array()).ravel(), expected)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "class 0", "class 1", "class 2"]

    class Estimator:
        def predict(self, points):
            return (points[:, 1] > 0).astype(np.int64)

    fig = viz.plot_decision_regions(Estimator(), X, Y, resolution=10)
    centers = grid_centers(fig.axes[0].images[0], 10)
    np.testing.assert_array_equal(np.asarray(fig.axes[0].images[0].get_array()).ravel(),
                                  centers[:, 1] > 0)
    assert fig.axes[0].get_title() == "decision regions (accuracy 40.0%)"


@pytest.mark.parametrize("predict_fn, X_, y, kwargs, error, message", [
    (quadrant_rule, np.zeros((5, 3)), Y, {}, ValueError, r"X must have shape \(n, 2\)"),
    (quadrant_rule, X, Y[:4], {}, ValueError, r"y must have shape \(5,\)"),
    (lambda p: np.zeros((len(p), 2, 2)), X, Y, {}, ValueError, "labels of shape"),
    (lambda p: np.zeros(3), X, Y, {}, ValueError, "labels of shape"),
    (quadrant_rule, X, Y, {"class_names": ["a", "b"]}, ValueError, "has label 2 but only 2"),
    (lambda p: np.full(len(p), 5), X, Y, {"class_names": ["a", "b", "c"]}, ValueError,
     "returned label 5 but only 3"),
    ("not callable", X, Y, {}, TypeError, "must be callable or have a predict method"),
    (quadrant_rule, X, Y, {"resolution": 1}, ValueError, "resolution must be >= 2"),
])
def test_decision_region_errors(predict_fn, X_, y, kwargs, error, message):
    with pytest.raises(error, match=message):
        viz.plot_decision_regions(predict_fn, X_, y, **kwargs)


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def saddle(x, y):
    return x ** 2 - y ** 2


def contour_levels(ax):
    (contours,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    return np.asarray(contours.levels)


def test_optimizer_paths_are_drawn_over_the_contours(tmp_path):
    t = np.linspace(0, 1, 20)[:, None]
    straight = np.hstack([-1.5 + 2.5 * t, 2.0 - 1.0 * t])
    curved = np.hstack([-1.5 + 2.5 * t, 2.0 - 1.0 * t ** 2])
    fig = viz.plot_optimizer_paths(rosenbrock, [straight, curved], ["SGD", "Adam"],
                                   minimum=(1.0, 1.0), resolution=50, levels=12,
                                   path=tmp_path / "paths.png", dpi=30)
    assert_png(tmp_path / "paths.png")
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    for line, points in zip(ax.lines, (straight, curved)):
        np.testing.assert_array_equal(line.get_xdata(), points[:, 0])
        np.testing.assert_array_equal(line.get_ydata(), points[:, 1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SGD", "Adam"]
    # The frame holds every path point with a 15% margin.
    np.testing.assert_allclose(ax.get_xlim(), [-1.5 - 0.375, 1.0 + 0.375])
    np.testing.assert_allclose(ax.get_ylim(), [1.0 - 0.15, 2.0 + 0.15])
    # Rosenbrock rises by orders of magnitude: levels evenly spaced in log(L - min L).
    levels = contour_levels(ax)
    assert len(levels) == 12
    xx, yy = np.meshgrid(np.linspace(*ax.get_xlim(), 50), np.linspace(*ax.get_ylim(), 50))
    ratios = np.diff(np.log(levels - rosenbrock(xx, yy).min()))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)


def test_saddle_levels_are_even_and_bounds_and_levels_are_honoured():
    path = np.array([[-1.0, 0.01], [-0.5, 0.02], [0.0, 0.05], [np.nan, np.nan]])
    fig = viz.plot_optimizer_paths(saddle, path, "SGD", bounds=((-2, 2), (-1, 1)), resolution=41,
                                   levels=9)
    ax = fig.axes[0]
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 1.0)
    levels = contour_levels(ax)
    np.testing.assert_allclose(np.diff(levels), np.diff(levels)[0], rtol=1e-9)
    np.testing.assert_allclose([levels[0], levels[-1]], [-1.0 + 0.5, 4.0 - 0.5])
    fig = viz.plot_optimizer_paths(saddle, [path], ["SGD"], levels=[-0.5, 0.0, 0.5])
    np.testing.assert_array_equal(contour_levels(fig.axes[0]), [-0.5, 0.0, 0.5])


@pytest.mark.parametrize("surface, paths, labels, kwargs, error, message", [
    (saddle, [np.zeros((3, 2))], ["a", "b"], {}, ValueError, "expected 1 labels"),
    (saddle, [np.zeros((3, 3))], ["a"], {}, ValueError, r"paths\[0\] must have shape"),
    (saddle, [], [], {}, ValueError, "non-empty list"),
    (lambda x, y: x[:2], [np.zeros((3, 2))], ["a"], {}, ValueError, "must return the grid's shape"),
    (lambda x, y: x * np.nan, [np.zeros((3, 2))], ["a"], {}, ValueError, "no finite value"),
    (saddle, [np.full((3, 2), np.nan)], ["a"], {}, ValueError, "no finite point"),
    (saddle, [np.zeros((3, 2))], ["a"], {"bounds": ((1, 0), (0, 1))}, ValueError, "min < max"),
    (None, [np.zeros((3, 2))], ["a"], {}, TypeError, "surface_fn must be callable"),
])
def test_optimizer_path_errors(surface, paths, labels, kwargs, error, message):
    with pytest.raises(error, match=message):
        viz.plot_optimizer_paths(surface, paths, labels, **kwargs)


class FakeSurface:
    """Duck type of chainrule.optim.surfaces.Surface: value on (..., 2) points, window, minima."""

    name = "bowl"
    bounds = ((-3.0, 3.0), (-2.0, 2.0))
    minima = np.array([[0.5, 0.0]])

    def value(self, points):
        return (points[..., 0] - 0.5) ** 2 + 4 * points[..., 1] ** 2


def test_surface_objects_give_window_minima_and_title():
    path = np.array([[-1.0, 0.5], [0.0, 0.2], [0.4, 0.05]])
    fig = viz.plot_optimizer_paths(FakeSurface(), [path], ["SGD"], resolution=30)
    ax = fig.axes[0]
    assert ax.get_xlim() == (-3.0, 3.0) and ax.get_ylim() == (-2.0, 2.0)
    assert ax.get_title() == "optimizers on the bowl"
    stars = [c for c in ax.collections if not isinstance(c, ContourSet)][-1]
    np.testing.assert_array_equal(stars.get_offsets(), [[0.5, 0.0]])
    levels = contour_levels(ax)
    assert levels.min() > 0 and levels.max() < FakeSurface().value(np.array([-3.0, 2.0]))
    # A path leaving the window widens the frame.
    far = np.array([[-1.0, 0.5], [6.0, 0.0]])
    ax = viz.plot_optimizer_paths(FakeSurface(), [far], ["SGD"], resolution=30).axes[0]
    assert ax.get_xlim()[1] == pytest.approx(6.0 + 0.15 * 7.0)


def test_paths_recorded_by_optim_surfaces():
    surfaces = pytest.importorskip("chainrule.optim.surfaces")
    from chainrule.optim import SGD

    rosenbrock_surface = surfaces.Rosenbrock()
    plain, _ = surfaces.run_optimizer(rosenbrock_surface, SGD, steps=30, lr=1e-3)
    heavy, _ = surfaces.run_optimizer(rosenbrock_surface, SGD, steps=30, lr=1e-3, momentum=0.9)
    fig = viz.plot_optimizer_paths(rosenbrock_surface, [plain, heavy], ["SGD", "momentum"],
                                   resolution=40)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), heavy[:, 1])
    stars = [c for c in ax.collections if not isinstance(c, ContourSet)][-1]
    np.testing.assert_array_equal(stars.get_offsets(), rosenbrock_surface.minima)


def test_a_module_is_evaluated_without_dropout_and_its_mode_is_restored():
    model = nn.Sequential(nn.Linear(2, 16, rng=0, dtype=np.float64), nn.Dropout(0.5, rng=1),
                          nn.Linear(16, 3, rng=2, dtype=np.float64))
    model.train()
    first = viz.plot_decision_regions(model, X, Y, resolution=20).axes[0].images[0].get_array()
    second = viz.plot_decision_regions(model, X, Y, resolution=20).axes[0].images[0].get_array()
    np.testing.assert_array_equal(first, second)  # no random dropout masks
    assert model.training
    points = grid_centers(viz.plot_decision_regions(model, X, Y, resolution=20).axes[0].images[0], 20)
    hidden = points @ model[0].weight.data + model[0].bias.data
    expected = np.argmax(hidden @ model[2].weight.data + model[2].bias.data, axis=1)
    np.testing.assert_array_equal(np.asarray(first).ravel(), expected)
