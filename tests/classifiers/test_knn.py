"""kNN: distances against a direct computation, neighbors and votes against scikit-learn,
deterministic ties, memory-bounded blocks, cross-validation of k, input errors."""

import numpy as np
import pytest

from chainrule.classifiers import (
    KNNClassifier,
    NotFittedError,
    cross_validate_k,
    k_nearest,
    neighbor_votes,
    pairwise_distances,
)
from chainrule.classifiers.distances import query_block_rows


def _direct_distances(queries, train, metric):
    difference = queries[:, None, :].astype(np.float64) - train[None, :, :]
    if metric == "l2":
        return np.sqrt((difference ** 2).sum(axis=2))
    return np.abs(difference).sum(axis=2)


@pytest.mark.parametrize("metric", ["l2", "l1"])
@pytest.mark.parametrize("max_memory", [1, 5_000, 2**28])
def test_pairwise_distances_match_the_definition(metric, max_memory):
    rng = np.random.default_rng(0)
    queries, train = rng.normal(size=(37, 13)), rng.normal(size=(51, 13))
    expected = _direct_distances(queries, train, metric)
    got = pairwise_distances(queries, train, metric, max_memory=max_memory)
    assert got.shape == (37, 51)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    got32 = pairwise_distances(queries.astype(np.float32), train.astype(np.float32), metric)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, expected, rtol=2e-5, atol=2e-5)


def test_l2_of_a_point_with_itself_is_zero_not_negative():
    rng = np.random.default_rng(1)
    points = rng.random((20, 784), dtype=np.float32) * 255
    distances = pairwise_distances(points, points, "l2")
    assert np.all(distances >= 0)
    assert np.all(np.diag(distances) < 1e-1 * distances[~np.eye(20, dtype=bool)].min())


@pytest.mark.parametrize("metric", ["l2", "l1"])
def test_k_nearest_is_the_sorted_prefix_and_independent_of_block_size(metric):
    rng = np.random.default_rng(2)
    queries, train = rng.normal(size=(40, 6)), rng.normal(size=(70, 6))
    full = _direct_distances(queries, train, metric)
    expected_indices = np.argsort(full, axis=1, kind="stable")[:, :7]
    for max_memory in (1, 3_000, 2**28):
        distances, indices = k_nearest(queries, train, 7, metric, max_memory)
        np.testing.assert_array_equal(indices, expected_indices)
        np.testing.assert_allclose(distances, np.take_along_axis(full, indices, 1), rtol=1e-10)


def test_ties_go_to_the_lower_training_index():
    # every training point is at the same distance (1) from the query
    train = np.array([[1.0, 0], [0, 1], [-1, 0], [0, -1], [0.6, 0.8]])
    query = np.zeros((1, 2))
    for k in range(1, 6):
        distances, indices = k_nearest(query, train, k, "l2")
        np.testing.assert_array_equal(indices[0], np.arange(k))
        np.testing.assert_allclose(distances, 1.0)
    # duplicates in the training set: the first copy is the nearest neighbor
    train = np.array([[5.0], [1.0], [1.0], [1.0], [3.0]])
    _, indices = k_nearest(np.array([[1.0]]), train, 2, "l1")
    np.testing.assert_array_equal(indices, [[1, 2]])


def test_block_rows_respect_the_memory_bound():
    assert query_block_rows(60_000, 4, 2**28) == 2**28 // (60_000 * 16)
    assert query_block_rows(60_000, 4, 10) == 1
    rows = query_block_rows(60_000, 8, 2**30)
    assert rows * 60_000 * (2 * 8 + 8) <= 2**30 < (rows + 1) * 60_000 * (2 * 8 + 8)


def test_votes_uniform_and_distance_weighted():
    labels = np.array([[0, 1, 1], [2, 0, 2]])
    distances = np.array([[1.0, 2.0, 4.0], [0.5, 1.0, 2.0]])
    uniform = neighbor_votes(labels, distances, 3, "uniform")
    np.testing.assert_allclose(uniform, [[1 / 3, 2 / 3, 0], [1 / 3, 0, 2 / 3]])
    weighted = neighbor_votes(labels, distances, 3, "distance")
    np.testing.assert_allclose(weighted[0], np.array([1, 0.5 + 0.25, 0]) / 1.75)
    np.testing.assert_allclose(weighted[1], np.array([1, 0, 2 + 0.5]) / 3.5)
    # an exact duplicate (distance 0) takes the whole vote
    exact = neighbor_votes(np.array([[1, 0, 0]]), np.array([[0.0, 0.1, 0.2]]), 2, "distance")
    np.testing.assert_allclose(exact, [[0, 1]])


@pytest.mark.parametrize("metric,p", [("l2", 2), ("l1", 1)])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("k", [1, 4, 9])
def test_matches_scikit_learn(metric, p, weights, k):
    neighbors = pytest.importorskip("sklearn.neighbors")
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(300, 8)), rng.choice(["cat", "dog", "frog"], size=300)
    X_test = rng.normal(size=(120, 8))
    ours = KNNClassifier(k=k, metric=metric, weights=weights, dtype="float64").fit(X, y)
    reference = neighbors.KNeighborsClassifier(n_neighbors=k, p=p, weights=weights).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, reference.classes_)
    np.testing.assert_allclose(ours.predict_proba(X_test), reference.predict_proba(X_test),
                               atol=1e-12)
    ref_distances, ref_indices = reference.kneighbors(X_test)
    distances, indices = ours.kneighbors(X_test)
    np.testing.assert_array_equal(indices, ref_indices)
    np.testing.assert_allclose(distances, ref_distances, rtol=1e-10)


def test_predict_uses_labels_and_breaks_vote_ties_toward_the_first_class():
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    y = np.array(["b", "b", "a", "a"])
    model = KNNClassifier(k=4).fit(X, y)  # every query: 2 votes each
    np.testing.assert_array_equal(model.predict([[0.0], [10.5]]), ["a", "a"])
    model = KNNClassifier(k=1).fit(X, y)
    np.testing.assert_array_equal(model.predict([[0.2], [10.4], [11.9]]), ["b", "a", "a"])
    assert model.score([[0.2], [10.4]], ["b", "b"]) == 0.5
    # binary decision function: vote share of classes_[1] minus that of classes_[0]
    np.testing.assert_allclose(KNNClassifier(k=4).fit(X, y).decision_function([[3.0]]), [0.0])


def test_one_nearest_neighbor_memorizes_the_training_set():
    rng = np.random.default_rng(4)
    X, y = rng.random((200, 30), dtype=np.float32), rng.integers(0, 10, 200)
    model = KNNClassifier(max_memory=10_000).fit(X, y)
    assert model.score(X, y) == 1.0
    assert model.n_samples_fit_ == 200 and model.n_features_in_ == 30


def test_images_are_flattened():
    rng = np.random.default_rng(5)
    images, y = rng.random((50, 4, 4)), rng.integers(0, 3, 50)
    model = KNNClassifier(k=3).fit(images, y)
    assert model.n_features_in_ == 16
    np.testing.assert_array_equal(model.predict(images), model.predict(images.reshape(50, 16)))


def test_errors_name_the_problem():
    X, y = np.random.default_rng(6).random((10, 3)), np.arange(10) % 2
    with pytest.raises(NotFittedError, match="not fitted"):
        KNNClassifier().predict(X)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        KNNClassifier(k=0).fit(X, y)
    with pytest.raises(ValueError, match="k=11 neighbors requested but only 10"):
        KNNClassifier(k=11).fit(X, y)
    with pytest.raises(ValueError, match="metric must be one of"):
        KNNClassifier(metric="cosine").fit(X, y)
    with pytest.raises(ValueError, match="weights must be one of"):
        KNNClassifier(weights="gaussian").fit(X, y)
    with pytest.raises(ValueError, match="dtype must be a floating type"):
        KNNClassifier(dtype="int32").fit(X, y)
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        KNNClassifier().fit(bad, y)
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match="X contains inf"):
        KNNClassifier().fit(bad, y)
    with pytest.raises(ValueError, match="1 class"):
        KNNClassifier().fit(X, np.zeros(10))
    with pytest.raises(ValueError, match="0 sample"):
        KNNClassifier().fit(np.empty((0, 3)), [])
    with pytest.raises(ValueError, match="X has 10 samples but y has 9"):
        KNNClassifier().fit(X, y[:9])
    model = KNNClassifier().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but KNNClassifier is expecting 3"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match="n_neighbors must be an integer in"):
        model.kneighbors(X, n_neighbors=11)


def test_cross_validate_k_accuracies_match_fold_by_fold_models():
    rng = np.random.default_rng(7)
    centers = rng.normal(scale=3, size=(3, 5))
    y = rng.integers(0, 3, 150)
    X = centers[y] + rng.normal(size=(150, 5))
    result = cross_validate_k(X, y, ks=(1, 5, 15), folds=3, seed=11, dtype="float64")
    assert result.accuracies.shape == (3, 3)
    # recompute each fold with the classifier itself: same permutation, same split
    parts = np.array_split(np.random.default_rng(11).permutation(150), 3)
    for row, k in enumerate((1, 5, 15)):
        for fold, validation in enumerate(parts):
            train = np.concatenate([p for i, p in enumerate(parts) if i != fold])
            model = KNNClassifier(k=k, dtype="float64").fit(X[train], y[train])
            assert result.accuracies[row, fold] == model.score(X[validation], y[validation])
    np.testing.assert_allclose(result.mean, result.accuracies.mean(axis=1))
    np.testing.assert_allclose(result.std, result.accuracies.std(axis=1))
    assert result.best_k in (1, 5, 15)
    assert result.mean[list(result.ks).index(result.best_k)] == result.mean.max()
    assert result.mean.max() > 0.9  # well-separated blobs


def test_cross_validate_k_rejects_bad_arguments():
    X, y = np.random.default_rng(8).random((20, 2)), np.arange(20) % 2
    with pytest.raises(ValueError, match="exceeds the 16 training samples"):
        cross_validate_k(X, y, ks=(1, 17), folds=5)
    with pytest.raises(ValueError, match="folds must be an integer >= 2"):
        cross_validate_k(X, y, folds=1)
    with pytest.raises(ValueError, match="ks must be a non-empty sequence"):
        cross_validate_k(X, y, ks=(0, 1))


def test_selection_split_across_cores_matches_the_single_call():
    from chainrule.classifiers.distances import _k_smallest, _k_smallest_parallel

    rng = np.random.default_rng(3)
    block = rng.integers(0, 50, (64, 20_000)).astype(np.float32)  # many ties
    for k in (1, 5, 12):
        np.testing.assert_array_equal(_k_smallest_parallel(block, k), _k_smallest(block, k))
