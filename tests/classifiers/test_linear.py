"""LinearClassifier: the same minimizer as scikit-learn's logistic regression, coef_/intercept_/
templates_, probabilities only for softmax, the optimizers by name, errors."""

import numpy as np
import pytest

from chainrule.classifiers import LinearClassifier, NotFittedError, default_image_shape
from chainrule.nn import Linear
from chainrule.train import History, TrainingDiverged


def _blobs(n=240, n_features=6, n_classes=3, seed=0, scale=2.0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=scale, size=(n_classes, n_features))
    y = rng.integers(0, n_classes, n)
    return centers[y] + rng.normal(size=(n, n_features)), y


def test_lbfgs_softmax_finds_the_logistic_regression_minimizer():
    # ours: mean cross-entropy + lambda ||W||^2; scikit-learn: C sum cross-entropy + ||W||^2 / 2.
    # The two objectives are proportional for lambda = 1 / (2 C N): same unique minimizer.
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = _blobs(scale=1.0)
    C = 0.5
    strength = 1.0 / (2 * C * len(X))
    ours = LinearClassifier(optimizer="lbfgs", epochs=10, strength=strength, dtype="float64",
                            optimizer_options={"max_iter": 100, "tolerance_grad": 1e-10,
                                               "tolerance_change": 1e-14,
                                               "line_search_fn": "strong_wolfe"}).fit(X, y)
    reference = linear_model.LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-5)
    # scikit-learn centres the unpenalized intercepts; ours are defined up to a constant
    np.testing.assert_allclose(ours.intercept_ - ours.intercept_.mean(),
                               reference.intercept_ - reference.intercept_.mean(), atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-6)


def test_coef_intercept_and_scores_are_the_linear_layer():
    X, y = _blobs()
    model = LinearClassifier(epochs=3).fit(X, y)
    assert isinstance(model.model_, Linear)
    assert model.coef_.shape == (3, 6) and model.intercept_.shape == (3,)
    np.testing.assert_array_equal(model.coef_, model.model_.weight.data.T)
    expected = X.astype(np.float32) @ model.coef_.T + model.intercept_
    np.testing.assert_allclose(model.decision_function(X), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(model.predict(X), model.classes_[expected.argmax(axis=1)])
    probabilities = model.predict_proba(X)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    shifted = np.exp(expected - expected.max(axis=1, keepdims=True))
    np.testing.assert_allclose(probabilities, shifted / shifted.sum(1, keepdims=True), rtol=1e-4)


def test_binary_decision_function_is_the_score_difference():
    X, y = _blobs(n_classes=2)
    labels = np.where(y == 1, "yes", "no")
    model = LinearClassifier(epochs=5).fit(X, labels)
    scores = X.astype(np.float32) @ model.coef_.T + model.intercept_
    decision = model.decision_function(X)
    assert decision.shape == (len(X),)
    np.testing.assert_allclose(decision, scores[:, 1] - scores[:, 0], rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(model.predict(X), np.where(decision > 0, "yes", "no"))
    assert model.score(X, labels) > 0.9


def test_svm_has_scores_but_no_probabilities():
    X, y = _blobs()
    model = LinearClassifier(loss="svm", epochs=10).fit(X, y)
    assert not hasattr(model, "predict_proba")
    with pytest.raises(AttributeError, match="only the softmax loss gives probabilities"):
        model.predict_proba(X)
    assert hasattr(LinearClassifier(), "predict_proba")
    assert model.score(X, y) > 0.9
    # the trained model satisfies most of the hinge margins it was trained on
    scores = model.decision_function(X)
    correct = scores[np.arange(len(y)), y][:, None]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(len(y)), y] = 0
    history = model.history_.epochs
    assert margins.sum(axis=1).mean() == pytest.approx(history[-1]["data_loss"], abs=0.1)
    assert history[-1]["data_loss"] < 0.5 * history[0]["data_loss"]


def test_templates_take_the_image_shape_from_the_data_or_the_parameter():
    rng = np.random.default_rng(1)
    y = np.arange(40) % 2
    flat = LinearClassifier(epochs=1).fit(rng.random((40, 16)), y)
    assert flat.templates_.shape == (2, 4, 4)
    np.testing.assert_array_equal(flat.templates_[1], flat.coef_[1].reshape(4, 4))
    images = LinearClassifier(epochs=1).fit(rng.random((40, 2, 8)), y)
    assert images.templates_.shape == (2, 2, 8)
    given = LinearClassifier(epochs=1, image_shape=(8, 2)).fit(rng.random((40, 16)), y)
    assert given.templates_.shape == (2, 8, 2)
    assert LinearClassifier(epochs=1).fit(rng.random((40, 10)), y).templates_ is None
    assert default_image_shape(784) == (28, 28)
    assert default_image_shape(3072) == (32, 32, 3)
    assert default_image_shape(10) is None
    with pytest.raises(ValueError, match="image_shape must be a tuple of positive sizes whose "
                                         "product is n_features=16"):
        LinearClassifier(epochs=1, image_shape=(3, 5)).fit(rng.random((40, 16)), y)


def test_regularization_shrinks_the_weights():
    X, y = _blobs(seed=2)
    norms = {}
    for strength in (0.0, 1e-2, 1e-1):
        model = LinearClassifier(strength=strength, epochs=30, seed=0).fit(X, y)
        norms[strength] = np.sum(model.coef_ ** 2)
    assert norms[0.0] > norms[1e-2] > norms[1e-1]
    l1 = LinearClassifier(regularization="l1", strength=0.05, epochs=30).fit(X, y)
    none = LinearClassifier(regularization=None, epochs=30).fit(X, y)
    assert np.abs(l1.coef_).sum() < 0.7 * np.abs(none.coef_).sum()
    assert LinearClassifier(regularization="elasticnet", epochs=5).fit(X, y).score(X, y) > 0.8


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                       "adam", "adamw", "lbfgs"])
def test_every_optimizer_learns_the_blobs(optimizer):
    X, y = _blobs(seed=3)
    lr = {"adam": 0.05, "adamw": 0.05}.get(optimizer)  # None: the optimizer's usual rate
    model = LinearClassifier(optimizer=optimizer, lr=lr, epochs=10).fit(X, y)
    assert model.score(X, y) > 0.9
    assert model.n_iter_ == 10 and len(model.history_.epochs) == 10


def test_random_search_improves_on_its_start_without_gradients():
    X, y = _blobs(seed=4)
    model = LinearClassifier(optimizer="random-search", lr=0.05, epochs=40, regularization=None,
                             optimizer_options={"samples": 3}).fit(X, y)
    losses = [row["data_loss"] for row in model.history_.epochs]
    assert losses[-1] < losses[0] - 0.3
    assert all(later <= earlier + 1e-6 for earlier, later in zip(losses, losses[1:]))
    assert model.score(X, y) > 0.8
    assert model.history_.epochs[0]["lr"] == 0.05  # recorded as the step scale


def test_schedule_and_warmup_shape_the_learning_rate():
    X, y = _blobs(n=256)  # 2 steps of 128 per epoch
    cosine = LinearClassifier(schedule="cosine", lr=0.1, epochs=4).fit(X, y)
    lrs = [row["lr"] for row in cosine.history_.epochs]
    assert lrs == sorted(lrs, reverse=True) and lrs[0] < 0.1 and lrs[-1] < 0.02
    warm = LinearClassifier(schedule="constant", warmup=2, lr=0.1, epochs=4).fit(X, y)
    lrs = [row["lr"] for row in warm.history_.epochs]
    assert lrs[0] < lrs[1] <= 0.1 and lrs[2] == lrs[3] == pytest.approx(0.1)


def test_same_seed_same_model_different_seed_different_model():
    X, y = _blobs(seed=5)
    first = LinearClassifier(epochs=3, seed=7).fit(X, y)
    second = LinearClassifier(epochs=3, seed=7).fit(X, y)
    np.testing.assert_array_equal(first.coef_, second.coef_)
    other = LinearClassifier(epochs=3, seed=8).fit(X, y)
    assert not np.array_equal(first.coef_, other.coef_)
    assert isinstance(first.history_, History)


def test_early_stopping_holds_out_a_validation_set_and_keeps_the_best_epoch():
    rng = np.random.default_rng(6)
    X, y = _blobs(n=300, seed=6, scale=0.6)
    y = np.where(rng.random(300) < 0.3, rng.integers(0, 3, 300), y)  # noisy labels
    model = LinearClassifier(early_stopping=True, patience=2, epochs=200, lr=0.5,
                             schedule="constant").fit(X, y)
    history = model.history_.epochs
    assert model.n_iter_ == len(history) < 200
    val = [row["val_accuracy"] for row in history]
    assert all(v is not None for v in val)
    best = int(np.argmax(val))
    assert len(history) == best + 1 + 2  # stopped `patience` epochs after the best


def test_errors_name_the_problem():
    X, y = _blobs()
    for params, message in [({"loss": "hinge"}, "loss must be one of"),
                            ({"optimizer": "newton"}, "optimizer must be one of"),
                            ({"schedule": "exp"}, "schedule must be one of"),
                            ({"lr": -1.0}, "lr must be a positive number"),
                            ({"epochs": 0}, "epochs must be a positive integer"),
                            ({"batch_size": 1.5}, "batch_size must be a positive integer"),
                            ({"strength": -1.0}, "strength must be a finite number >= 0"),
                            ({"regularization": "l3"}, "unknown regularization"),
                            ({"warmup": 20}, "warmup must be a number of epochs in"),
                            ({"validation_fraction": 1.0}, "validation_fraction must be in"),
                            ({"dtype": "int8"}, "dtype must be a floating type")]:
        with pytest.raises(ValueError, match=message):
            LinearClassifier(**params).fit(X, y)
    with pytest.raises(TypeError, match="optimizer_options must be a dict"):
        LinearClassifier(optimizer_options=[1]).fit(X, y)
    with pytest.raises(NotFittedError, match="call fit"):
        LinearClassifier().coef_  # noqa: B018
    with pytest.raises(NotFittedError, match="call fit"):
        LinearClassifier().predict(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        LinearClassifier().fit(bad, y)
    with pytest.raises(ValueError, match="y has 1 class"):
        LinearClassifier().fit(X, np.ones(len(X)))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        LinearClassifier().fit(X, np.linspace(0, 1, len(X)))
    model = LinearClassifier(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but LinearClassifier is expecting"):
        model.predict(X[:, :5])
    with pytest.raises(ValueError, match="Reshape your data"):
        model.predict(X[0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow that diverges
def test_a_failed_refit_leaves_the_estimator_unfitted():
    X, y = _blobs()
    model = LinearClassifier(epochs=2).fit(X, y)
    model.set_params(lr=1e30, schedule="constant", regularization=None)
    with pytest.raises(TrainingDiverged):
        model.fit(X * 1e30, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
