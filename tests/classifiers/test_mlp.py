"""build_mlp's architecture and initialization; MLPClassifier learns what a linear model cannot,
uses dropout only in training, records its history, and rejects bad settings."""

import numpy as np
import pytest

from chainrule.autograd import Tensor
from chainrule.classifiers import LinearClassifier, MLPClassifier, build_mlp
from chainrule.nn import ELU, Dropout, LeakyReLU, Linear, Maxout, ReLU, Sequential, Sigmoid, Tanh


def _rings(n=400, seed=0):
    """Two concentric rings: no line separates them."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    radius = np.where(y == 1, 2.0, 0.8) + rng.normal(scale=0.15, size=n)
    angle = rng.uniform(0, 2 * np.pi, n)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1), y


@pytest.mark.parametrize("activation,layer", [("relu", ReLU), ("leaky_relu", LeakyReLU),
                                              ("elu", ELU), ("tanh", Tanh),
                                              ("sigmoid", Sigmoid)])
def test_build_mlp_layers(activation, layer):
    model = build_mlp(784, (64, 32), 10, activation=activation, dropout=0.25, seed=0)
    assert isinstance(model, Sequential)
    kinds = [type(module) for module in model]
    assert kinds == [Linear, layer, Dropout, Linear, layer, Dropout, Linear]
    shapes = [p.data.shape for p in model.parameters()]
    assert shapes == [(784, 64), (64,), (64, 32), (32,), (32, 10), (10,)]
    assert all(p.data.dtype == np.float32 for p in model.parameters())
    assert model[2].p == 0.25
    assert model(Tensor(np.zeros((5, 784), np.float32))).shape == (5, 10)


def test_build_mlp_initialization_matches_the_activation():
    relu = build_mlp(1000, (500,), 10, activation="relu", seed=1)
    tanh = build_mlp(1000, (500,), 10, activation="tanh", seed=1)
    # He: Var(W) = 2 / fan_in; Glorot: Var(W) = 2 / (fan_in + fan_out)
    assert np.std(relu[0].weight.data) == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    assert np.std(tanh[0].weight.data) == pytest.approx(np.sqrt(2 / 1500), rel=0.02)
    assert np.std(relu[2].weight.data) == pytest.approx(np.sqrt(2 / 510), rel=0.05)
    assert np.all(relu[0].bias.data == 0)


def test_build_mlp_maxout_linear_and_determinism():
    maxout = build_mlp(20, (8, 4), 3, activation="maxout", pieces=3, dropout=0.0, seed=2)
    assert [type(m) for m in maxout] == [Maxout, Maxout, Linear]
    assert maxout[0].linear.weight.data.shape == (20, 8 * 3)
    assert [type(m) for m in build_mlp(20, (), 3)] == [Linear]
    first, second = build_mlp(20, (8,), 3, seed=5), build_mlp(20, (8,), 3, seed=5)
    for a, b in zip(first.parameters(), second.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    third = build_mlp(20, (8,), 3, seed=6)
    assert not np.array_equal(first[0].weight.data, third[0].weight.data)
    assert build_mlp(20, 8, 3)[0].weight.data.shape == (20, 8)  # an int is one layer


@pytest.mark.parametrize("kwargs,message", [
    ({"activation": "swish"}, "activation must be one of"),
    ({"hidden": (8, 0)}, "hidden must be a sequence of positive layer widths"),
    ({"hidden": "wide"}, "hidden must be a sequence of positive layer widths"),
    ({"dropout": 1.0}, r"dropout must be a probability in \[0, 1\)"),
])
def test_build_mlp_rejects_bad_arguments(kwargs, message):
    arguments = {"n_features": 4, "hidden": (8,), "n_classes": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        build_mlp(**arguments)
    estimator_kwargs = {key: value for key, value in kwargs.items()}
    X, y = _rings(40)
    with pytest.raises(ValueError, match="MLPClassifier: " + message.split()[0]):
        MLPClassifier(**estimator_kwargs).fit(X, y)


def test_mlp_separates_what_a_linear_classifier_cannot():
    X, y = _rings()
    linear = LinearClassifier(epochs=30).fit(X, y)
    mlp = MLPClassifier(hidden=(32,), lr=0.01, epochs=40).fit(X, y)
    assert linear.score(X, y) < 0.75
    assert mlp.score(X, y) > 0.97
    X_test, y_test = _rings(seed=1)
    assert mlp.score(X_test, y_test) > 0.95


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "tanh", "sigmoid", "maxout"])
def test_every_activation_trains(activation):
    X, y = _rings(seed=2)
    lr = 0.05 if activation == "sigmoid" else 0.01
    model = MLPClassifier(hidden=(32,), activation=activation, lr=lr, batch_size=64,
                          epochs=40).fit(X, y)
    assert model.score(X, y) > 0.9


def test_model_history_and_probabilities():
    X, y = _rings(seed=3)
    model = MLPClassifier(hidden=(16, 16), lr=0.01, epochs=12).fit(X, y)
    assert isinstance(model.model_, Sequential) and model.n_iter_ == 12
    history = model.history_.epochs
    assert len(history) == 12 and history[-1]["loss"] < history[0]["loss"]
    scores = model.model_.eval()(Tensor(X.astype(np.float32))).data
    np.testing.assert_allclose(model.decision_function(X), scores[:, 1] - scores[:, 0],
                               rtol=1e-5, atol=1e-6)
    probabilities = model.predict_proba(X)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(probabilities.argmax(axis=1), model.predict(X))


def test_dropout_is_on_in_training_and_off_in_prediction():
    X, y = _rings(seed=4)
    model = MLPClassifier(hidden=(64,), dropout=0.5, lr=0.01, epochs=30).fit(X, y)
    np.testing.assert_array_equal(model.decision_function(X), model.decision_function(X))
    assert model.model_.training  # prediction restores the mode it found
    network = model.model_
    a, b = (network(Tensor(X[:50].astype(np.float32))).data for _ in range(2))
    assert not np.allclose(a, b)  # two training-mode passes drop different units
    assert model.score(X, y) > 0.9


def test_same_seed_same_network_and_svm_loss_has_no_proba():
    X, y = _rings(seed=5)
    first = MLPClassifier(hidden=(8,), dropout=0.2, epochs=3, seed=3).fit(X, y)
    second = MLPClassifier(hidden=(8,), dropout=0.2, epochs=3, seed=3).fit(X, y)
    for a, b in zip(first.model_.parameters(), second.model_.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    svm = MLPClassifier(hidden=(8,), loss="svm", epochs=2).fit(X, y)
    assert not hasattr(svm, "predict_proba") and hasattr(first, "predict_proba")


def test_mlp_parameter_errors():
    X, y = _rings(40)
    with pytest.raises(ValueError, match="pieces must be a positive integer"):
        MLPClassifier(activation="maxout", pieces=0).fit(X, y)
    with pytest.raises(ValueError, match="early_stopping needs at least 2 samples"):
        MLPClassifier(early_stopping=True, validation_fraction=0.9).fit(X[:2], [0, 1])
