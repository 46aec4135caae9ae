"""Models on disk: safetensors weights + a JSON architecture, never pickle.

A chainrule file is a safetensors file (an 8-byte header length, a JSON header, the raw tensor
bytes). Its header's ``__metadata__`` (a str -> str dict) carries

- ``format`` = ``"chainrule"``, ``format_version``, ``kind`` (``"model"``, ``"checkpoint"``,
  ...), ``chainrule_version`` and ``checksums`` (CRC-32 of every tensor's bytes, so a flipped
  bit in the data is caught, not only a broken header);
- one JSON document per metadata key given to :func:`save_arrays`.

:func:`save` stores a model: its parameters under their ``named_parameters()`` names, the
``architecture`` (nested layer descriptions from which :func:`build_module` rebuilds the Module),
the preprocessing (``get_config()`` as JSON, ``get_arrays()`` as tensors named
``preprocessing/<name>``), the class names and free-form metadata. :func:`load` returns a
:class:`SavedModel` bundle. Loading never executes code from the file: layer and preprocessing
types are looked up in fixed registries.

Every write is atomic (a temporary file in the target's directory, then ``os.replace``), so a
crash mid-write leaves the previous file intact. Every problem with a file's content raises
:class:`ChainruleFileError` (a ``ValueError``) naming the file.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import nn

__all__ = [
    "FORMAT_VERSION",
    "LAYERS",
    "ChainruleFileError",
    "SavedModel",
    "atomic_write_bytes",
    "atomic_write_text",
    "build_module",
    "describe_module",
    "load",
    "load_arrays",
    "read_header",
    "register_layer",
    "save",
    "save_arrays",
]

FORMAT_NAME = "chainrule"
#: version of the file layout written here; files with a larger number are refused
FORMAT_VERSION = 1
_RESERVED = ("format", "format_version", "kind", "chainrule_version", "checksums")
_MAX_HEADER_BYTES = 100 * 2**20  # safetensors' own limit on the JSON header
PREPROCESSING_PREFIX = "preprocessing/"


class ChainruleFileError(ValueError):
    """A file that chainrule cannot read: truncated, corrupted, foreign or from a newer version.

    Attributes
    ----------
    path : str
        The file.
    """

    def __init__(self, path, problem):
        self.path = str(path)
        super().__init__(f"{path}: {problem}")


# ---------------------------------------------------------------------- atomic writes
def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` atomically: a temporary file next to it, fsync, ``os.replace``.

    Readers see the old file or the new one, never a mix; on any error the temporary file is
    removed and the old file is left untouched.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path, text):
    """:func:`atomic_write_bytes` for text (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


# ---------------------------------------------------------------------- arrays + metadata
def _checksum(array):
    flat = array.reshape(-1)
    return zlib.crc32(flat.view(np.uint8) if flat.size else b"")


def save_arrays(path, arrays, metadata=None, *, kind="arrays"):
    """Save named arrays and JSON-able metadata in one safetensors file, atomically.

    Parameters
    ----------
    path : str or Path
    arrays : dict of str -> ndarray
        Numeric or boolean arrays of any shape (stored little-endian, C-contiguous).
    metadata : dict of str -> JSON-able value, optional
        Each value is stored as one JSON document in the header (no NaN/inf: strict JSON).
    kind : str
        What the file holds ("model", "checkpoint", ...); :func:`load_arrays` can insist on it.
    """
    from . import __version__

    if not isinstance(arrays, dict):
        raise TypeError(f"save_arrays: arrays must be a dict of name -> ndarray, got "
                        f"{type(arrays).__name__}")
    stored = {}
    for name, value in arrays.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"save_arrays: array names must be non-empty strings, got {name!r}")
        array = np.asarray(getattr(value, "data", value))
        if array.dtype.kind not in "biuf":
            raise TypeError(f"save_arrays: array {name!r} must be numeric or boolean, got "
                            f"dtype {array.dtype}")
        stored[name] = array.astype(array.dtype.newbyteorder("<"), order="C", copy=False)
    header = {"format": FORMAT_NAME, "format_version": str(FORMAT_VERSION), "kind": str(kind),
              "chainrule_version": __version__,
              "checksums": json.dumps({name: _checksum(a) for name, a in stored.items()})}
    for key, value in (metadata or {}).items():
        if not isinstance(key, str) or key in _RESERVED:
            raise ValueError(f"save_arrays: metadata key {key!r} is not a string or is reserved "
                             f"(reserved: {list(_RESERVED)})")
        try:
            header[key] = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise TypeError(f"save_arrays: metadata {key!r} is not JSON-serializable "
                            f"(plain numbers, strings, lists and dicts; no NaN): {error}") from None
    from safetensors.numpy import save as serialize

    atomic_write_bytes(path, serialize(stored, metadata=header))


def read_header(path):
    """Read and check a chainrule file's header without loading the tensors.

    Returns
    -------
    dict
        ``kind``, ``format_version`` (int), ``chainrule_version``, ``metadata`` (dict of the
        decoded JSON values), ``checksums`` and ``tensors`` (name -> {"dtype", "shape"}).

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ChainruleFileError
        When the file is truncated, not a safetensors file, not written by chainrule, or
        written by a newer version of the format.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    size = path.stat().st_size
    not_ours = "not a chainrule file (expected a safetensors file written by chainrule)"
    with open(path, "rb") as file:
        prefix = file.read(8)
        if len(prefix) < 8:
            raise ChainruleFileError(path, f"{not_ours}: only {size} bytes, truncated?")
        header_length = int.from_bytes(prefix, "little")
        if header_length > min(_MAX_HEADER_BYTES, size - 8):
            raise ChainruleFileError(path, f"{not_ours}: the header length {header_length} "
                                           f"does not fit in a file of {size} bytes")
        raw = file.read(header_length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ChainruleFileError(path, f"{not_ours}: its header is not JSON") from None
    if not isinstance(header, dict):
        raise ChainruleFileError(path, f"{not_ours}: its header is not a JSON object")
    stored = header.pop("__metadata__", None) or {}
    if not isinstance(stored, dict) or stored.get("format") != FORMAT_NAME:
        raise ChainruleFileError(path, "a safetensors file that was not written by chainrule "
                                       "(its metadata lacks format=chainrule)")
    try:
        version = int(stored.get("format_version", ""))
    except ValueError:
        raise ChainruleFileError(path, f"bad format_version {stored.get('format_version')!r}"
                                 ) from None
    if version > FORMAT_VERSION:
        raise ChainruleFileError(path, f"written by a newer chainrule "
                                       f"({stored.get('chainrule_version')}, file format "
                                       f"version {version}); this chainrule reads format "
                                       f"versions up to {FORMAT_VERSION}: upgrade chainrule")
    tensors, data_end = {}, 0
    try:
        for name, entry in header.items():
            tensors[name] = {"dtype": entry["dtype"], "shape": list(entry["shape"])}
            data_end = max(data_end, int(entry["data_offsets"][1]))
        metadata = {key: json.loads(value) for key, value in stored.items()
                    if key not in _RESERVED}
        checksums = json.loads(stored.get("checksums", "{}"))
    except (KeyError, TypeError, IndexError, ValueError) as error:
        raise ChainruleFileError(path, f"corrupted header ({type(error).__name__}: {error})"
                                 ) from None
    if 8 + header_length + data_end != size:
        raise ChainruleFileError(path, f"truncated or corrupted: the header describes "
                                       f"{8 + header_length + data_end} bytes, the file has "
                                       f"{size}")
    return {"kind": stored.get("kind"), "format_version": version,
            "chainrule_version": stored.get("chainrule_version"), "metadata": metadata,
            "checksums": checksums, "tensors": tensors}


def load_arrays(path, *, kind=None):
    """Load a file written by :func:`save_arrays`, checking every tensor's checksum.

    Parameters
    ----------
    path : str or Path
    kind : str, optional
        Refuse files of another kind (e.g. a checkpoint given where a model is expected).

    Returns
    -------
    arrays : dict of str -> ndarray
        Writable arrays, in the order they were saved.
    metadata : dict
        The metadata given to :func:`save_arrays` (JSON values decoded).

    Raises
    ------
    FileNotFoundError, ChainruleFileError
        As :func:`read_header`; also for checksum mismatches and unreadable tensor data.
    """
    arrays, header = _read(path, kind)
    return arrays, header["metadata"]


def _read(path, kind):
    header = read_header(path)
    if kind is not None and header["kind"] != kind:
        raise ChainruleFileError(path, f"is a chainrule {header['kind']!r} file, expected a "
                                       f"{kind!r} file")
    from safetensors.numpy import load_file

    try:
        arrays = load_file(path)
    except Exception as error:  # the reader's errors are not part of its API
        raise ChainruleFileError(path, f"corrupted tensor data ({error})") from None
    if set(arrays) != set(header["checksums"]):
        raise ChainruleFileError(path, "corrupted: the tensors do not match the checksum list")
    for name, array in arrays.items():
        if _checksum(array) != header["checksums"][name]:
            raise ChainruleFileError(path, f"corrupted: checksum mismatch in tensor {name!r}")
    position = {name: index for index, name in enumerate(header["checksums"])}  # save order
    return {name: arrays[name] for name in sorted(arrays, key=position.get)}, header


# ---------------------------------------------------------------------- architectures
#: layer type name -> (class, function module -> JSON-able constructor arguments)
LAYERS = {}


def register_layer(cls, arguments):
    """Make a Module class describable: ``arguments(module)`` returns the keyword arguments
    (JSON-able) that rebuild it with ``cls(**arguments)``; parameters are loaded afterwards."""
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise TypeError(f"register_layer: expected a Module subclass, got {cls!r}")
    LAYERS[cls.__name__] = (cls, arguments)


def _dtype_name(parameter):
    return parameter.data.dtype.name


register_layer(nn.Linear, lambda m: {"in_features": m.in_features,
                                     "out_features": m.out_features,
                                     "bias": m.bias is not None,
                                     "dtype": _dtype_name(m.weight)})
register_layer(nn.Maxout, lambda m: {"in_features": int(m.in_features),
                                     "out_features": int(m.out_features), "pieces": m.pieces,
                                     "dtype": _dtype_name(m.linear.weight)})
register_layer(nn.ReLU, lambda m: {})
register_layer(nn.LeakyReLU, lambda m: {"negative_slope": m.negative_slope})
register_layer(nn.ELU, lambda m: {"alpha": m.alpha})
register_layer(nn.Tanh, lambda m: {})
register_layer(nn.Sigmoid, lambda m: {})
register_layer(nn.Dropout, lambda m: {"p": m.p})
register_layer(nn.Flatten, lambda m: {})

_NO_INIT = {"Linear", "Maxout"}  # weights are overwritten by the loaded ones right away


def describe_module(module, name="model"):
    """A JSON-able description of ``module``: ``{"type": ..., "args": {...}}``, and for a
    Sequential ``{"type": "Sequential", "layers": [...]}``.

    Raises
    ------
    TypeError
        For a module whose exact type is not in :data:`LAYERS` (subclasses are not assumed to
        take their parent's arguments), naming it by its path in the model.
    """
    kind = type(module)
    if kind is nn.Sequential:
        return {"type": "Sequential",
                "layers": [describe_module(child, f"{name}.{child_name}")
                           for child_name, child in module._modules.items()]}
    entry = LAYERS.get(kind.__name__)
    if entry is None or entry[0] is not kind:
        known = ", ".join(["Sequential", *sorted(LAYERS)])
        raise TypeError(f"cannot describe {name!r} of type {kind.__name__} for saving; "
                        f"describable layers: {known} (add others with "
                        "chainrule.io.register_layer, or save only the weights with "
                        "save_arrays(path, model.state_dict()))")
    return {"type": kind.__name__, "args": entry[1](module)}


def build_module(description):
    """Rebuild a Module (with freshly initialized parameters) from :func:`describe_module`.

    Raises
    ------
    ValueError
        For an unknown layer type or arguments the layer refuses.
    """
    if not isinstance(description, dict) or "type" not in description:
        raise ValueError(f"a layer description must be a dict with a 'type', got "
                         f"{description!r}")
    kind = description["type"]
    try:
        if kind == "Sequential":
            return nn.Sequential(*(build_module(layer) for layer in description["layers"]))
        if kind not in LAYERS:
            raise ValueError(f"unknown layer type {kind!r}; known: Sequential, "
                             f"{', '.join(sorted(LAYERS))}")
        arguments = dict(description.get("args", {}))
        if kind in _NO_INIT:
            arguments.update(init=lambda target, rng=None: target, rng=0)
        if "dtype" in arguments:
            arguments["dtype"] = np.dtype(arguments["dtype"])
        return LAYERS[kind][0](**arguments)
    except (TypeError, KeyError) as error:
        raise ValueError(f"layer {kind}: bad description {description}: {error}") from None


# ---------------------------------------------------------------------- models
@dataclass
class SavedModel:
    """What :func:`load` returns.

    Attributes
    ----------
    model : Module
        The rebuilt network with its saved weights, in ``eval()`` mode.
    preprocessing : object or None
        The fitted preprocessing (``chainrule.data`` step or Pipeline): apply
        ``preprocessing.transform(X)`` to raw inputs before ``model``.
    classes : list of str or None
        Class names; score column ``k`` is ``classes[k]``.
    metadata : dict
        Free-form metadata given to :func:`save` (training settings, accuracies...).
    chainrule_version : str
        The chainrule version that wrote the file.
    """

    model: nn.Module
    preprocessing: object = None
    classes: list | None = None
    metadata: dict = field(default_factory=dict)
    chainrule_version: str | None = None


def save(model, path, *, preprocessing=None, classes=None, metadata=None):
    """Save a model (weights + architecture), its preprocessing and class names, atomically.

    Parameters
    ----------
    model : Module
        Built from the layers in :data:`LAYERS` (nested in ``Sequential``).
    path : str or Path
        Conventionally ``*.safetensors``.
    preprocessing : object with ``get_config()`` and ``get_arrays()``, optional
    classes : sequence of str, optional
    metadata : dict, optional
        JSON-able values.

    Raises
    ------
    TypeError
        For a model with an undescribable layer, or non-JSON-able metadata.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"save: model must be a chainrule Module, got {type(model).__name__}")
    architecture = describe_module(model)
    arrays = dict(model.state_dict())
    config = None
    if preprocessing is not None:
        if not (hasattr(preprocessing, "get_config") and hasattr(preprocessing, "get_arrays")):
            raise TypeError("save: preprocessing must have get_config() and get_arrays() "
                            f"(a chainrule.data step or Pipeline), got "
                            f"{type(preprocessing).__name__}")
        config = preprocessing.get_config()
        for name, array in preprocessing.get_arrays().items():
            arrays[PREPROCESSING_PREFIX + name] = array
    if classes is not None:
        if isinstance(classes, str) or not all(isinstance(c, str) for c in classes):
            raise TypeError(f"save: classes must be a list of strings, got {classes!r}")
        classes = list(classes)
    save_arrays(path, arrays, {"architecture": architecture, "preprocessing": config,
                               "classes": classes, "metadata": metadata or {}}, kind="model")


def load(path):
    """Load a model saved with :func:`save`.

    Returns
    -------
    SavedModel
        ``.model`` (in eval mode), ``.preprocessing``, ``.classes``, ``.metadata``.

    Raises
    ------
    FileNotFoundError, ChainruleFileError
        Missing file; truncated, corrupted or foreign file; a file of another kind (e.g. a
        training checkpoint); a newer format version; weights that do not fit the architecture.
    """
    arrays, header = _read(path, "model")
    info = header["metadata"]
    if "architecture" not in info:
        raise ChainruleFileError(path, "corrupted: the model file has no architecture")
    try:
        model = build_module(info["architecture"])
    except ValueError as error:
        raise ChainruleFileError(path, f"cannot rebuild the model: {error}") from None
    weights = {k: v for k, v in arrays.items() if not k.startswith(PREPROCESSING_PREFIX)}
    expected = dict(model.named_parameters())
    if set(weights) != set(expected):
        raise ChainruleFileError(path, f"the weights {sorted(weights)} do not match the "
                                       f"architecture's parameters {sorted(expected)}")
    for name, parameter in expected.items():
        if weights[name].shape != parameter.data.shape:
            raise ChainruleFileError(path, f"weight {name!r} has shape {weights[name].shape}, "
                                           f"the architecture needs {parameter.data.shape}")
        parameter.data = weights[name]
    model.eval()
    preprocessing = None
    if info.get("preprocessing") is not None:
        from .data import preprocessing_from_config

        stored = {k[len(PREPROCESSING_PREFIX):]: v for k, v in arrays.items()
                  if k.startswith(PREPROCESSING_PREFIX)}
        try:
            preprocessing = preprocessing_from_config(info["preprocessing"], stored)
        except (ValueError, TypeError) as error:
            raise ChainruleFileError(path, f"cannot rebuild the preprocessing: {error}"
                                     ) from None
    return SavedModel(model=model, preprocessing=preprocessing, classes=info.get("classes"),
                      metadata=info.get("metadata") or {},
                      chainrule_version=header["chainrule_version"])
