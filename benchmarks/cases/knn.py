"""Case 4: k-nearest-neighbour prediction, 10,000 test against 60,000 training images, k=5, L2.

chainrule's ``KNNClassifier(k=5, metric="l2")`` against scikit-learn's
``KNeighborsClassifier(n_neighbors=5, algorithm="brute")``; each repetition fits and predicts
the whole test set. Ties between equally distant neighbours may be broken differently, so the
agreement of the predictions is reported rather than required.
Target: at least scikit-learn's throughput (advantage >= 1).
"""

from __future__ import annotations

import time

import numpy as np

from .. import data as bench_data
from ..environment import missing_peer_note, peer_available
from ..runner import Contender, Target

CASE = 4
K = 5
MAX_REPEATS = 3  # one repetition predicts 10,000 x 60,000: several seconds


def _timed_fit_predict(make, X_train, y_train, X_test):
    start = time.perf_counter()
    predictions = make().fit(X_train, y_train).predict(X_test)
    elapsed = time.perf_counter() - start
    return len(X_test) / elapsed, predictions


def run(report, settings):
    dataset = bench_data.load(settings.quick)
    X_train, y_train, X_test = dataset.X_train, dataset.y_train, dataset.X_test
    benchmark = f"kNN predict {len(X_test):,} x {len(X_train):,} (k={K}, L2)"
    try:
        from chainrule.classifiers import KNNClassifier
    except ImportError as error:
        KNNClassifier = None
        report.skip(CASE, benchmark, "chainrule", f"chainrule.classifiers.KNNClassifier is not "
                    f"available ({error})")
    have_sklearn = peer_available("scikit-learn")
    makers = {}
    if KNNClassifier is not None:
        makers["chainrule"] = lambda: KNNClassifier(k=K, metric="l2")
    if have_sklearn:
        from sklearn.neighbors import KNeighborsClassifier

        makers["scikit-learn"] = lambda: KNeighborsClassifier(n_neighbors=K, algorithm="brute")
    for make in makers.values():  # warm up on a slice: imports, BLAS buffers
        _timed_fit_predict(make, X_train, y_train, X_test[:64])
    predictions = {}

    def trial(name):
        throughput, predictions[name] = _timed_fit_predict(makers[name], X_train, y_train,
                                                           X_test)
        return throughput

    contenders = [Contender(name, lambda name=name: trial(name)) for name in makers]
    if not contenders:
        return
    rows = report.measure(CASE, benchmark, "throughput", "queries/s", contenders, warmup=0,
                          repeats=min(settings.repeats, MAX_REPEATS),
                          targets=[Target("advantage >= 1", 1.0, peer="scikit-learn")])
    for name, predicted in predictions.items():
        rows[name].details["test_accuracy"] = float(np.mean(predicted == dataset.y_test))
    if len(predictions) == 2:
        rows["chainrule"].details["prediction_agreement_with_sklearn"] = float(
            np.mean(predictions["chainrule"] == predictions["scikit-learn"]))
    if not have_sklearn:
        report.skip(CASE, benchmark, "scikit-learn", missing_peer_note("scikit-learn"))
