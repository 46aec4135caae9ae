"""The benchmark data: Fashion-MNIST as float32 rows in [0, 1], or a small synthetic stand-in.

Every contender of a case gets the same arrays. Fashion-MNIST comes through
``chainrule.data.load_dataset("fashion-mnist", download=False)``; where that is unavailable,
the IDX files are read directly (the same bytes). ``--quick`` runs use `synthetic`: small,
learnable, random data, so the smoke run needs no dataset and takes seconds.
"""

from __future__ import annotations

import functools
import gzip
import os
from dataclasses import dataclass

import numpy as np

FASHION_MNIST_DIRS = ("/usr/share/datasets/fashion-mnist",)
FILES = {
    "X_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "X_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
N_FEATURES = 784
N_CLASSES = 10


@dataclass
class BenchData:
    """Flattened images ``X_* : float32 (n, 784)`` in [0, 1] and labels ``y_* : int64 (n,)``."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source: str

    @property
    def n_classes(self):
        return N_CLASSES


def _as_rows(images, labels):
    X = np.ascontiguousarray(images.reshape(len(images), -1), dtype=np.float32)
    X /= np.float32(255.0)
    return X, np.asarray(labels, dtype=np.int64)


def _read_idx(path):
    """An IDX file (gzip) as an ndarray: magic (0, 0, dtype code, ndim), sizes, then data."""
    with gzip.open(path, "rb") as stream:
        raw = stream.read()
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {raw[:4]!r})")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _find_directory():
    for folder in FASHION_MNIST_DIRS:
        if all(os.path.exists(os.path.join(folder, name)) for name in FILES.values()):
            return folder
    return None


def fashion_mnist_available():
    return _find_directory() is not None


@functools.lru_cache(maxsize=2)
def fashion_mnist(use_chainrule=True):
    """Fashion-MNIST: 60,000 training and 10,000 test images as float32 rows in [0, 1].

    Parameters
    ----------
    use_chainrule : bool
        Load through ``chainrule.data`` (as users do); False reads the IDX files directly,
        for processes that must not import chainrule (the PyTorch memory worker).
    """
    if use_chainrule:
        try:
            from chainrule.data import load_dataset
        except ImportError:
            load_dataset = None
        if load_dataset is not None:
            dataset = load_dataset("fashion-mnist", download=False)
            X_train, y_train = _as_rows(dataset.X_train, dataset.y_train)
            X_test, y_test = _as_rows(dataset.X_test, dataset.y_test)
            return BenchData("fashion-mnist", X_train, y_train, X_test, y_test,
                             "chainrule.data.load_dataset('fashion-mnist')")
    folder = _find_directory()
    if folder is None:
        raise FileNotFoundError("Fashion-MNIST not found in " + ", ".join(FASHION_MNIST_DIRS)
                                + " (apt-get install dataset-fashion-mnist)")
    arrays = {key: _read_idx(os.path.join(folder, name)) for key, name in FILES.items()}
    X_train, y_train = _as_rows(arrays["X_train"], arrays["y_train"])
    X_test, y_test = _as_rows(arrays["X_test"], arrays["y_test"])
    return BenchData("fashion-mnist", X_train, y_train, X_test, y_test, f"IDX files in {folder}")


@functools.lru_cache(maxsize=4)
def synthetic(n_train=1024, n_test=256, seed=0):
    """Small learnable data shaped like Fashion-MNIST: class centres in [0, 1]^784 plus noise.

    The classes are well separated, so a small MLP passes 89% test accuracy within one epoch
    (case 6's goal stays reachable in the smoke run).
    """
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.0, 1.0, size=(N_CLASSES, N_FEATURES)).astype(np.float32)

    def draw(n):
        labels = rng.integers(0, N_CLASSES, size=n)
        noise = rng.normal(0.0, 0.3, size=(n, N_FEATURES)).astype(np.float32)
        return np.clip(centres[labels] + noise, 0.0, 1.0).astype(np.float32), labels

    X_train, y_train = draw(n_train)
    X_test, y_test = draw(n_test)
    return BenchData("synthetic", X_train, y_train.astype(np.int64), X_test,
                     y_test.astype(np.int64), f"synthetic (seed {seed})")


def load(quick, use_chainrule=True):
    """The data of a run: synthetic when ``quick``, Fashion-MNIST otherwise."""
    return synthetic() if quick else fashion_mnist(use_chainrule)
