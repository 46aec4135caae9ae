"""Data: datasets, readers, splits, minibatches and preprocessing (NumPy only).

Load data with :func:`load_dataset`::

    from chainrule.data import load_dataset
    ds = load_dataset("fashion-mnist-mini")   # embedded: 8,000 train / 2,000 test, offline
    ds.X_train.shape, ds.classes[:2]          # (8000, 28, 28), ['T-shirt/top', 'Trouser']

Other names (:func:`list_datasets`): ``fashion-mnist``, ``mnist``, ``cifar10`` (read from disk
or downloaded, checksums verified) and the 2-D toy sets ``spiral``, ``circle``, ``xor``,
``blobs``; or pass a folder of class folders of images, or an ``.npz`` file.

Then carve a validation set (:func:`train_val_split`), fit preprocessing on the training split
only (:class:`Pipeline` of :class:`Scale`, :class:`SubtractMean`, :class:`Standardize`,
:class:`Flatten`), and draw minibatches (:class:`BatchSampler`).

This package imports nothing else from chainrule; Pillow is imported only when images are read.
"""

from .batching import BatchSampler, iterate_minibatches
from .cifar import RestrictedUnpickler, read_cifar_batch, restricted_loads
from .dataset import Dataset
from .errors import ChecksumError, DatasetNotFoundError
from .idx import parse_idx, read_idx, write_idx
from .loading import list_datasets, load_dataset
from .named import load_cifar10, load_fashion_mnist, load_fashion_mnist_mini, load_mnist
from .preprocessing import (
    Flatten,
    Pipeline,
    Scale,
    Standardize,
    SubtractMean,
    preprocessing_from_config,
)
from .splits import stable_permutation, stratified_split_indices, train_val_split
from .toy import course_points, make_blobs, make_circle, make_spiral, make_xor
from .userdata import load_image, load_image_folder, load_npz

__all__ = [
    "BatchSampler",
    "ChecksumError",
    "Dataset",
    "DatasetNotFoundError",
    "Flatten",
    "Pipeline",
    "RestrictedUnpickler",
    "Scale",
    "Standardize",
    "SubtractMean",
    "course_points",
    "iterate_minibatches",
    "list_datasets",
    "load_cifar10",
    "load_dataset",
    "load_fashion_mnist",
    "load_fashion_mnist_mini",
    "load_image",
    "load_image_folder",
    "load_mnist",
    "load_npz",
    "make_blobs",
    "make_circle",
    "make_spiral",
    "make_xor",
    "parse_idx",
    "preprocessing_from_config",
    "read_cifar_batch",
    "read_idx",
    "restricted_loads",
    "stable_permutation",
    "stratified_split_indices",
    "train_val_split",
    "write_idx",
]
