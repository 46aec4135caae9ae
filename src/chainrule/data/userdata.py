"""Your own data: a folder of class folders of images, an ``.npz`` file, or a single image.

Images are read with Pillow, imported only inside these functions (``pip install
'chainrule[images]'``). Arrays come out as uint8, (H, W) for grayscale and (H, W, 3) for RGB.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

import numpy as np

from .dataset import Dataset, check_labels
from .splits import stratified_split_indices

__all__ = ["IMAGE_SUFFIXES", "load_image", "load_image_folder", "load_npz"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
_GRAY_MODES = {"1", "L", "LA", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"}


def _pillow():
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading images needs Pillow: pip install 'chainrule[images]'") from exc
    return Image


def _open(path: Path):
    Image = _pillow()
    try:
        with Image.open(path) as image:
            image.load()  # decode now, so a broken file fails here, with its name
            return image.copy()
    except Exception as exc:  # Pillow raises OSError, ValueError, SyntaxError, DecompressionBomb
        raise ValueError(f"cannot decode image {path}: {exc}") from exc


def _is_gray(image) -> bool:
    """Grayscale modes, and palette images whose used colours all have R = G = B."""
    if image.mode in _GRAY_MODES:
        return True
    if image.mode == "P":
        palette = np.asarray(image.getpalette() or [0, 0, 0], dtype=np.int64)
        rgb = palette[: palette.size // 3 * 3].reshape(-1, 3)
        used = rgb[np.unique(np.asarray(image)).clip(0, len(rgb) - 1)]
        return bool((used == used[:, :1]).all())
    return False


def _check_size(size, name: str = "size") -> tuple[int, int] | None:
    if size is None:
        return None
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    if (
        not isinstance(size, (tuple, list))
        or len(size) != 2
        or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in size)
    ):
        raise TypeError(f"{name} must be an int or a (height, width) pair of ints, got {size!r}")
    if min(size) < 1:
        raise ValueError(f"{name} must be positive, got {tuple(size)}")
    return int(size[0]), int(size[1])


def _to_array(image, size: tuple[int, int], gray: bool) -> np.ndarray:
    Image = _pillow()
    image = image.convert("L" if gray else "RGB")  # alpha, if any, is dropped
    height, width = size
    if image.size != (width, height):
        resampling = getattr(Image, "Resampling", Image)  # Pillow >= 9.1 has the enum
        image = image.resize((width, height), resampling.BILINEAR)
    return np.asarray(image, dtype=np.uint8)


def load_image(path: str | os.PathLike, image_shape=None) -> np.ndarray:
    """Load one image file for prediction, converted to ``image_shape``.

    Parameters
    ----------
    path : path-like
        A PNG or JPEG file (anything Pillow reads).
    image_shape : tuple of int, optional
        ``(H, W)`` for grayscale, ``(H, W, 1)`` for grayscale with a channel axis, or
        ``(H, W, 3)`` for RGB -- typically the model's ``Dataset.image_shape``. Default: the
        file's own size, grayscale if the file is grayscale, else RGB.

    Returns
    -------
    ndarray of shape image_shape, uint8
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no image file at {path}")
    image = _open(path)
    if image_shape is None:
        return _to_array(image, (image.height, image.width), _is_gray(image))
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or (len(shape) == 3 and shape[2] not in (1, 3)):
        raise ValueError(
            f"image_shape must be (H, W), (H, W, 1) or (H, W, 3), got {tuple(image_shape)}"
        )
    size = _check_size(shape[:2], "image_shape")
    array = _to_array(image, size, gray=len(shape) == 2 or shape[2] == 1)
    return array.reshape(shape)


def _class_folders(root: Path) -> list[Path]:
    return sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


def _image_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES
    )  # fmt: skip


def _read_split(root: Path, classes: list[str] | None):
    """Open every image of ``root/<class>/``; returns (images, labels, classes)."""
    folders = _class_folders(root)
    if not folders:
        raise ValueError(f"{root}: no class folders (expected {root}/<class name>/<image>.png)")
    if classes is None:
        classes = [f.name for f in folders]
    images, labels = [], []
    for folder in folders:
        if folder.name not in classes:
            raise ValueError(f"{folder}: class {folder.name!r} is not among {classes}")
        files = _image_files(folder)
        if not files:
            raise ValueError(f"{folder}: no images (looked for {', '.join(IMAGE_SUFFIXES)} files)")
        images += [_open(f) for f in files]
        labels += [classes.index(folder.name)] * len(files)
    return images, np.asarray(labels, dtype=np.int64), classes


def load_image_folder(
    path: str | os.PathLike,
    size=None,
    grayscale: bool | None = None,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """Load a folder of images with one subfolder per class.

    Two layouts are accepted: ``path/<class>/<image>`` (split 80/20 into train and test,
    stratified and deterministic for a given ``seed``) and ``path/train/<class>/<image>`` plus
    ``path/test/<class>/<image>``. Classes are the subfolder names in sorted order; files other
    than ``.png``, ``.jpg``, ``.jpeg`` and hidden entries are ignored.

    Parameters
    ----------
    path : path-like
        The folder.
    size : int or (int, int), optional
        Target ``(height, width)``; default: the size of the first image (first class, first
        file by name). Other images are resized (bilinear).
    grayscale : bool, optional
        Force grayscale (True) or RGB (False); default: grayscale if every image is grayscale.
    test_fraction : float
        Fraction held out for testing when there is no ``train``/``test`` layout.
    seed : int
        Seed of that split.

    Returns
    -------
    Dataset
        uint8 images of shape (n, H, W) (grayscale) or (n, H, W, 3).

    Raises
    ------
    ValueError
        For an empty folder, a class folder without images, or an image that cannot be decoded
        (the message names the file).
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"no folder at {root}")
    size = _check_size(size)
    subfolders = {p.name for p in _class_folders(root)}
    if subfolders == {"train", "test"}:
        train_images, y_train, classes = _read_split(root / "train", None)
        test_images, y_test, _ = _read_split(root / "test", classes)
    else:
        train_images, y_train, classes = _read_split(root, None)
        test_images, y_test = [], np.zeros(0, dtype=np.int64)
    everything = train_images + test_images
    if grayscale is None:
        grayscale = all(_is_gray(image) for image in everything)
    if size is None:
        size = (everything[0].height, everything[0].width)
    X = np.stack([_to_array(image, size, bool(grayscale)) for image in everything])
    X_train, X_test = X[: len(train_images)], X[len(train_images) :]
    if not test_images:
        train_idx, test_idx = stratified_split_indices(y_train, test_fraction, seed)
        X_train, y_train, X_test, y_test = (
            X_train[train_idx], y_train[train_idx], X_train[test_idx], y_train[test_idx]
        )  # fmt: skip
    return Dataset(root.name, X_train, y_train, X_test, y_test, classes)


def load_npz(path: str | os.PathLike, test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """Load a dataset from an ``.npz`` file with arrays ``X`` and ``y``.

    Optional arrays: ``X_test`` and ``y_test`` (else a stratified, deterministic split holds out
    ``test_fraction``), ``classes`` (strings; default ``"0"``, ``"1"``, ...). The file is read
    with ``allow_pickle=False``: object arrays are refused.

    Parameters
    ----------
    path : path-like
        The ``.npz`` file.
    test_fraction : float
        Held-out fraction when the file has no test split.
    seed : int
        Seed of that split.

    Returns
    -------
    Dataset
        Arrays keep the file's dtype; labels become int64.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no .npz file at {path}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except ValueError as exc:  # object arrays need pickle
        raise ValueError(f"{path}: cannot read without pickle ({exc})") from exc
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: not a readable .npz file ({exc})") from exc
    for key in ("X", "y"):
        if key not in arrays:
            raise ValueError(f"{path}: missing array {key!r} (found {sorted(arrays)})")
    if ("X_test" in arrays) != ("y_test" in arrays):
        raise ValueError(f"{path}: X_test and y_test must be given together")
    splits = {"": ("X", "y")}
    if "X_test" in arrays:
        splits["_test"] = ("X_test", "y_test")
    for x_key, y_key in splits.values():
        X, y = arrays[x_key], arrays[y_key]
        if X.dtype.kind not in "biuf":
            raise TypeError(f"{path}: {x_key} must be numeric, got dtype {X.dtype}")
        if X.ndim < 2:
            raise ValueError(f"{path}: {x_key} must have shape (n, ...), got {X.shape}")
        arrays[y_key] = check_labels(y, f"{path}: {y_key}")
        if X.shape[0] != arrays[y_key].shape[0]:
            raise ValueError(
                f"{path}: {x_key} has {X.shape[0]} samples but {y_key} has "
                f"{arrays[y_key].shape[0]} labels"
            )
    labels = np.concatenate([arrays[y_key] for _, y_key in splits.values()])
    if "classes" in arrays:
        classes = [str(c) for c in np.asarray(arrays["classes"]).reshape(-1)]
    else:
        classes = [str(k) for k in range(int(labels.max()) + 1 if labels.size else 0)]
    if labels.size and labels.max() >= len(classes):
        raise ValueError(f"{path}: label {labels.max()} is out of range for {len(classes)} classes")
    X, y = arrays["X"], arrays["y"]
    if "X_test" in arrays:
        X_test, y_test = arrays["X_test"], arrays["y_test"]
    else:
        train_idx, test_idx = stratified_split_indices(y, test_fraction, seed)
        X, y, X_test, y_test = X[train_idx], y[train_idx], X[test_idx], y[test_idx]
    return Dataset(path.stem, X, y, X_test, y_test, classes)
