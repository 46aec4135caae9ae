"""Preprocessing fitted on the training split and stored with the model.

Steps follow the scikit-learn transformer API (``fit`` / ``transform`` / ``fit_transform``;
learned attributes end in ``_``) and are composed with :class:`Pipeline`. Statistics are
computed in float64 on the training data only and applied unchanged to validation, test and
prediction inputs -- fitting them on test data would leak it into the model.

Every step serializes without pickle: ``get_config()`` is a JSON-able dict and ``get_arrays()``
a dict of named arrays (for safetensors/npz); :func:`preprocessing_from_config` rebuilds the
step from the two. Transforms return ``dtype`` (float32 by default) and refuse inputs whose
per-sample shape differs from the one seen in ``fit``, and inputs holding NaN or inf.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "Flatten",
    "Pipeline",
    "Scale",
    "Standardize",
    "SubtractMean",
    "preprocessing_from_config",
]

_DTYPES = ("float32", "float64")


def _check_input(X, where: str) -> np.ndarray:
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{where}: X must be numeric, got dtype {X.dtype}")
    if X.ndim < 2:
        raise ValueError(f"{where}: X must have shape (n, ...) with n samples, got {X.shape}")
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        bad = int(np.size(X) - np.count_nonzero(np.isfinite(X)))
        raise ValueError(f"{where}: X contains {bad} NaN or inf values")
    return X


def _mean_std(X: np.ndarray, per_feature: bool, chunk: int = 4096):
    """Mean and standard deviation in float64, per feature (axis 0) or over all values.

    Works through ``chunk`` rows at a time, so a uint8 dataset is never copied whole to float64.
    """
    mean = X.mean(axis=0 if per_feature else None, dtype=np.float64)
    squares = np.zeros_like(mean)
    for start in range(0, X.shape[0], chunk):
        deviation = X[start : start + chunk].astype(np.float64) - mean
        squares += np.sum(deviation * deviation, axis=0 if per_feature else None)
    n_values = X.shape[0] if per_feature else X.size
    return np.asarray(mean), np.sqrt(np.asarray(squares) / n_values)


class _Step:
    """Base of the preprocessing steps: shape bookkeeping, validation and serialization."""

    _array_names: tuple[str, ...] = ()

    def __init__(self, dtype: str = "float32") -> None:
        dtype = str(np.dtype(dtype))
        if dtype not in _DTYPES:
            raise TypeError(f"{type(self).__name__}: dtype must be float32 or float64, got {dtype}")
        self.dtype = dtype
        self.input_shape_: tuple[int, ...] | None = None

    # -- the transformer API --------------------------------------------------------------
    def fit(self, X):
        """Learn the step's statistics from training inputs ``X`` of shape (n, ...)."""
        X = _check_input(X, f"{type(self).__name__}.fit")
        if X.shape[0] == 0:
            raise ValueError(f"{type(self).__name__}.fit: X has no samples")
        self._fit(X)
        self.input_shape_ = tuple(int(d) for d in X.shape[1:])
        return self

    def transform(self, X) -> np.ndarray:
        """Apply the fitted step to ``X`` of shape (n, *input_shape_); returns ``dtype``."""
        X = self._check_fitted_input(X, "transform", self.input_shape_)
        return self._transform(X.astype(self.dtype, copy=False))

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z) -> np.ndarray:
        """Undo ``transform`` (e.g. to show a mean image or learned templates as pictures)."""
        Z = self._check_fitted_input(Z, "inverse_transform", self.output_shape_)
        return self._inverse(Z.astype(self.dtype, copy=False))

    @property
    def output_shape_(self) -> tuple[int, ...] | None:
        """Per-sample shape of the output (``None`` before ``fit``)."""
        return self.input_shape_

    def _check_fitted_input(self, X, method: str, shape) -> np.ndarray:
        where = f"{type(self).__name__}.{method}"
        if self.input_shape_ is None:
            raise ValueError(f"{where}: the step is not fitted; call fit on training data first")
        X = _check_input(X, where)
        if tuple(X.shape[1:]) != tuple(shape):
            raise ValueError(
                f"{where}: expected X of shape (n, {', '.join(map(str, shape))}) as in fit, "
                f"got {X.shape}"
            )
        return X

    # -- subclasses override these --------------------------------------------------------
    def _fit(self, X: np.ndarray) -> None:
        pass

    def _transform(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _inverse(self, Z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _params(self) -> dict:
        return {}

    # -- serialization ---------------------------------------------------------------------
    def get_config(self) -> dict:
        """JSON-able description: type, constructor arguments and fitted input shape."""
        config = {"type": type(self).__name__, "dtype": self.dtype, **self._params()}
        config["input_shape"] = None if self.input_shape_ is None else list(self.input_shape_)
        return config

    def get_arrays(self) -> dict[str, np.ndarray]:
        """The fitted arrays by name (empty before ``fit`` and for stateless steps)."""
        if self.input_shape_ is None:
            return {}
        return {name: np.asarray(getattr(self, name + "_")) for name in self._array_names}

    @classmethod
    def from_config(cls, config: dict, arrays: dict[str, np.ndarray] | None = None):
        """Rebuild a step from ``get_config()`` and ``get_arrays()`` output."""
        config = dict(config)
        type_name = config.pop("type", cls.__name__)
        if type_name != cls.__name__:
            raise ValueError(f"config is for {type_name!r}, not {cls.__name__!r}")
        input_shape = config.pop("input_shape", None)
        try:
            step = cls(**config)
        except TypeError as exc:
            raise ValueError(f"invalid {cls.__name__} config {config}: {exc}") from exc
        if input_shape is not None:
            arrays = arrays or {}
            for name in cls._array_names:
                if name not in arrays:
                    raise ValueError(f"{cls.__name__}.from_config: missing array {name!r}")
                setattr(step, name + "_", np.asarray(arrays[name], dtype=np.float64))
            step.input_shape_ = tuple(int(d) for d in input_shape)
            step._check_arrays()
        return step

    def _check_arrays(self) -> None:
        pass

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({params})"


class Scale(_Step):
    """Multiply by a constant: ``x * factor``, by default ``x / 255`` (pixels to [0, 1])."""

    def __init__(self, factor: float = 1.0 / 255.0, dtype: str = "float32") -> None:
        super().__init__(dtype)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
            raise TypeError(f"Scale: factor must be a number, got {factor!r}")
        if not np.isfinite(factor) or factor == 0:
            raise ValueError(f"Scale: factor must be finite and non-zero, got {factor}")
        self.factor = float(factor)

    def _params(self) -> dict:
        return {"factor": self.factor}

    def _transform(self, X):
        return X * X.dtype.type(self.factor)

    def _inverse(self, Z):
        return Z / Z.dtype.type(self.factor)


class SubtractMean(_Step):
    """Subtract the mean training image: ``x - mean_``, with ``mean_`` of shape input_shape_.

    Centres every pixel (feature) at zero, as in the course's "mean image subtraction".
    """

    _array_names = ("mean",)

    def _fit(self, X):
        self.mean_ = X.mean(axis=0, dtype=np.float64)

    def _check_arrays(self):
        if self.mean_.shape != self.input_shape_:
            raise ValueError(
                f"SubtractMean: mean has shape {self.mean_.shape}, expected {self.input_shape_}"
            )

    def _transform(self, X):
        return X - self.mean_.astype(X.dtype)

    def _inverse(self, Z):
        return Z + self.mean_.astype(Z.dtype)


class Standardize(_Step):
    """Zero mean, unit variance: ``(x - mean_) / std_``.

    Parameters
    ----------
    per_feature : bool
        True (default, like scikit-learn's ``StandardScaler``): one mean and standard deviation
        per feature (pixel), arrays of shape input_shape_. False: one global mean and standard
        deviation over all training values (arrays of shape ()), which keeps the relative
        contrast between pixels.
    eps : float
        A standard deviation below ``eps`` (a constant feature, e.g. an always-black border
        pixel) is replaced by 1, so such features are centred but not blown up.
    dtype : {"float32", "float64"}
        Output dtype.
    """

    _array_names = ("mean", "std")

    def __init__(self, per_feature: bool = True, eps: float = 1e-8, dtype: str = "float32"):
        super().__init__(dtype)
        if not isinstance(per_feature, bool):
            raise TypeError(f"Standardize: per_feature must be a bool, got {per_feature!r}")
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps >= 0:
            raise ValueError(f"Standardize: eps must be a number >= 0, got {eps!r}")
        self.per_feature = per_feature
        self.eps = float(eps)

    def _params(self) -> dict:
        return {"per_feature": self.per_feature, "eps": self.eps}

    def _fit(self, X):
        self.mean_, std = _mean_std(X, self.per_feature)
        self.std_ = np.where(std < self.eps, 1.0, std)

    def _check_arrays(self):
        expected = self.input_shape_ if self.per_feature else ()
        for name in ("mean", "std"):
            if getattr(self, name + "_").shape != expected:
                raise ValueError(
                    f"Standardize: {name} has shape {getattr(self, name + '_').shape}, "
                    f"expected {expected}"
                )
        if not (self.std_ > 0).all():
            raise ValueError("Standardize: std must be > 0")

    def _transform(self, X):
        return (X - self.mean_.astype(X.dtype)) / self.std_.astype(X.dtype)

    def _inverse(self, Z):
        return Z * self.std_.astype(Z.dtype) + self.mean_.astype(Z.dtype)


class Flatten(_Step):
    """Reshape (n, H, W[, C]) to (n, H*W[*C]), the input of linear classifiers and MLPs."""

    @property
    def output_shape_(self):
        if self.input_shape_ is None:
            return None
        return (int(np.prod(self.input_shape_, dtype=np.int64)),)

    def _transform(self, X):
        return X.reshape(X.shape[0], -1)

    def _inverse(self, Z):
        return Z.reshape((Z.shape[0], *self.input_shape_))


_STEP_TYPES = {cls.__name__: cls for cls in (Scale, SubtractMean, Standardize, Flatten)}


class Pipeline:
    """Steps applied in order; fitting fits each step on the previous step's output.

    Parameters
    ----------
    steps : list of steps
        E.g. ``[Scale(), SubtractMean(), Flatten()]``.
    """

    def __init__(self, steps) -> None:
        steps = list(steps)
        for i, step in enumerate(steps):
            if not isinstance(step, (_Step, Pipeline)):
                raise TypeError(
                    f"Pipeline: step {i} must be a preprocessing step (Scale, SubtractMean, "
                    f"Standardize, Flatten, Pipeline), got {type(step).__name__}"
                )
        self.steps = steps

    def fit(self, X):
        """Fit every step, in order, on the training inputs ``X`` of shape (n, ...)."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X) -> np.ndarray:
        """Fit the steps in order and return the transformed training inputs."""
        X = _check_input(X, "Pipeline.fit")
        for step in self.steps:
            X = step.fit_transform(X)
        return X

    def transform(self, X) -> np.ndarray:
        """Apply the fitted steps in order."""
        X = _check_input(X, "Pipeline.transform")
        for step in self.steps:
            X = step.transform(X)
        return X

    def inverse_transform(self, Z) -> np.ndarray:
        """Undo the steps in reverse order."""
        for step in reversed(self.steps):
            Z = step.inverse_transform(Z)
        return Z

    def get_config(self) -> dict:
        """``{"type": "Pipeline", "steps": [step configs]}``, JSON-able."""
        return {"type": "Pipeline", "steps": [step.get_config() for step in self.steps]}

    def get_arrays(self) -> dict[str, np.ndarray]:
        """Arrays of all steps, keys prefixed with the step index: ``"1.mean"``."""
        return {
            f"{i}.{name}": array
            for i, step in enumerate(self.steps)
            for name, array in step.get_arrays().items()
        }

    @classmethod
    def from_config(cls, config: dict, arrays: dict[str, np.ndarray] | None = None):
        """Rebuild a pipeline from ``get_config()`` and ``get_arrays()`` output."""
        if config.get("type") != "Pipeline" or not isinstance(config.get("steps"), list):
            raise ValueError(f"not a Pipeline config: {config!r}")
        arrays = arrays or {}
        steps = []
        for i, step_config in enumerate(config["steps"]):
            prefix = f"{i}."
            step_arrays = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            steps.append(preprocessing_from_config(step_config, step_arrays))
        return cls(steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index):
        return self.steps[index]

    def __repr__(self) -> str:
        return f"Pipeline([{', '.join(map(repr, self.steps))}])"


def preprocessing_from_config(config: dict, arrays: dict[str, np.ndarray] | None = None):
    """Rebuild a step or pipeline saved with ``get_config()`` / ``get_arrays()``.

    Only the classes of this module can be named (no import by name), so a stored config
    cannot run arbitrary code.

    Raises
    ------
    ValueError
        For an unknown ``type`` or arrays inconsistent with the config.
    """
    if not isinstance(config, dict) or "type" not in config:
        raise ValueError(f"config must be a dict with a 'type' key, got {config!r}")
    type_name = config["type"]
    if type_name == "Pipeline":
        return Pipeline.from_config(config, arrays)
    if type_name not in _STEP_TYPES:
        known = ", ".join(["Pipeline", *_STEP_TYPES])
        raise ValueError(f"unknown preprocessing type {type_name!r}; known: {known}")
    return _STEP_TYPES[type_name].from_config(config, arrays)
