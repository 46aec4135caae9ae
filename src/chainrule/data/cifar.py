"""Reader for CIFAR-10's python batches, without unpickling arbitrary objects.

The official ``cifar-10-python.tar.gz`` holds ``cifar-10-batches-py/{data_batch_1..5,
test_batch, batches.meta}``, each a Python 2 pickle of a dict of strings, lists, ints and one
NumPy array. Plain :func:`pickle.load` would run any callable a tampered file names, so the
batches are read with :class:`RestrictedUnpickler`, which resolves exactly the three globals a
NumPy array needs (``_reconstruct``, ``ndarray``, ``dtype``) and refuses everything else. The
archive is read member by member in memory (never extracted, so no path tricks), and only after
its SHA-256 was verified by the caller.
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path, PurePosixPath

import numpy as np

__all__ = [
    "CIFAR10_BATCH_DIR",
    "CIFAR10_TEST_BATCH",
    "CIFAR10_TRAIN_BATCHES",
    "RestrictedUnpickler",
    "read_cifar10_archive",
    "read_cifar10_dir",
    "read_cifar_batch",
    "restricted_loads",
]

CIFAR10_BATCH_DIR = "cifar-10-batches-py"
CIFAR10_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_BATCH = "test_batch"
CIFAR10_META = "batches.meta"

# ndarray.__reduce__ names the array constructor; taking it from there avoids importing the
# deprecated ``numpy.core`` alias under NumPy 2.
_RECONSTRUCT = np.empty(0).__reduce__()[0]
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,  # NumPy 1.x pickles (CIFAR's)
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,  # NumPy 2.x pickles
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds only plain containers, strings, numbers and NumPy arrays.

    ``find_class`` is the only way a pickle can reach code; it returns the NumPy array
    constructors listed in ``_ALLOWED_GLOBALS`` and raises :class:`pickle.UnpicklingError` for
    any other global (``os.system``, ``builtins.eval``, ...). Persistent ids are refused by the
    base class since ``persistent_load`` is not defined.
    """

    def find_class(self, module: str, name: str):  # noqa: D102 - documented on the class
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load global '{module}.{name}': only NumPy arrays and plain Python "
                "containers are allowed in dataset files"
            ) from None


def restricted_loads(data: bytes, source: str = "<bytes>") -> object:
    """Unpickle ``data`` with :class:`RestrictedUnpickler` (Python 2 strings read as latin-1).

    Raises
    ------
    ValueError
        If the pickle is malformed or names a forbidden global; the message names ``source``.
    """
    try:
        return RestrictedUnpickler(io.BytesIO(data), encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        raise ValueError(f"{source}: {exc}") from exc
    except (EOFError, TypeError, AttributeError, IndexError, KeyError, ValueError) as exc:
        raise ValueError(f"{source}: malformed pickle ({type(exc).__name__}: {exc})") from exc


def _key(batch: dict, name: str, source: str):
    for key in (name, name.encode()):
        if key in batch:
            return batch[key]
    raise ValueError(f"{source}: CIFAR batch has no {name!r} entry (keys: {list(batch)})")


def read_cifar_batch(data: bytes, source: str = "<bytes>") -> tuple[np.ndarray, np.ndarray]:
    """Decode one CIFAR batch pickle.

    Returns
    -------
    X : ndarray of shape (n, 32, 32, 3), uint8
        Images, channels last (the file stores them as (n, 3*32*32), channel-major).
    y : ndarray of shape (n,), int64
        Labels.
    """
    batch = restricted_loads(data, source)
    if not isinstance(batch, dict):
        raise ValueError(f"{source}: expected a dict, got {type(batch).__name__}")
    images = _key(batch, "data", source)
    labels = _key(batch, "labels", source)
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 2:
        raise ValueError(f"{source}: 'data' must be a uint8 array of shape (n, 3072)")
    if images.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{source}: 'data' must have 3072 columns, got shape {images.shape}")
    y = np.asarray(labels, dtype=np.int64)
    if y.shape != (images.shape[0],):
        raise ValueError(f"{source}: {images.shape[0]} images but labels of shape {y.shape}")
    X = images.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(X), y


def _read_meta(data: bytes, source: str) -> list[str]:
    meta = restricted_loads(data, source)
    if not isinstance(meta, dict):
        raise ValueError(f"{source}: expected a dict, got {type(meta).__name__}")
    names = _key(meta, "label_names", source)
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


def _assemble(members: dict[str, bytes], source: str):
    missing = [n for n in (*CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH) if n not in members]
    if missing:
        raise ValueError(f"{source}: missing CIFAR-10 batches {missing}")
    train = [read_cifar_batch(members[n], f"{source}:{n}") for n in CIFAR10_TRAIN_BATCHES]
    X_test, y_test = read_cifar_batch(members[CIFAR10_TEST_BATCH], f"{source}:test_batch")
    X_train = np.concatenate([X for X, _ in train])
    y_train = np.concatenate([y for _, y in train])
    classes = None
    if CIFAR10_META in members:
        classes = _read_meta(members[CIFAR10_META], f"{source}:{CIFAR10_META}")
    return X_train, y_train, X_test, y_test, classes


def read_cifar10_archive(path: str | os.PathLike):
    """Read the CIFAR-10 python archive (``cifar-10-python.tar.gz``) without extracting it.

    Verify the archive's checksum before calling this.

    Returns
    -------
    X_train : ndarray of shape (50000, 32, 32, 3), uint8
    y_train : ndarray of shape (50000,), int64
    X_test : ndarray of shape (10000, 32, 32, 3), uint8
    y_test : ndarray of shape (10000,), int64
    classes : list of str or None
        ``label_names`` from ``batches.meta`` when present.
    """
    import tarfile  # lazy: only CIFAR needs it

    wanted = {*CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH, CIFAR10_META}
    members: dict[str, bytes] = {}
    source = os.fspath(path)
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                parts = PurePosixPath(member.name).parts
                if member.isfile() and len(parts) == 2 and parts[0] == CIFAR10_BATCH_DIR:
                    if parts[1] in wanted:
                        members[parts[1]] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ValueError(f"{source}: cannot read the archive ({exc})") from exc
    return _assemble(members, source)


def read_cifar10_dir(path: str | os.PathLike):
    """Read an extracted ``cifar-10-batches-py`` folder; returns what
    :func:`read_cifar10_archive` returns. Verify the batch checksums before calling this."""
    folder = Path(path)
    members = {
        name: (folder / name).read_bytes()
        for name in (*CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH, CIFAR10_META)
        if (folder / name).is_file()
    }
    return _assemble(members, os.fspath(path))
