"""Checkpoints: everything a training run needs to continue exactly where it stopped.

A checkpoint is one chainrule safetensors file (kind ``"checkpoint"``, written atomically by
`chainrule.io.save_arrays`): the arrays (current weights under ``model/``, the best weights so
far under ``best/``, the optimizer's moment buffers under ``optimizer/``...) as tensors, and
everything else (optimizer hyperparameters and step counts, the scheduler's position, the state
of every random generator, counters, the history) as JSON in the header. Nested states are
flattened by :func:`pack`: each array is replaced by ``{"__array__": key}``, and non-finite
floats (which strict JSON lacks) by ``{"__float__": "nan"}``.
"""

from __future__ import annotations

import math

import numpy as np

from .. import io

__all__ = ["generators_of", "load_checkpoint", "pack", "save_checkpoint", "unpack"]

KIND = "checkpoint"


def pack(value, arrays, prefix):
    """A JSON-able copy of ``value`` (nested dicts, lists, numbers, arrays); arrays move to
    ``arrays`` under keys starting with ``prefix``. Dict keys become strings."""
    if isinstance(value, np.ndarray):
        key = f"{prefix}{len(arrays)}"
        arrays[key] = value
        return {"__array__": key}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    if isinstance(value, dict):
        return {str(k): pack(v, arrays, prefix) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [pack(v, arrays, prefix) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a checkpoint ({value!r}); "
                    "states must hold numbers, strings, lists, dicts and arrays")


def unpack(value, arrays):
    """Undo :func:`pack` (lists stay lists; dict keys stay strings)."""
    if isinstance(value, dict):
        if set(value) == {"__array__"}:
            return arrays[value["__array__"]]
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        return {k: unpack(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [unpack(v, arrays) for v in value]
    return value


def generators_of(model):
    """The random generators a model draws from while training: the ``rng`` attribute of every
    module that has one (the Dropout layers), as ``{module name: Generator}`` (a generator
    shared by several modules is listed once, under its first name)."""
    found, seen = {}, set()
    for name, module in model.named_modules():
        rng = module.__dict__.get("rng")
        if isinstance(rng, np.random.Generator) and id(rng) not in seen:
            seen.add(id(rng))
            found[name or "<model>"] = rng
    return found


def save_checkpoint(path, *, model, optimizer, scheduler, generators, best_state, trainer_state,
                    history):
    """Write a checkpoint atomically (see the module docstring for the layout).

    Parameters
    ----------
    path : Path
    model : Module
    optimizer : Optimizer
    scheduler : LRScheduler or None
    generators : dict of str -> numpy Generator
        The sampler's (``"sampler"``) and every Dropout's; their bit-generator states are saved.
    best_state : dict of str -> ndarray, or None
        The best weights so far.
    trainer_state : dict
        JSON-able counters (epoch, step, best accuracy, ...).
    history : History
    """
    arrays = {f"model/{name}": p.data for name, p in model.named_parameters()}
    for name, value in (best_state or {}).items():
        arrays[f"best/{name}"] = value
    metadata = {
        "trainer": pack(trainer_state, arrays, "trainer/"),
        "has_best": best_state is not None,
        "optimizer": pack(optimizer.state_dict(), arrays, "optimizer/"),
        "scheduler": (pack(scheduler.state_dict(), arrays, "scheduler/")
                      if scheduler is not None else None),
        "generators": pack({name: rng.bit_generator.state for name, rng in generators.items()},
                           arrays, "generators/"),
        "history": pack(history.to_dict(), arrays, "history/"),
    }
    io.save_arrays(path, arrays, metadata, kind=KIND)


def load_checkpoint(path):
    """Read a checkpoint written by :func:`save_checkpoint`.

    Returns
    -------
    dict
        ``model`` and ``best`` (name -> ndarray; ``best`` is None when no best was kept),
        ``optimizer``, ``scheduler``, ``generators`` (name -> bit-generator state), ``trainer``
        and ``history`` (a dict for ``History.from_dict``).

    Raises
    ------
    FileNotFoundError, chainrule.io.ChainruleFileError
    """
    arrays, metadata = io.load_arrays(path, kind=KIND)
    missing = [key for key in ("trainer", "optimizer", "generators", "history")
               if key not in metadata]
    if missing:
        raise io.ChainruleFileError(path, f"corrupted checkpoint: it lacks {missing}")

    def under(prefix):
        return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

    return {
        "model": under("model/"),
        "best": under("best/") if metadata.get("has_best") else None,
        "optimizer": unpack(metadata["optimizer"], arrays),
        "scheduler": unpack(metadata.get("scheduler"), arrays),
        "generators": unpack(metadata["generators"], arrays),
        "trainer": unpack(metadata["trainer"], arrays),
        "history": unpack(metadata["history"], arrays),
    }


def restore_generator(rng, state, name, path):
    """Set ``rng``'s bit-generator state, with a clear error when the kinds differ."""
    kind = type(rng.bit_generator).__name__
    if state.get("bit_generator") != kind:
        raise ValueError(f"{path}: the checkpoint's generator {name!r} is a "
                         f"{state.get('bit_generator')}, the model's is a {kind}")
    rng.bit_generator.state = state
