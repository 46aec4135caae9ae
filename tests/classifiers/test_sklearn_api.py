"""scikit-learn's own estimator checks (``check_estimator``), run on every classifier, plus the
estimator protocol (get_params/set_params/clone/repr) checked directly."""

import warnings

import numpy as np
import pytest

from chainrule.classifiers import KNNClassifier, LinearClassifier, MLPClassifier

sklearn_checks = pytest.importorskip("sklearn.utils.estimator_checks")

# small, fast settings for the checks' toy problems (set here, not by changing the defaults)
ESTIMATORS = [
    KNNClassifier(),
    KNNClassifier(k=5, metric="l1", weights="distance"),
    LinearClassifier(epochs=10),
    LinearClassifier(loss="svm", regularization="l1", optimizer="momentum", epochs=10),
    LinearClassifier(optimizer="lbfgs", epochs=3),
    LinearClassifier(optimizer="random-search", regularization=None, lr=0.1, epochs=30,
                     optimizer_options={"samples": 4}),
    MLPClassifier(hidden=(16,), lr=0.01, epochs=10),
    MLPClassifier(hidden=(16, 8), activation="maxout", dropout=0.1, loss="svm",
                  regularization="elasticnet", lr=0.01, epochs=20, early_stopping=True,
                  patience=3),
]


with warnings.catch_warnings():
    # "does not inherit from BaseEstimator": by design, scikit-learn is test-only
    warnings.filterwarnings("ignore", message=".*does not inherit from")
    parametrize_all_checks = sklearn_checks.parametrize_with_checks(ESTIMATORS)


@parametrize_all_checks
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # "does not inherit from BaseEstimator": by design, scikit-learn is test-only
        warnings.filterwarnings("ignore", message=".*does not inherit from")
        check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_get_set_params_and_clone(estimator):
    from sklearn.base import clone, is_classifier

    assert is_classifier(estimator)
    params = estimator.get_params()
    copy = clone(estimator)
    assert copy.get_params() == params and copy is not estimator
    assert copy.set_params(dtype="float64") is copy and copy.dtype == "float64"
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        copy.set_params(nope=1)


def test_repr_shows_changed_parameters_only():
    assert repr(KNNClassifier()) == "KNNClassifier()"
    assert repr(KNNClassifier(k=5, metric="l1")) == "KNNClassifier(k=5, metric='l1')"
    assert repr(MLPClassifier(hidden=(64,), epochs=3)) == "MLPClassifier(epochs=3, hidden=(64,))"


def test_init_only_stores_the_arguments():
    options = {"momentum": 0.5}
    model = LinearClassifier(optimizer_options=options, epochs="not checked until fit")
    assert model.optimizer_options is options and model.epochs == "not checked until fit"
    assert not [name for name in vars(model) if name.endswith("_")]


def test_cross_val_score_and_grid_search_work():
    from sklearn.model_selection import GridSearchCV

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 80)
    X = y[:, None] * 3.0 + rng.normal(size=(80, 2))
    search = GridSearchCV(KNNClassifier(), {"k": [1, 3, 7]}, cv=4).fit(X, y)
    assert search.best_params_["k"] in (1, 3, 7)
    assert search.best_score_ > 0.9
