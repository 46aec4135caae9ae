import dataclasses

import numpy as np
import pytest

from chainrule.data import DatasetNotFoundError, list_datasets, load_dataset
from chainrule.data.dataset import Dataset

from .conftest import DEBIAN_FASHION_DIR


def test_list_datasets():
    assert list_datasets() == [
        "fashion-mnist-mini", "fashion-mnist", "mnist", "cifar10",
        "spiral", "circle", "xor", "blobs",
    ]  # fmt: skip


def test_unknown_name_lists_known_names():
    with pytest.raises(
        ValueError,
        match=r"unknown dataset 'imagenet'; known names: "
        r"fashion-mnist-mini, fashion-mnist, mnist, cifar10",
    ):
        load_dataset("imagenet")


def test_path_like_inputs(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        load_dataset(str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError):
        load_dataset("data.npz")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="expected a folder with one subfolder"):
        load_dataset(tmp_path / "notes.txt")
    with pytest.raises(TypeError, match="name_or_path must be a dataset name or a path"):
        load_dataset(42)


def test_names_are_normalized():
    assert load_dataset(" Fashion_MNIST-Mini ").name == "fashion-mnist-mini"


@pytest.mark.parametrize(("name", "n_classes"), [("spiral", 3), ("circle", 2), ("xor", 2),
                                                 ("blobs", 3)])  # fmt: skip
def test_toy_datasets(name, n_classes):
    ds = load_dataset(name, seed=3)
    assert ds.image_shape == (2,)
    assert ds.n_classes == n_classes
    assert ds.X_train.shape == ds.X_test.shape == (100 * n_classes, 2)
    assert not np.array_equal(ds.X_train, ds.X_test)  # independent draws
    np.testing.assert_array_equal(load_dataset(name, seed=3).X_test, ds.X_test)


def test_dataset_validates_its_fields():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="X_train has 3 samples but y_train has 2"):
        Dataset("d", X, np.array([0, 1]), X, np.array([0, 1, 1]), ["a", "b"])
    with pytest.raises(ValueError, match=r"y_test: labels must be in \[0, 2\)"):
        Dataset("d", X, np.array([0, 1, 1]), X, np.array([0, 1, 2]), ["a", "b"])
    with pytest.raises(ValueError, match="X_train samples have shape"):
        Dataset("d", X, np.array([0, 1, 1]), np.zeros((3, 4)), np.array([0, 1, 1]), ["a", "b"])
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        Dataset("d", X, np.array([0, 1, 1]), X, np.array([0, 1, 1]), ["a", "b"]).class_counts("x")


def test_missing_full_dataset_without_download(monkeypatch, tmp_path):
    from chainrule.data import sources

    spec = sources.REMOTE_DATASETS["fashion-mnist"]
    monkeypatch.setitem(
        sources.REMOTE_DATASETS, "fashion-mnist",
        dataclasses.replace(spec, extra_dirs=()),
    )  # fmt: skip
    with pytest.raises(DatasetNotFoundError, match="train-images-idx3-ubyte.gz") as info:
        load_dataset("fashion-mnist", data_dir=tmp_path, download=False)
    assert str(tmp_path / "fashion-mnist") in str(info.value)


@pytest.mark.skipif(not DEBIAN_FASHION_DIR.is_dir(), reason="Debian's dataset-fashion-mnist "
                    "is not installed")  # fmt: skip
def test_full_fashion_mnist_from_debian_package():
    ds = load_dataset("fashion-mnist", download=False)  # found in /usr/share/datasets
    assert ds.X_train.shape == (60000, 28, 28) and ds.X_test.shape == (10000, 28, 28)
    assert ds.X_train.dtype == np.uint8
    assert ds.y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert ds.y_test[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    np.testing.assert_array_equal(ds.class_counts("train"), [6000] * 10)
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"
    mini = load_dataset("fashion-mnist-mini")
    assert int(mini.X_train.sum()) + int(mini.X_test.sum()) == int(ds.X_test.sum())
