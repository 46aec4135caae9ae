import numpy as np
import pytest

from chainrule.data import course_points, make_blobs, make_circle, make_spiral, make_xor

MAKERS = [make_spiral, make_circle, make_xor, make_blobs]


@pytest.mark.parametrize("make", MAKERS)
def test_shapes_dtypes_and_balanced_labels(make):
    X, y = make(n_per_class=40)
    n_classes = 3 if make in (make_spiral, make_blobs) else 2
    assert X.shape == (40 * n_classes, 2) and X.dtype == np.float64
    assert y.shape == (40 * n_classes,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [40] * n_classes)
    assert np.isfinite(X).all()


@pytest.mark.parametrize("make", MAKERS)
def test_seeded_determinism_and_float32(make):
    X1, y1 = make(seed=5)
    X2, y2 = make(seed=5)
    X3, _ = make(seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    X32, _ = make(seed=5, dtype=np.float32)
    assert X32.dtype == np.float32
    np.testing.assert_allclose(X32, X1, rtol=1e-6, atol=1e-7)


def test_spiral_without_noise_follows_the_cs231n_arms():
    X, y = make_spiral(n_per_class=5, n_classes=4, noise=0.0)
    for arm in range(4):
        points = X[y == arm]
        np.testing.assert_allclose(points[0], [0.0, 0.0], atol=1e-12)  # r = 0
        t = 4.0 * (arm + 1)  # r = 1 at the end of arm k: t = 4(k + 1)
        np.testing.assert_allclose(points[-1], [np.sin(t), np.cos(t)], atol=1e-12)
        np.testing.assert_allclose(np.hypot(*points.T), np.linspace(0, 1, 5), atol=1e-12)


def test_circle_without_noise_has_disc_and_ring():
    X, y = make_circle(n_per_class=500, noise=0.0)
    radius = np.hypot(*X.T)
    assert radius[y == 0].max() <= 0.5
    assert radius[y == 1].min() >= 0.7 and radius[y == 1].max() <= 1.0


def test_xor_without_noise_labels_by_quadrant():
    X, y = make_xor(n_per_class=300, noise=0.0, margin=0.1)
    product = X[:, 0] * X[:, 1]
    assert (product[y == 0] > 0).all() and (product[y == 1] < 0).all()
    assert np.abs(X).min() >= 0.1
    # all four quadrants are used
    assert len({(a, b) for a, b in np.sign(X).astype(int)}) == 4


def test_blobs_centres():
    centers = [[-2.0, 0.0], [2.0, 1.0]]
    X, y = make_blobs(n_per_class=2000, std=0.1, centers=centers)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), centers[0], atol=0.01)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), centers[1], atol=0.01)
    np.testing.assert_allclose(X[y == 1].std(axis=0), [0.1, 0.1], rtol=0.05)


def test_course_points_exact():
    X, y = course_points()
    np.testing.assert_array_equal(
        X,
        [[0.5, 0.4], [0.8, 0.3], [0.3, 0.8],
         [-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2],
         [0.7, -0.4], [0.5, -0.6], [-0.4, -0.5]],
    )  # fmt: skip
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert y.dtype == np.int64 and X.dtype == np.float64


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: make_spiral(n_per_class=0), ValueError, "n_per_class must be >= 1"),
        (lambda: make_spiral(n_classes=1), ValueError, "n_classes must be >= 2"),
        (lambda: make_spiral(n_classes=2.5), TypeError, "n_classes must be an int"),
        (lambda: make_circle(noise=-0.1), ValueError, "noise must be finite and >= 0"),
        (lambda: make_circle(inner_radius=0.9), ValueError, "inner_radius <="),
        (lambda: make_xor(margin=1.0), ValueError, "margin must be < 1"),
        (lambda: make_blobs(centers=[1.0, 2.0]), ValueError, r"shape \(n_classes, 2\)"),
        (lambda: make_blobs(dtype=np.int32), TypeError, "float32 or float64"),
    ],
)
def test_argument_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
