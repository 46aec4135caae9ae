import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.data import (
    BatchSampler,
    iterate_minibatches,
    stable_permutation,
    stratified_split_indices,
    train_val_split,
)


def _labels(counts):
    return np.repeat(np.arange(len(counts)), counts)


def test_stable_permutation_is_pinned_across_numpy_versions():
    # Derived from PCG64's raw stream, which NumPy keeps stable; the embedded split relies on it.
    np.testing.assert_array_equal(stable_permutation(10, 0), [3, 2, 1, 8, 6, 0, 7, 4, 5, 9])
    assert sorted(stable_permutation(1000, 5)) == list(range(1000))


def test_train_val_split_is_stratified_disjoint_and_complete():
    y = _labels([50, 30, 20])
    X = np.arange(100)[:, None] * np.ones((1, 3))
    X_tr, y_tr, X_val, y_val = train_val_split(X, y, val_fraction=0.1, seed=0)
    assert X_tr.shape == (90, 3) and X_val.shape == (10, 3)
    np.testing.assert_array_equal(np.bincount(y_val), [5, 3, 2])
    np.testing.assert_array_equal(np.bincount(y_tr), [45, 27, 18])
    ids = np.concatenate([X_tr[:, 0], X_val[:, 0]]).astype(int)
    assert sorted(ids) == list(range(100))
    np.testing.assert_array_equal(y[X_val[:, 0].astype(int)], y_val)  # rows stay paired


def test_split_is_deterministic_for_a_seed_and_changes_with_it():
    y = _labels([40, 40])
    a = stratified_split_indices(y, 0.25, seed=3)
    b = stratified_split_indices(y, 0.25, seed=3)
    c = stratified_split_indices(y, 0.25, seed=4)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(np.sort(a[1]), np.sort(c[1]))


def test_split_order_is_shuffled_not_grouped_by_class():
    y = _labels([1000] * 10)
    keep, held = stratified_split_indices(y, 0.2, seed=0)
    # the first 500 kept samples contain every class in roughly equal numbers
    counts = np.bincount(y[keep[:500]], minlength=10)
    assert counts.min() > 25, counts


def test_largest_remainder_gives_exact_total():
    y = _labels([7, 7, 7])  # 0.2 * 7 = 1.4 per class, 4.2 in all -> 4 held out
    _, held = stratified_split_indices(y, 0.2, seed=0)
    assert held.size == 4
    assert sorted(np.bincount(y[held], minlength=3)) == [1, 1, 2]


def test_generator_seed_and_unstratified_split():
    y = _labels([10, 90])
    rng = np.random.default_rng(0)
    _, held = stratified_split_indices(y, 0.3, seed=rng, stratify=False)
    assert held.size == 30


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"val_fraction": 0.0}, ValueError, r"in \(0, 1\)"),
        ({"val_fraction": 1.5}, ValueError, r"in \(0, 1\)"),
        ({"val_fraction": "0.1"}, TypeError, "fraction must be a float"),
        ({"seed": -1}, TypeError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
    ],
)
def test_train_val_split_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        train_val_split(np.zeros((10, 2)), _labels([5, 5]), **kwargs)


def test_train_val_split_shape_and_label_errors():
    with pytest.raises(ValueError, match=r"same number of samples.*\(10, 2\).*\(9,\)"):
        train_val_split(np.zeros((10, 2)), np.zeros(9, dtype=int))
    with pytest.raises(TypeError, match="integer labels"):
        train_val_split(np.zeros((10, 2)), np.zeros(10))
    with pytest.raises(ValueError, match="empty split"):
        train_val_split(np.zeros((3, 2)), np.arange(3), val_fraction=0.1)


def test_sampler_covers_every_index_once_per_epoch_and_reshuffles():
    sampler = BatchSampler(10, 4, np.random.default_rng(0))
    assert len(sampler) == 3
    first = list(sampler)
    second = list(sampler)
    assert [len(b) for b in first] == [4, 4, 2]
    assert all(b.dtype == np.int64 for b in first)
    assert sorted(np.concatenate(first)) == list(range(10))
    assert sorted(np.concatenate(second)) == list(range(10))
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))


def test_sampler_drop_last_and_no_shuffle():
    sampler = BatchSampler(10, 4, shuffle=False, drop_last=True)
    assert len(sampler) == 2
    batches = list(sampler)
    np.testing.assert_array_equal(np.concatenate(batches), np.arange(8))


def test_sampler_resumes_bit_for_bit_from_generator_state():
    rng = np.random.default_rng(123)
    sampler = BatchSampler(50, 8, rng)
    list(sampler)  # epoch 0
    state = rng.bit_generator.state  # checkpoint before epoch 1
    epoch1 = [b.copy() for b in sampler]
    epoch2 = [b.copy() for b in sampler]
    rng.bit_generator.state = state  # resume from the checkpoint
    np.testing.assert_array_equal(np.concatenate(list(sampler)), np.concatenate(epoch1))
    np.testing.assert_array_equal(np.concatenate(list(sampler)), np.concatenate(epoch2))
    # resuming mid-epoch: skip the batches already done
    rng.bit_generator.state = state
    tail = list(sampler.epoch(skip_batches=3))
    assert len(tail) == len(epoch1) - 3
    for got, want in zip(tail, epoch1[3:], strict=True):
        np.testing.assert_array_equal(got, want)


def test_sampler_uses_only_the_given_generator():
    legacy_state = np.random.get_state()[1].copy()  # noqa: NPY002 - the global state must not move
    rng = np.random.default_rng(7)
    before = rng.bit_generator.state
    list(BatchSampler(20, 3, rng))
    np.testing.assert_array_equal(np.random.get_state()[1], legacy_state)  # noqa: NPY002
    assert rng.bit_generator.state != before
    expected = np.random.default_rng(7).permutation(20)
    np.testing.assert_array_equal(
        np.concatenate(list(BatchSampler(20, 3, np.random.default_rng(7)))), expected
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((10, 0, np.random.default_rng()), {}, ValueError, "batch_size must be >= 1"),
        ((0, 2, np.random.default_rng()), {}, ValueError, "n must be >= 1"),
        ((10, 2.0, np.random.default_rng()), {}, TypeError, "batch_size must be an int"),
        ((10, 2), {}, TypeError, "rng must be a numpy.random.Generator"),
        ((10, 2, 42), {}, TypeError, "rng must be a numpy.random.Generator"),
        ((3, 5, np.random.default_rng()), {"drop_last": True}, ValueError, "no batches"),
    ],
)
def test_sampler_argument_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        BatchSampler(*args, **kwargs)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 200), batch_size=st.integers(1, 64), seed=st.integers(0, 2**32))
def test_sampler_property_each_index_exactly_once(n, batch_size, seed):
    batches = list(BatchSampler(n, batch_size, np.random.default_rng(seed)))
    assert all(len(b) == batch_size for b in batches[:-1])
    assert 1 <= len(batches[-1]) <= batch_size
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))


def test_iterate_minibatches_keeps_pairs_aligned():
    X = np.arange(23)[:, None] * 10
    y = np.arange(23)
    seen = []
    for X_batch, y_batch in iterate_minibatches(X, y, 5, np.random.default_rng(0)):
        np.testing.assert_array_equal(X_batch[:, 0], y_batch * 10)
        seen.extend(y_batch)
    assert sorted(seen) == list(range(23))
    with pytest.raises(ValueError, match="same number of samples"):
        iterate_minibatches(X, y[:-1], 5, np.random.default_rng(0))
