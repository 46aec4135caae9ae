"""Two-dimensional toy datasets for the browser labs and for intuition.

Each ``make_*`` function returns ``(X, y)`` with ``X`` of shape (n, 2) and ``y`` int64 of shape
(n,), samples grouped by class (class 0 first). All randomness comes from
``numpy.random.default_rng(seed)``, so a seed gives the same points on the same machine.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["course_points", "make_blobs", "make_circle", "make_spiral", "make_xor"]


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_scale(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return float(value)


def _check_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def _labels(n_per_class: int, n_classes: int) -> np.ndarray:
    return np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n "spiral" data).

    Arm ``k`` has radius ``r`` from 0 to 1 and angle ``t = 4 (k + r) + noise * N(0, 1)``;
    points are ``(r sin t, r cos t)``. Not linearly separable for ``n_classes >= 2``.

    Parameters
    ----------
    n_per_class : int
        Points per class.
    n_classes : int
        Number of arms (classes), >= 2.
    noise : float
        Standard deviation of the angle noise, in radians.
    seed : int
        Seed of the generator.
    dtype : float32 or float64

    Returns
    -------
    X : ndarray of shape (n_per_class * n_classes, 2)
    y : ndarray of shape (n_per_class * n_classes,), int64
    """
    n = _check_count(n_per_class, "n_per_class", 1)
    k = _check_count(n_classes, "n_classes", 2)
    noise = _check_scale(noise, "noise")
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n), k)
    arm = np.repeat(np.arange(k), n)
    theta = 4.0 * (arm + radius) + noise * rng.standard_normal(n * k)
    X = np.column_stack([radius * np.sin(theta), radius * np.cos(theta)])
    return X.astype(_check_dtype(dtype)), _labels(n, k)


def make_circle(
    n_per_class: int = 100,
    noise: float = 0.1,
    seed: int = 0,
    inner_radius=0.5,
    outer_radius=(0.7, 1.0),
    dtype=np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """Two classes: class 0 inside a disc, class 1 on a ring around it.

    Parameters
    ----------
    n_per_class : int
        Points per class.
    noise : float
        Standard deviation of Gaussian noise added to both coordinates.
    seed : int
        Seed of the generator.
    inner_radius : float
        Radius of the disc of class 0 (points are uniform over its area).
    outer_radius : tuple of float
        ``(r_min, r_max)`` of the ring of class 1.
    dtype : float32 or float64

    Returns
    -------
    X : ndarray of shape (2 * n_per_class, 2)
    y : ndarray of shape (2 * n_per_class,), int64
    """
    n = _check_count(n_per_class, "n_per_class", 1)
    noise = _check_scale(noise, "noise")
    inner = _check_scale(inner_radius, "inner_radius")
    r_min, r_max = (_check_scale(r, "outer_radius") for r in outer_radius)
    if not inner <= r_min <= r_max:
        raise ValueError(
            f"need inner_radius <= outer_radius[0] <= outer_radius[1], got {inner}, "
            f"({r_min}, {r_max})"
        )
    rng = np.random.default_rng(seed)
    # sqrt of a uniform variable gives points uniform over the area, not crowded at the centre
    r_in = inner * np.sqrt(rng.uniform(0.0, 1.0, n))
    r_out = np.sqrt(rng.uniform(r_min**2, r_max**2, n))
    radius = np.concatenate([r_in, r_out])
    angle = rng.uniform(0.0, 2.0 * np.pi, 2 * n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal(X.shape)
    return X.astype(_check_dtype(dtype)), _labels(n, 2)


def make_xor(
    n_per_class: int = 100,
    noise: float = 0.05,
    seed: int = 0,
    margin: float = 0.1,
    dtype=np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """XOR: class 0 in the quadrants where ``x0 * x1 > 0``, class 1 where ``x0 * x1 < 0``.

    Coordinates are uniform in ``[margin, 1]`` in absolute value, with a random sign per
    quadrant, plus Gaussian ``noise``. No line separates the classes.

    Returns
    -------
    X : ndarray of shape (2 * n_per_class, 2)
    y : ndarray of shape (2 * n_per_class,), int64
    """
    n = _check_count(n_per_class, "n_per_class", 1)
    noise = _check_scale(noise, "noise")
    margin = _check_scale(margin, "margin")
    if margin >= 1.0:
        raise ValueError(f"margin must be < 1, got {margin}")
    rng = np.random.default_rng(seed)
    magnitude = rng.uniform(margin, 1.0, (2 * n, 2))
    sign = rng.choice([-1.0, 1.0], 2 * n)
    y = _labels(n, 2)
    # class 0: both coordinates share the sign; class 1: opposite signs
    X = magnitude * np.column_stack([sign, np.where(y == 0, sign, -sign)])
    X += noise * rng.standard_normal(X.shape)
    return X.astype(_check_dtype(dtype)), y


def make_blobs(
    n_per_class: int = 100,
    n_classes: int = 3,
    std: float = 0.3,
    seed: int = 0,
    centers=None,
    dtype=np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs, one per class.

    Parameters
    ----------
    n_per_class : int
        Points per class.
    n_classes : int
        Number of blobs; ignored when ``centers`` is given.
    std : float
        Standard deviation of each blob (isotropic).
    seed : int
        Seed of the generator.
    centers : array-like of shape (n_classes, 2), optional
        Blob centres; default: evenly spaced on the circle of radius 1.5.
    dtype : float32 or float64

    Returns
    -------
    X : ndarray of shape (n_per_class * n_classes, 2)
    y : ndarray of shape (n_per_class * n_classes,), int64
    """
    n = _check_count(n_per_class, "n_per_class", 1)
    std = _check_scale(std, "std")
    if centers is None:
        k = _check_count(n_classes, "n_classes", 1)
        angle = 2.0 * np.pi * np.arange(k) / k
        centers = 1.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[1] != 2 or centers.shape[0] < 1:
            raise ValueError(f"centers must have shape (n_classes, 2), got {centers.shape}")
        if not np.isfinite(centers).all():
            raise ValueError("centers must be finite")
        k = centers.shape[0]
    rng = np.random.default_rng(seed)
    X = np.repeat(centers, n, axis=0) + std * rng.standard_normal((n * k, 2))
    return X.astype(_check_dtype(dtype)), _labels(n, k)


_COURSE_POINTS = (
    ((0.5, 0.4), (0.8, 0.3), (0.3, 0.8)),  # class 0
    ((-0.4, 0.3), (-0.3, 0.7), (-0.7, 0.2)),  # class 1
    ((0.7, -0.4), (0.5, -0.6), (-0.4, -0.5)),  # class 2
)


def course_points(dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The course's nine points in three classes (three per class), used in the linear lab.

    Returns
    -------
    X : ndarray of shape (9, 2)
        ``(0.5, 0.4), (0.8, 0.3), (0.3, 0.8)`` (class 0), ``(-0.4, 0.3), (-0.3, 0.7),
        (-0.7, 0.2)`` (class 1), ``(0.7, -0.4), (0.5, -0.6), (-0.4, -0.5)`` (class 2).
    y : ndarray of shape (9,), int64
        ``[0, 0, 0, 1, 1, 1, 2, 2, 2]``.
    """
    X = np.array(_COURSE_POINTS, dtype=_check_dtype(dtype)).reshape(9, 2)
    return X, _labels(3, 3)
