"""plot_templates / plot_misclassified / plot_confusion_matrix: the drawn images are the data."""

import numpy as np
import pytest

from chainrule import viz

from .helpers import assert_no_temporaries, assert_png

NAMES = ["cat", "dog", "ship"]


def minmax(image):
    image = np.asarray(image, dtype=np.float64)
    return (image - image.min()) / (image.max() - image.min())


def shown_images(fig):
    return [ax.images[0] for ax in fig.axes if ax.images]


def test_templates_are_rescaled_per_class_and_titled(tmp_path):
    rng = np.random.default_rng(0)
    templates = rng.normal(size=(3, 6, 5)) * np.array([1.0, 10.0, 0.01])[:, None, None]
    fig = viz.plot_templates(templates, NAMES, path=tmp_path / "t.png", dpi=30)
    assert_png(tmp_path / "t.png")
    assert_no_temporaries(tmp_path)
    images = shown_images(fig)
    assert len(images) == 3 and len(fig.axes) == 3
    for image, template in zip(images, templates):
        data = np.asarray(image.get_array())
        np.testing.assert_allclose(data, minmax(template), rtol=1e-12)
        assert data.min() == 0.0 and data.max() == 1.0
        assert image.get_clim() == (0.0, 1.0)
    assert [ax.get_title() for ax in fig.axes] == NAMES


def test_templates_from_linear_weights_and_rgb():
    rng = np.random.default_rng(1)
    weight = rng.normal(size=(4 * 4 * 3, 3))  # chainrule's Linear stores W as (D, C)
    fig = viz.plot_templates(weight.T, NAMES, image_shape=(4, 4, 3))
    for image, column in zip(shown_images(fig), weight.T):
        np.testing.assert_allclose(image.get_array(), minmax(column.reshape(4, 4, 3)), rtol=1e-12)
    # Ten classes fill a 2 x 5 grid; a constant template is shown as mid-gray.
    templates = np.zeros((10, 3, 3))
    templates[1] = np.arange(9).reshape(3, 3)
    fig = viz.plot_templates(templates, [f"class {k}" for k in range(10)])
    assert fig.axes[0].get_gridspec().get_geometry() == (2, 5)
    np.testing.assert_array_equal(shown_images(fig)[0].get_array(), np.full((3, 3), 0.5))
    # (C, H, W, 1) is treated as grayscale.
    fig = viz.plot_templates(templates[:3, :, :, None], NAMES)
    assert shown_images(fig)[1].get_array().shape == (3, 3)


@pytest.mark.parametrize("templates, names, kwargs, error, message", [
    (np.zeros((3, 4, 4)), ["a", "b"], {}, ValueError, "expected 3 class_names, got 2"),
    (np.zeros((3, 16)), NAMES, {}, ValueError, "need image_shape="),
    (np.zeros((3, 16)), NAMES, {"image_shape": (5, 5)}, ValueError, "cannot reshape"),
    (np.zeros((3, 4, 4, 2)), NAMES, {}, ValueError, "channels"),
    (np.zeros((0, 4, 4)), [], {}, ValueError, "empty"),
    (np.full((3, 2, 2), np.nan), NAMES, {}, ValueError, "NaN"),
    (np.zeros((3, 2, 2)), "cat", {}, TypeError, "list of names"),
    (np.array([["a"]]), NAMES, {}, TypeError, "real numbers"),
])
def test_template_errors(templates, names, kwargs, error, message):
    with pytest.raises(error, match=message):
        viz.plot_templates(templates, names, **kwargs)


def test_misclassified_grid_shows_the_wrong_images_with_true_and_predicted(tmp_path):
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, size=(12, 5, 5), dtype=np.uint8)
    true = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
    predicted = true.copy()
    wrong = [1, 4, 5, 9, 11]
    predicted[wrong] = (true[wrong] + 1) % 3
    fig = viz.plot_misclassified(images, true, predicted, NAMES, max_images=4,
                                 path=tmp_path / "m.png", dpi=30)
    assert_png(tmp_path / "m.png")
    shown = shown_images(fig)
    assert len(shown) == 4
    titled = [ax.get_title() for ax in fig.axes if ax.images]
    assert titled == [f"{NAMES[true[i]]} → {NAMES[predicted[i]]}" for i in wrong[:4]]
    for image, index in zip(shown, wrong):
        np.testing.assert_array_equal(image.get_array(), images[index])
        assert image.get_clim() == (0, 255)
    assert "5 of 12 misclassified" in fig.get_suptitle()


def test_misclassified_float_rgb_rows_are_rescaled():
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(3, 2 * 2 * 3)).astype(np.float32)
    fig = viz.plot_misclassified(rows, [0, 1, 2], [1, 1, 0], NAMES, image_shape=(2, 2, 3))
    shown = shown_images(fig)
    assert len(shown) == 2
    np.testing.assert_allclose(shown[1].get_array(), minmax(rows[2].reshape(2, 2, 3)), rtol=1e-6)


def test_misclassified_when_all_are_correct():
    fig = viz.plot_misclassified(np.zeros((4, 3, 3)), [0, 1, 2, 0], [0, 1, 2, 0], NAMES)
    assert shown_images(fig) == []
    assert fig.axes[0].texts[0].get_text() == "all 4 images classified correctly"


@pytest.mark.parametrize("true, predicted, kwargs, message", [
    ([0, 1], [0, 1, 2], {}, r"true_labels must have shape \(3,\)"),
    ([0, 1, 3], [0, 1, 2], {}, "has label 3 but only 3 classes"),
    ([0, 1, -1], [0, 1, 2], {}, "must be >= 0"),
    ([0, 1, 2], [0, 1, 2], {"max_images": 0}, "max_images must be >= 1"),
])
def test_misclassified_errors(true, predicted, kwargs, message):
    with pytest.raises(ValueError, match=message):
        viz.plot_misclassified(np.zeros((3, 2, 2)), true, predicted, NAMES, **kwargs)
    with pytest.raises(TypeError, match="integer class labels"):
        viz.plot_misclassified(np.zeros((3, 2, 2)), [0, 1, 2], [0.5, 1, 2], NAMES)


def test_confusion_matrix_image_is_the_row_normalized_matrix(tmp_path):
    counts = np.array([[8, 2, 0], [1, 6, 3], [0, 0, 0]])
    fig = viz.plot_confusion_matrix(counts, NAMES, path=tmp_path / "c.png", dpi=30)
    assert_png(tmp_path / "c.png")
    ax = fig.axes[0]
    expected = np.array([[0.8, 0.2, 0.0], [0.1, 0.6, 0.3], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(ax.images[0].get_array(), expected, rtol=1e-12)
    np.testing.assert_allclose(viz.normalize_confusion(counts), expected, rtol=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == NAMES
    assert [t.get_text() for t in ax.get_yticklabels()] == NAMES
    assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in expected.ravel()]
    assert len(fig.axes) == 2  # the matrix and its colorbar
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_confusion_matrix_counts():
    counts = np.array([[5, 1], [2, 7]])
    fig = viz.plot_confusion_matrix(counts, ["a", "b"], normalize=False, annotate=False)
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), counts)
    assert len(fig.axes[0].texts) == 0
    fig = viz.plot_confusion_matrix(counts, ["a", "b"], normalize=False)
    assert [t.get_text() for t in fig.axes[0].texts] == ["5", "1", "2", "7"]


@pytest.mark.parametrize("matrix, names, message", [
    (np.ones((2, 3)), ["a", "b"], "must be square"),
    (np.array([[1, -1], [0, 1]]), ["a", "b"], "must be >= 0"),
    (np.ones((3, 3)), ["a", "b"], "expected 3 class_names, got 2"),
    (np.ones(3), ["a", "b", "c"], "must be 2-D"),
    (np.array([[1, np.inf], [0, 1]]), ["a", "b"], "NaN or inf"),
])
def test_confusion_matrix_errors(matrix, names, message):
    with pytest.raises(ValueError, match=message):
        viz.plot_confusion_matrix(matrix, names)
