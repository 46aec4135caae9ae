import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule.data import (
    Flatten,
    Pipeline,
    Scale,
    Standardize,
    SubtractMean,
    preprocessing_from_config,
)


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, size=(50, 4, 3), dtype=np.uint8)
    test = rng.integers(0, 256, size=(7, 4, 3), dtype=np.uint8)
    return train, test


def _roundtrip(step):
    """Save as JSON + npz, the way a model file stores them, and rebuild."""
    config = json.loads(json.dumps(step.get_config()))
    buffer = io.BytesIO()
    np.savez(buffer, **step.get_arrays())
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    return preprocessing_from_config(config, arrays)


def test_scale_divides_by_255_in_float32(images):
    train, test = images
    out = Scale().fit(train).transform(test)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, test / 255.0, rtol=1e-6)
    assert Scale(dtype="float64").fit_transform(train).dtype == np.float64


def test_subtract_mean_uses_training_mean_only(images):
    train, test = images
    step = SubtractMean(dtype="float64").fit(train)
    np.testing.assert_allclose(step.mean_, train.mean(axis=0))
    assert step.mean_.shape == (4, 3)
    np.testing.assert_allclose(step.transform(test), test - train.mean(axis=0))
    np.testing.assert_array_equal(step.get_arrays()["mean"], step.mean_)


def test_standardize_per_feature_matches_numpy(images):
    train, _ = images
    out = Standardize(dtype="float64").fit_transform(train)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1.0, rtol=1e-12)


def test_standardize_global_and_chunked_statistics():
    rng = np.random.default_rng(1)
    X = rng.normal(3.0, 2.0, size=(5000, 6))  # > one 4096-row chunk
    step = Standardize(per_feature=False, dtype="float64").fit(X)
    assert step.mean_.shape == () and step.std_.shape == ()
    np.testing.assert_allclose(step.mean_, X.mean(), rtol=1e-12)
    np.testing.assert_allclose(step.std_, X.std(), rtol=1e-12)
    per_feature = Standardize(dtype="float64").fit(X)
    np.testing.assert_allclose(per_feature.std_, X.std(axis=0), rtol=1e-12)


def test_standardize_constant_feature_is_centred_not_blown_up():
    X = np.column_stack([np.zeros(10), np.arange(10.0)])
    step = Standardize().fit(X)
    assert step.std_[0] == 1.0
    out = step.transform(np.array([[3.0, 4.5]]))
    assert out[0, 0] == pytest.approx(3.0)


def test_flatten_and_its_inverse(images):
    train, test = images
    step = Flatten().fit(train)
    out = step.transform(test)
    assert out.shape == (7, 12) and out.dtype == np.float32
    np.testing.assert_array_equal(step.inverse_transform(out), test.astype(np.float32))


def test_pipeline_equals_manual_composition_and_fits_on_train_only(images):
    train, test = images
    pipe = Pipeline([Scale(), SubtractMean(), Flatten()])
    out_train = pipe.fit_transform(train)
    out_test = pipe.transform(test)
    scaled_train = train.astype(np.float32) / np.float32(255)
    mean = scaled_train.astype(np.float64).mean(axis=0)
    expected = (test.astype(np.float32) / np.float32(255) - mean.astype(np.float32)).reshape(7, -1)
    assert out_train.shape == (50, 12) and out_test.dtype == np.float32
    np.testing.assert_allclose(out_test, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(out_train.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(pipe.inverse_transform(out_test), test, atol=1e-4)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Scale(0.5),
        lambda: SubtractMean(),
        lambda: Standardize(per_feature=False, eps=1e-6),
        lambda: Flatten(dtype="float64"),
        lambda: Pipeline([Scale(), Standardize(), Flatten()]),
        lambda: Pipeline([Pipeline([Scale(), SubtractMean()]), Flatten()]),
    ],
)
def test_serialization_roundtrip_reproduces_transform(images, make):
    train, test = images
    step = make()
    step.fit(train)
    rebuilt = _roundtrip(step)
    assert type(rebuilt) is type(step)
    assert rebuilt.get_config() == step.get_config()
    np.testing.assert_array_equal(rebuilt.transform(test), step.transform(test))


def test_config_contents_and_array_names(images):
    train, _ = images
    pipe = Pipeline([Scale(), Standardize(), Flatten()]).fit(train)
    config = pipe.get_config()
    assert config["type"] == "Pipeline"
    assert config["steps"][0] == {
        "type": "Scale", "dtype": "float32", "factor": 1 / 255, "input_shape": [4, 3]
    }  # fmt: skip
    assert config["steps"][2]["input_shape"] == [4, 3]
    assert sorted(pipe.get_arrays()) == ["1.mean", "1.std"]


def test_unfitted_step_serializes_and_refuses_transform(images):
    step = _roundtrip(SubtractMean())
    assert step.get_arrays() == {}
    with pytest.raises(ValueError, match="not fitted"):
        step.transform(images[0])


def test_transform_rejects_shape_mismatch(images):
    train, _ = images
    pipe = Pipeline([Scale(), Flatten()]).fit(train)
    with pytest.raises(
        ValueError, match=r"expected X of shape \(n, 4, 3\) as in fit, got \(2, 3, 4\)"
    ):
        pipe.transform(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"shape \(n, \.\.\.\)"):
        SubtractMean().fit(train).transform(np.zeros(12))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_transform_and_fit_reject_non_finite(images, bad):
    train, _ = images
    step = Standardize().fit(train)
    X = np.zeros((2, 4, 3))
    X[1, 2, 0] = bad
    with pytest.raises(ValueError, match="1 NaN or inf"):
        step.transform(X)
    with pytest.raises(ValueError, match="NaN or inf"):
        Standardize().fit(X)


def test_type_and_config_errors(images):
    train, _ = images
    with pytest.raises(TypeError, match="numeric"):
        Scale().fit(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="float32 or float64"):
        Scale(dtype="int32")
    with pytest.raises(ValueError, match="non-zero"):
        Scale(0.0)
    with pytest.raises(TypeError, match="step 1 must be a preprocessing step"):
        Pipeline([Scale(), np.mean])
    with pytest.raises(ValueError, match="unknown preprocessing type 'Evil'; known: Pipeline"):
        preprocessing_from_config({"type": "Evil"})
    config = SubtractMean().fit(train).get_config()
    with pytest.raises(ValueError, match="missing array 'mean'"):
        preprocessing_from_config(config, {})
    with pytest.raises(ValueError, match=r"mean has shape \(2,\), expected \(4, 3\)"):
        preprocessing_from_config(config, {"mean": np.zeros(2)})
    with pytest.raises(ValueError, match="invalid Scale config"):
        preprocessing_from_config({"type": "Scale", "bogus": 1, "input_shape": None})


@settings(max_examples=40, deadline=None)
@given(
    X=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=4, min_side=2, max_side=5),
        elements=st.floats(-1e3, 1e3),
    )
)
def test_inverse_transform_undoes_the_pipeline(X):
    pipe = Pipeline([Scale(0.01), SubtractMean(), Standardize(), Flatten()])
    for step in pipe.steps:
        step.dtype = "float64"
    Z = pipe.fit_transform(X)
    assert Z.shape == (X.shape[0], int(np.prod(X.shape[1:])))
    np.testing.assert_allclose(pipe.inverse_transform(Z), X, rtol=1e-9, atol=1e-9)
