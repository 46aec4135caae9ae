"""2-D loss surfaces for teaching optimization, and a runner that records an optimizer's path.

    >>> from chainrule.optim import SGD, surfaces
    >>> bowl = surfaces.IllConditionedQuadratic(condition=10.0)
    >>> path, losses = surfaces.run_optimizer(bowl, SGD, start=(-4.0, 1.0), steps=50, lr=0.05)
    >>> path.shape, bool(losses[-1] < losses[0])
    ((51, 2), True)

Each surface evaluates f and its gradient on points of shape (..., 2) (vectorized, so a plot
can evaluate a whole grid), knows its minima and a suggested start and plotting window.
"""

from __future__ import annotations

import numpy as np

from ..nn import Parameter
from .optimizer import Optimizer, check_number


def _split(point):
    point = np.asarray(point, dtype=np.float64)
    if point.shape[-1:] != (2,):
        raise ValueError(f"surfaces: points must have shape (..., 2), got shape {point.shape}")
    return point[..., 0], point[..., 1]


class Surface:
    """A 2-D test function f(x, y) with its gradient.

    Attributes
    ----------
    name : str
    minima : ndarray of shape (k, 2)
        Known (local or global) minimizers; empty for a saddle, which has none.
    start : (float, float)
        A start point that shows the surface's difficulty.
    bounds : ((float, float), (float, float))
        (x range, y range) for plots.
    """

    name = "surface"
    minima = np.zeros((0, 2))
    start = (0.0, 0.0)
    bounds = ((-1.0, 1.0), (-1.0, 1.0))

    def value(self, point):  # pragma: no cover - abstract
        """f at ``point`` of shape (..., 2); returns shape (...)."""
        raise NotImplementedError

    def gradient(self, point):  # pragma: no cover - abstract
        """(df/dx, df/dy) at ``point`` of shape (..., 2); returns shape (..., 2)."""
        raise NotImplementedError

    def __call__(self, point):
        return self.value(point)

    def grid(self, resolution=100):
        """(X, Y, Z) over ``bounds`` for contour plots; each of shape (resolution, resolution)."""
        (x0, x1), (y0, y1) = self.bounds
        xs, ys = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
        return xs, ys, self.value(np.stack([xs, ys], axis=-1))

    def __repr__(self):
        return f"{type(self).__name__}()"


class IllConditionedQuadratic(Surface):
    r"""f(x, y) = (x^2 + kappa y^2) / 2: a bowl whose Hessian diag(1, kappa) has condition
    number kappa. Plain gradient descent must take lr < 2 / kappa to stay stable along y, and
    then crawls along x ("jitter along the steep direction, slow progress along the shallow
    one"); momentum and adaptive methods fix this."""

    name = "ill-conditioned quadratic"
    minima = np.zeros((1, 2))
    start = (-4.0, 1.0)
    bounds = ((-5.0, 5.0), (-2.0, 2.0))

    def __init__(self, condition=20.0):
        self.condition = check_number("IllConditionedQuadratic", "condition", condition, 1.0)

    def value(self, point):
        x, y = _split(point)
        return 0.5 * (x * x + self.condition * y * y)

    def gradient(self, point):
        x, y = _split(point)
        return np.stack([x, self.condition * y], axis=-1)

    def __repr__(self):
        return f"IllConditionedQuadratic(condition={self.condition})"


class Saddle(Surface):
    """f(x, y) = x^2 - y^2: a saddle point at the origin (gradient 0, neither min nor max).

    Started near the ridge (y close to 0) the gradient along y is tiny, so SGD lingers there,
    while RMSProp and Adam divide by the gradient's size and leave at a rate set by lr."""

    name = "saddle"
    start = (1.0, 1e-3)
    bounds = ((-1.5, 1.5), (-1.5, 1.5))

    def value(self, point):
        x, y = _split(point)
        return x * x - y * y

    def gradient(self, point):
        x, y = _split(point)
        return np.stack([2 * x, -2 * y], axis=-1)


class Rosenbrock(Surface):
    """f(x, y) = (a - x)^2 + b (y - x^2)^2 (Rosenbrock 1960): a curved, narrow valley with the
    minimum at (a, a^2); easy to find the valley, hard to follow it."""

    name = "Rosenbrock"
    start = (-1.5, 2.0)
    bounds = ((-2.0, 2.0), (-1.0, 3.0))

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = float(a), float(b)
        self.minima = np.array([[self.a, self.a**2]])

    def value(self, point):
        x, y = _split(point)
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def gradient(self, point):
        x, y = _split(point)
        inner = y - x * x
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * inner, 2 * self.b * inner], axis=-1)

    def __repr__(self):
        return f"Rosenbrock(a={self.a}, b={self.b})"


class DoubleWell(Surface):
    r"""f(x, y) = x^4/4 - x^2/2 + tilt x + y^2/2: two valleys, a shallow local minimum at
    x > 0 and the global one at x < 0 (for 0 < tilt < 2 / (3 sqrt 3) = 0.385). Gradient
    descent started on the right stays in the local minimum; momentum can roll over the hump.
    """

    name = "double well"
    start = (1.8, 1.0)
    bounds = ((-2.0, 2.0), (-1.5, 1.5))

    def __init__(self, tilt=0.25):
        self.tilt = check_number("DoubleWell", "tilt", tilt)
        if not self.tilt < 2 / (3 * np.sqrt(3)):
            raise ValueError(f"DoubleWell: tilt must be < {2 / (3 * np.sqrt(3)):.4f} for two "
                             f"minima, got {tilt!r}")
        # stationary points along x: x^3 - x + tilt = 0; the outer two roots are the minima
        roots = np.sort(np.roots([1.0, 0.0, -1.0, self.tilt]).real)
        self.minima = np.array([[roots[0], 0.0], [roots[2], 0.0]])

    def value(self, point):
        x, y = _split(point)
        return x**4 / 4 - x * x / 2 + self.tilt * x + y * y / 2

    def gradient(self, point):
        x, y = _split(point)
        return np.stack([x**3 - x + self.tilt, y], axis=-1)

    def __repr__(self):
        return f"DoubleWell(tilt={self.tilt})"


SURFACES = {
    "quadratic": IllConditionedQuadratic,
    "saddle": Saddle,
    "rosenbrock": Rosenbrock,
    "double-well": DoubleWell,
}


def get_surface(name, **kwargs):
    """A surface by name: quadratic | saddle | rosenbrock | double-well."""
    if name not in SURFACES:
        raise ValueError(f"get_surface: unknown surface {name!r}; expected one of "
                         f"{sorted(SURFACES)}")
    return SURFACES[name](**kwargs)


def run_optimizer(surface, optimizer, start=None, steps=100, scheduler=None, **optimizer_kwargs):
    """Run a chainrule optimizer on a 2-D surface and record where it goes.

    Parameters
    ----------
    surface : Surface
    optimizer : Optimizer subclass or callable
        Called as ``optimizer([point], **optimizer_kwargs)`` (e.g. ``SGD`` with ``lr=0.1``, or
        ``lambda params: Adam(params, lr=0.1)``).
    start : (float, float), optional
        Default: ``surface.start``.
    steps : int
        Number of ``optimizer.step()`` calls (each one L-BFGS step may run several iterations).
    scheduler : callable, optional
        ``scheduler(optimizer)`` returns an LRScheduler, stepped after each step.

    Returns
    -------
    path : ndarray of shape (steps + 1, 2)
        The start point and the point after each step.
    losses : ndarray of shape (steps + 1,)
        f along the path. A diverging run is recorded as it is (inf or nan).
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"run_optimizer: steps must be an integer >= 0, got {steps!r}")
    start = surface.start if start is None else start
    point = Parameter(np.array(start, dtype=np.float64).reshape(2))
    instance = optimizer([point], **optimizer_kwargs)
    if not isinstance(instance, Optimizer):
        raise TypeError(f"run_optimizer: optimizer must build a chainrule Optimizer, got "
                        f"{type(instance).__name__}")
    schedule = scheduler(instance) if scheduler is not None else None

    def closure():
        point.grad = surface.gradient(point.data)
        return float(surface.value(point.data))

    path = np.empty((steps + 1, 2))
    path[0] = point.data
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            instance.step(closure)
            if schedule is not None:
                schedule.step()
            path[step + 1] = point.data
        losses = surface.value(path)
    return path, losses
