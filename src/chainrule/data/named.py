"""Loaders of the named datasets: the embedded mini set, Fashion-MNIST, MNIST and CIFAR-10."""

from __future__ import annotations

import gzip
import hashlib
import os
from importlib import resources

import numpy as np

from . import sources
from .cifar import CIFAR10_BATCH_DIR, read_cifar10_archive, read_cifar10_dir
from .dataset import Dataset
from .errors import ChecksumError, DatasetNotFoundError
from .idx import parse_idx, read_idx
from .remote import ensure_files, find_files, search_dirs, verify_file
from .splits import stratified_split_indices

__all__ = [
    "MINI_SPLIT_SEED",
    "load_cifar10",
    "load_fashion_mnist",
    "load_fashion_mnist_mini",
    "load_mnist",
]

# The embedded set: Fashion-MNIST's test split (Debian's gzip files, shipped unchanged).
MINI_FILES = {
    "images": ("t10k-images-idx3-ubyte.gz",
               "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
    "labels": ("t10k-labels-idx1-ubyte.gz",
               "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"),
}  # fmt: skip
MINI_SPLIT_SEED = 2017  # the year of Fashion-MNIST; changing it changes the published split
MINI_TEST_FRACTION = 0.2  # 8,000 train / 2,000 test, 800 / 200 per class


def _read_embedded(filename: str, sha256: str) -> bytes:
    data = resources.files(__package__).joinpath("embedded", filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ChecksumError(
            f"embedded file chainrule/data/embedded/{filename} is corrupted: expected sha256 "
            f"{sha256}, got {digest}; reinstall chainrule"
        )
    return gzip.decompress(data)


def load_fashion_mnist_mini() -> Dataset:
    """The embedded ``fashion-mnist-mini``: 8,000 train / 2,000 test images, offline.

    Fashion-MNIST's 10,000 test images, split stratified (800 train / 200 test per class) by
    :func:`~chainrule.data.splits.stratified_split_indices` with the fixed seed
    ``MINI_SPLIT_SEED``; the split is the same on every machine and NumPy version. The shipped
    files' SHA-256 is checked on every load.

    Returns
    -------
    Dataset
        ``X_train`` uint8 (8000, 28, 28), ``X_test`` uint8 (2000, 28, 28), 10 classes.
    """
    images_name, images_sha = MINI_FILES["images"]
    labels_name, labels_sha = MINI_FILES["labels"]
    X = parse_idx(_read_embedded(images_name, images_sha), f"embedded/{images_name}")
    y = parse_idx(_read_embedded(labels_name, labels_sha), f"embedded/{labels_name}")
    y = y.astype(np.int64)
    train_idx, test_idx = stratified_split_indices(y, MINI_TEST_FRACTION, MINI_SPLIT_SEED)
    return Dataset(
        name="fashion-mnist-mini",
        X_train=X[train_idx],
        y_train=y[train_idx],
        X_test=X[test_idx],
        y_test=y[test_idx],
        classes=list(sources.FASHION_MNIST_CLASSES),
    )


def _load_idx_dataset(name, data_dir, download, mirror, timeout) -> Dataset:
    spec = sources.REMOTE_DATASETS[name]
    paths = ensure_files(
        name,
        list(spec.files.values()),
        official_url=spec.url,
        data_dir=data_dir,
        download=download,
        mirror=mirror,
        extra_dirs=spec.extra_dirs,
        timeout=timeout,
    )
    arrays = {role: read_idx(paths[f.name]) for role, f in spec.files.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or labels.shape != (images.shape[0],):
            raise ValueError(
                f"{name}: {split} images of shape {images.shape} do not match labels of shape "
                f"{labels.shape}; expected (n, H, W) and (n,)"
            )
    return Dataset(
        name=name,
        X_train=arrays["train_images"],
        y_train=arrays["train_labels"].astype(np.int64),
        X_test=arrays["test_images"],
        y_test=arrays["test_labels"].astype(np.int64),
        classes=list(spec.classes),
    )


def load_fashion_mnist(
    data_dir=None, download: bool = True, mirror: str | None = None, timeout: float = 60.0
) -> Dataset:
    """Fashion-MNIST: 60,000 train / 10,000 test, uint8 (n, 28, 28), 10 classes.

    Looked up in ``data_dir``, ``$CHAINRULE_DATA/fashion-mnist``, the cache and Debian's
    ``/usr/share/datasets/fashion-mnist``; downloaded from Zalando's server if missing (see
    :mod:`chainrule.data.remote`).
    """
    return _load_idx_dataset("fashion-mnist", data_dir, download, mirror, timeout)


def load_mnist(
    data_dir=None, download: bool = True, mirror: str | None = None, timeout: float = 60.0
) -> Dataset:
    """MNIST digits: 60,000 train / 10,000 test, uint8 (n, 28, 28), classes "0".."9"."""
    return _load_idx_dataset("mnist", data_dir, download, mirror, timeout)


def _find_cifar_dir(dirs) -> str | None:
    for folder in dirs:
        candidate = folder / CIFAR10_BATCH_DIR
        if candidate.is_dir():
            return os.fspath(candidate)
    return None


def load_cifar10(
    data_dir=None, download: bool = True, mirror: str | None = None, timeout: float = 600.0
) -> Dataset:
    """CIFAR-10: 50,000 train / 10,000 test, uint8 (n, 32, 32, 3), 10 classes.

    Reads ``cifar-10-python.tar.gz`` (SHA-256 verified first) in memory, or, if only an
    extracted ``cifar-10-batches-py`` folder is found, its batches (MD5-verified, the only
    published checksums). Downloads the archive (~163 MiB) if neither is found.
    """
    spec = sources.REMOTE_DATASETS["cifar10"]
    archive_spec = spec.files["archive"]
    dirs = search_dirs("cifar10", data_dir, spec.extra_dirs)
    archive = find_files([archive_spec], dirs)[archive_spec.name]
    folder = _find_cifar_dir(dirs) if archive is None else None
    if folder is not None:
        for batch_spec in sources.CIFAR10_BATCH_SPECS:
            path = os.path.join(folder, batch_spec.name)
            if os.path.isfile(path):
                verify_file(path, batch_spec)
        X_train, y_train, X_test, y_test, classes = read_cifar10_dir(folder)
    else:
        try:
            paths = ensure_files(
                "cifar10", [archive_spec], official_url=spec.url, data_dir=data_dir,
                download=download, mirror=mirror, extra_dirs=spec.extra_dirs, timeout=timeout,
            )  # fmt: skip
        except DatasetNotFoundError as exc:
            raise DatasetNotFoundError(
                f"{exc} An extracted '{CIFAR10_BATCH_DIR}' folder in one of those places works too."
            ) from None
        X_train, y_train, X_test, y_test, classes = read_cifar10_archive(paths[archive_spec.name])
    return Dataset(
        name="cifar10",
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        classes=classes or list(spec.classes),
    )
