"""The 2-D teaching surfaces and the path runner."""

import numpy as np
import pytest

from chainrule.autograd import numerical_gradient, rel_error
from chainrule.optim import LBFGS, SGD, Adam, RandomSearch, surfaces
from chainrule.optim.lr_scheduler import StepLR

ALL = [surfaces.IllConditionedQuadratic(30.0), surfaces.Saddle(), surfaces.Rosenbrock(),
       surfaces.DoubleWell(0.25)]


@pytest.mark.parametrize("surface", ALL, ids=repr)
def test_gradient_matches_central_differences(surface):
    rng = np.random.default_rng(0)
    for point in rng.uniform(-1.5, 1.5, (5, 2)):
        numeric = numerical_gradient(lambda p: float(surface.value(p)), point.copy())
        assert rel_error(surface.gradient(point), numeric) < 1e-7


@pytest.mark.parametrize("surface", ALL, ids=repr)
def test_minima_are_stationary_and_lower_than_their_neighbourhood(surface):
    for minimum in surface.minima:
        np.testing.assert_allclose(surface.gradient(minimum), 0.0, atol=1e-10)
        around = minimum + 1e-3 * np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
        assert np.all(surface.value(around) > surface.value(minimum))


def test_known_values():
    assert surfaces.Rosenbrock().value(np.array([1.0, 1.0])) == 0.0
    assert surfaces.Rosenbrock().value(np.array([0.0, 0.0])) == 1.0
    assert surfaces.Saddle().value(np.array([2.0, 3.0])) == -5.0
    assert surfaces.IllConditionedQuadratic(10.0).value(np.array([1.0, 1.0])) == 5.5
    well = surfaces.DoubleWell(0.25)
    left, right = well.minima
    assert left[0] < 0 < right[0]
    assert well.value(left) < well.value(right)          # the global minimum is on the left


def test_values_and_gradients_are_vectorized_over_grids():
    xs, ys, zs = surfaces.Rosenbrock().grid(resolution=7)
    assert xs.shape == ys.shape == zs.shape == (7, 7)
    points = np.stack([xs, ys], axis=-1)
    assert surfaces.Rosenbrock().gradient(points).shape == (7, 7, 2)
    np.testing.assert_allclose(zs[3, 4], surfaces.Rosenbrock().value(points[3, 4]))
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        surfaces.Saddle().value(np.zeros(3))


def test_run_optimizer_records_the_path_of_plain_gradient_descent():
    bowl = surfaces.IllConditionedQuadratic(10.0)
    path, losses = surfaces.run_optimizer(bowl, SGD, start=(-4.0, 1.0), steps=30, lr=0.05)
    assert path.shape == (31, 2) and losses.shape == (31,)
    # on this quadratic each coordinate shrinks geometrically: x_t = (1 - lr h)^t x_0
    t = np.arange(31)
    np.testing.assert_allclose(path[:, 0], -4.0 * (1 - 0.05) ** t, rtol=1e-12)
    np.testing.assert_allclose(path[:, 1], 1.0 * (1 - 0.05 * 10) ** t, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(losses, bowl.value(path))


def test_run_optimizer_with_scheduler_and_factory_callable():
    bowl = surfaces.IllConditionedQuadratic(1.0)
    path, _ = surfaces.run_optimizer(bowl, lambda params: SGD(params, lr=0.5), start=(1.0, 0.0),
                                     steps=4, scheduler=lambda o: StepLR(o, 2, gamma=0.0))
    np.testing.assert_allclose(path[:, 0], [1.0, 0.5, 0.25, 0.25, 0.25])


def test_lbfgs_finds_the_rosenbrock_minimum_and_gradient_descent_crawls():
    valley = surfaces.Rosenbrock()
    path, losses = surfaces.run_optimizer(valley, LBFGS, steps=5, line_search_fn="strong_wolfe")
    np.testing.assert_allclose(path[-1], [1.0, 1.0], atol=1e-4)
    _, sgd_losses = surfaces.run_optimizer(valley, SGD, steps=200, lr=1e-3, momentum=0.9)
    assert losses[-1] < 1e-8 < sgd_losses[-1]


def test_double_well_traps_gradient_descent_but_not_heavy_momentum():
    well = surfaces.DoubleWell(0.25)
    local, global_ = well.minima[1], well.minima[0]
    plain, _ = surfaces.run_optimizer(well, SGD, steps=500, lr=0.05)
    heavy, _ = surfaces.run_optimizer(well, SGD, steps=500, lr=0.05, momentum=0.9)
    np.testing.assert_allclose(plain[-1], local, atol=1e-6)
    np.testing.assert_allclose(heavy[-1], global_, atol=1e-6)


def test_random_search_runs_on_a_surface_and_only_goes_down():
    _, losses = surfaces.run_optimizer(surfaces.Rosenbrock(), RandomSearch, steps=100,
                                       scale=0.05, seed=0)
    assert np.all(np.diff(losses) <= 0) and losses[-1] < losses[0]


def test_divergence_is_recorded_not_raised():
    path, losses = surfaces.run_optimizer(surfaces.IllConditionedQuadratic(100.0), Adam,
                                          steps=3, lr=0.1)
    assert np.all(np.isfinite(path))
    _, losses = surfaces.run_optimizer(surfaces.IllConditionedQuadratic(100.0), SGD,
                                       steps=400, lr=0.1)
    assert not np.isfinite(losses[-1]) or losses[-1] > 1e100


def test_get_surface_and_bad_input():
    assert isinstance(surfaces.get_surface("saddle"), surfaces.Saddle)
    assert surfaces.get_surface("quadratic", condition=5.0).condition == 5.0
    with pytest.raises(ValueError, match="unknown surface"):
        surfaces.get_surface("himalaya")
    with pytest.raises(ValueError, match="tilt"):
        surfaces.DoubleWell(0.5)
    with pytest.raises(ValueError, match="condition"):
        surfaces.IllConditionedQuadratic(0.5)
    with pytest.raises(ValueError, match="steps"):
        surfaces.run_optimizer(surfaces.Saddle(), SGD, steps=-1, lr=0.1)
    with pytest.raises(TypeError, match="Optimizer"):
        surfaces.run_optimizer(surfaces.Saddle(), lambda params: object(), steps=1)
