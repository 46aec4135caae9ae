"""Read Debian's Fashion-MNIST files (dataset-fashion-mnist) with gzip + NumPy, for the slow
full-data tests; pixels scaled to [0, 1] and flattened to 784 features."""

from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def available():
    return all(os.path.exists(os.path.join(FASHION_DIR, f"{split}-{kind}-idx{n}-ubyte.gz"))
               for split in ("train", "t10k") for kind, n in (("images", 3), ("labels", 1)))


def _read_idx(path):
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(split):
    """(X, y): X float32 (n, 784) in [0, 1], y int64 (n,). split is "train" or "t10k"."""
    images = _read_idx(os.path.join(FASHION_DIR, f"{split}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(FASHION_DIR, f"{split}-labels-idx1-ubyte.gz"))
    X = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
    return X, labels.astype(np.int64)


@pytest.fixture(scope="session")
def fashion_mnist():
    """The full Fashion-MNIST as (X_train, y_train, X_test, y_test); skips when absent."""
    if not available():
        pytest.skip(f"Fashion-MNIST not found in {FASHION_DIR} (Debian's dataset-fashion-mnist)")
    return (*load("train"), *load("t10k"))
