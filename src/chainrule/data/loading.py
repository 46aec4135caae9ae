"""The single entry point: :func:`load_dataset` by name or path, and :func:`list_datasets`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from . import toy
from .dataset import Dataset
from .named import load_cifar10, load_fashion_mnist, load_fashion_mnist_mini, load_mnist

__all__ = ["list_datasets", "load_dataset"]

_IMAGE_LOADERS = {
    "fashion-mnist-mini": None,  # embedded, needs no files
    "fashion-mnist": load_fashion_mnist,
    "mnist": load_mnist,
    "cifar10": load_cifar10,
}
_TOY_MAKERS = {
    "spiral": toy.make_spiral,
    "circle": toy.make_circle,
    "xor": toy.make_xor,
    "blobs": toy.make_blobs,
}
_ALIASES = {"fashion_mnist": "fashion-mnist", "fashionmnist": "fashion-mnist",
            "cifar-10": "cifar10", "cifar_10": "cifar10"}  # fmt: skip


def list_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`: image datasets first, then the 2-D toy sets."""
    return [*_IMAGE_LOADERS, *_TOY_MAKERS]


def _normalize(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key.replace("_", "-")


def _toy_dataset(name: str, seed: int) -> Dataset:
    # Train and test are independent draws from the same distribution.
    train_seed, test_seed = (int(s) for s in np.random.SeedSequence(seed).generate_state(2))
    X_train, y_train = _TOY_MAKERS[name](seed=train_seed)
    X_test, y_test = _TOY_MAKERS[name](seed=test_seed)
    classes = [str(k) for k in range(int(y_train.max()) + 1)]
    return Dataset(name, X_train, y_train, X_test, y_test, classes)


def load_dataset(
    name_or_path: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    *,
    mirror: str | None = None,
    size=None,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """Load a dataset by name, or your own data by path.

    Parameters
    ----------
    name_or_path : str or path-like
        A name from :func:`list_datasets` (``"fashion-mnist-mini"`` is embedded and works
        offline; ``"fashion-mnist"``, ``"mnist"``, ``"cifar10"`` are read from disk or
        downloaded; ``"spiral"``, ``"circle"``, ``"xor"``, ``"blobs"`` are generated), or a path:
        a folder with one subfolder of PNG/JPEG images per class, or an ``.npz`` file with ``X``
        and ``y`` (optionally ``X_test``, ``y_test``, ``classes``). A known name wins over a
        same-named folder in the working directory; write ``./name`` to mean the folder.
    data_dir : path-like, optional
        Folder holding (or receiving) the files of a downloadable dataset; see
        :mod:`chainrule.data.remote` for the full search order.
    download : bool
        Download missing files; if False, a missing file raises :class:`DatasetNotFoundError`.
    mirror : str, optional
        Base URL to download from instead of the official source.
    size : int or (int, int), optional
        Image folders only: target (height, width); default the first image's size.
    test_fraction : float
        User data without a test split: fraction held out for testing, in (0, 1).
    seed : int
        Seed of that split, and of the toy sets' points (their test set is a second,
        independent draw).

    Returns
    -------
    Dataset
        ``X_train, y_train, X_test, y_test, classes, name, image_shape``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones) or unusable user data.
    DatasetNotFoundError
        If a named dataset's files are missing and cannot be downloaded.
    """
    if isinstance(name_or_path, str) and _normalize(name_or_path) in list_datasets():
        name = _normalize(name_or_path)
        if name == "fashion-mnist-mini":
            return load_fashion_mnist_mini()
        if name in _TOY_MAKERS:
            return _toy_dataset(name, seed)
        return _IMAGE_LOADERS[name](data_dir=data_dir, download=download, mirror=mirror)
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(
            f"name_or_path must be a dataset name or a path, got {type(name_or_path).__name__}"
        )
    path = Path(name_or_path)
    text = os.fspath(name_or_path)
    looks_like_path = (
        isinstance(name_or_path, os.PathLike) or os.sep in text or "/" in text
        or path.suffix.lower() == ".npz"
    )  # fmt: skip
    if not path.exists():
        if looks_like_path:
            raise FileNotFoundError(f"no such file or folder: {text}")
        raise ValueError(
            f"unknown dataset {text!r}; known names: {', '.join(list_datasets())} "
            "(or pass a folder of class folders or an .npz file)"
        )
    from .userdata import load_image_folder, load_npz  # lazy: only user data needs them

    if path.is_dir():
        return load_image_folder(path, size=size, test_fraction=test_fraction, seed=seed)
    if path.suffix.lower() == ".npz":
        return load_npz(path, test_fraction=test_fraction, seed=seed)
    raise ValueError(
        f"cannot load {text}: expected a folder with one subfolder of images per class, "
        "or an .npz file"
    )
