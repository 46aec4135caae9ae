"""The scikit-learn estimator protocol, written out so that scikit-learn stays optional.

Every classifier in `chainrule.classifiers` follows scikit-learn's conventions
(https://scikit-learn.org/stable/developers/develop.html):

- ``__init__`` only stores its arguments, under their own names (no validation, no work), so
  ``get_params`` / ``set_params`` / ``clone`` can rebuild the estimator;
- ``fit(X, y)`` validates, learns, sets attributes whose names end in ``_`` and returns ``self``;
- ``classes_`` holds the original labels (any sortable hashable values); internally the classes
  are the integers ``0 .. C-1`` in the order of ``classes_``;
- ``n_features_in_`` is the number of input features; ``predict`` checks it.

`BaseClassifier` implements the shared parts: parameters, input checks, label encoding,
``score``, and the tags that scikit-learn's ``check_estimator`` reads (imported lazily: chainrule
never imports scikit-learn at module level).
"""

from __future__ import annotations

import inspect
import numbers
import sys
import warnings

import numpy as np

__all__ = [
    "BaseClassifier",
    "DataConversionWarning",
    "NotFittedError",
    "available_if",
    "check_features",
    "check_labels",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict`` (or another method that needs a model) is called before ``fit``.

    Subclasses both ValueError and AttributeError, like scikit-learn's exception of that name."""


def _not_fitted_error_class():
    """`NotFittedError`, or, when scikit-learn is already loaded, a subclass that is also
    scikit-learn's NotFittedError (so its tools recognize it). scikit-learn is never imported
    here just for this."""
    sklearn_exceptions = sys.modules.get("sklearn.exceptions")
    if sklearn_exceptions is None:
        return NotFittedError
    compatible = globals().get("_SklearnNotFittedError")
    if compatible is None:
        compatible = type("_SklearnNotFittedError",
                          (NotFittedError, sklearn_exceptions.NotFittedError),
                          {"__module__": __name__, "__doc__": NotFittedError.__doc__})
        globals()["_SklearnNotFittedError"] = compatible
    return compatible


class DataConversionWarning(UserWarning):
    """Warns that the input had to be reshaped (a column vector y), as scikit-learn does."""


class available_if:  # noqa: N801 - a decorator, named like scikit-learn's
    """Make a method exist only when ``check(self)`` is true.

    Otherwise reading the attribute raises AttributeError, so ``hasattr(model, "predict_proba")``
    is False: an SVM-loss model has scores but no probabilities.
    """

    def __init__(self, check):
        self.check = check

    def __call__(self, method):
        self.method = method
        self.__doc__ = method.__doc__
        self.__name__ = method.__name__
        return self

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        if not self.check(instance):
            raise AttributeError(f"{type(instance).__name__} has no attribute {self.name!r} "
                                 f"with these parameters ({self.check.__doc__ or 'unavailable'})")
        return self.method.__get__(instance, owner)


def _is_sparse(X):
    module = type(X).__module__ or ""
    return module.startswith("scipy.sparse") or (hasattr(X, "tocsr") and hasattr(X, "nnz"))


def check_float_dtype(where, value):
    """The numpy floating dtype named by an estimator's ``dtype`` parameter, or ValueError."""
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != "f":
        raise ValueError(f"{where}: dtype must be a floating type such as 'float32', got "
                         f"{value!r}")
    return dtype


def check_features(X, where, dtype=np.float32, name="X"):
    """Validate a feature matrix and return it as a C-contiguous float array of shape (n, d).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features) or (n_samples, *image_shape)
        Extra axes (images) are flattened into features.
    where : str
        Named in error messages (the estimator and method).
    dtype : numpy dtype
        Floating-point type of the result.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    sample_shape : tuple
        The shape of one sample as given (``X.shape[1:]``), e.g. (28, 28) for images.

    Raises
    ------
    TypeError
        Sparse matrices; objects that are not numbers.
    ValueError
        None, complex numbers, strings, fewer than 2 axes, no samples or no features, NaN or inf.
    """
    if X is None:
        raise ValueError(f"{where}: expected an array-like X, got None")
    if _is_sparse(X):
        raise TypeError(f"{where}: sparse input is not supported, got {type(X).__name__}; "
                        "convert it with X.toarray() (images are dense anyway)")
    array = np.asarray(X)
    if array.dtype.kind == "c":
        raise ValueError(f"{where}: Complex data not supported in {name} (dtype {array.dtype})")
    if array.dtype.kind in "USV":
        raise ValueError(f"{where}: {name} must be numeric, got dtype {array.dtype}")
    if array.dtype.kind == "O":
        array = array.astype(np.float64)  # float() of a non-number raises a clear TypeError
    if array.ndim < 2:
        raise ValueError(f"{where}: expected a 2D array {name} of shape (n_samples, n_features), "
                         f"got {array.ndim}D array of shape {array.shape} instead. Reshape your "
                         "data either using array.reshape(-1, 1) if your data has a single "
                         "feature or array.reshape(1, -1) if it contains a single sample.")
    n_samples = array.shape[0]
    n_features = int(np.prod(array.shape[1:]))
    if n_samples == 0:
        raise ValueError(f"{where}: Found array with 0 sample(s) (shape={array.shape}) while a "
                         "minimum of 1 is required.")
    if n_features == 0:
        raise ValueError(f"{where}: Found array with 0 feature(s) (shape={array.shape}) while a "
                         "minimum of 1 is required.")
    sample_shape = tuple(int(s) for s in array.shape[1:])
    array = np.ascontiguousarray(array.reshape(n_samples, n_features), dtype=dtype)
    if not np.isfinite(array).all():
        what = "NaN" if np.isnan(array).any() else "inf (or a value too large for the dtype)"
        raise ValueError(f"{where}: {name} contains {what}; expected finite numbers")
    return array, sample_shape


def check_labels(y, where, n_samples):
    """Validate class labels: a 1-D array of n_samples discrete values (ints, strings, ...).

    A column vector (n, 1) is accepted with a `DataConversionWarning`, like scikit-learn.

    Raises
    ------
    ValueError
        y is None, multi-output, the wrong length, has NaN/inf, or holds continuous numbers
        ("Unknown label type: continuous": this is a classifier, not a regressor).
    """
    if y is None:
        raise ValueError(f"{where} requires y to be passed, but the target y is None")
    if isinstance(y, (str, bytes)):
        raise ValueError(f"{where}: y should be a 1d array of labels, got a string")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected. Please "
                      "change the shape of y to (n_samples,), for example using ravel().",
                      DataConversionWarning, stacklevel=3)
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{where}: y should be a 1d array of labels, got an array of shape "
                         f"{y.shape} (multi-output targets are not supported)")
    if len(y) != n_samples:
        raise ValueError(f"{where}: X has {n_samples} samples but y has {len(y)} labels; "
                         "expected one label per sample")
    values = y
    if y.dtype.kind == "O":
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in y):
            values = y.astype(np.float64)
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            what = "NaN" if np.isnan(values).any() else "inf"
            raise ValueError(f"{where}: y contains {what}; expected class labels")
        if not np.all(values == np.round(values)):
            raise ValueError(f"{where}: Unknown label type: continuous. y holds non-integer "
                             "numbers; a classifier needs discrete class labels")
    if y.dtype.kind == "c":
        raise ValueError(f"{where}: Unknown label type: complex numbers in y")
    return y


class BaseClassifier:
    """Shared parts of the chainrule classifiers (see the module docstring).

    Subclasses define ``__init__`` (storing every argument under its own name), ``fit``,
    ``decision_function`` and, where it exists, ``predict_proba``; ``predict`` is the class of the
    highest score.
    """

    _estimator_type = "classifier"  # read by scikit-learn < 1.6

    # ------------------------------------------------------------------ parameters
    @classmethod
    def _get_param_names(cls):
        signature = inspect.signature(cls.__init__)
        names = []
        for parameter in list(signature.parameters.values())[1:]:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ must list its parameters explicitly "
                                "(no *args/**kwargs), as scikit-learn estimators do")
            names.append(parameter.name)
        return sorted(names)

    def get_params(self, deep=True):
        """The constructor arguments, as a dict (``deep`` is accepted for compatibility: no
        parameter of these classifiers is itself an estimator)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set constructor arguments (validated at the next ``fit``); returns self."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for estimator "
                                 f"{type(self).__name__}; valid parameters are {valid}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = {name: parameter.default for name, parameter in
                    inspect.signature(type(self).__init__).parameters.items()}
        changed = []
        for name in self._get_param_names():
            value = getattr(self, name)
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = bool(np.all(value == default)) and type(value) is type(default)
            except (TypeError, ValueError):
                same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    # ------------------------------------------------------------------ scikit-learn tags
    def __sklearn_tags__(self):
        """Tags read by scikit-learn >= 1.6 (``check_estimator``, ``is_classifier``)."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(), input_tags=InputTags())

    def _more_tags(self):
        """Tags read by scikit-learn < 1.6."""
        return {"requires_y": True}

    def __sklearn_is_fitted__(self):
        return hasattr(self, "classes_")

    # ------------------------------------------------------------------ validation helpers
    def _validate_fit_data(self, X, y, dtype=np.float32):
        """Check X and y; set ``classes_``, ``n_features_in_``, ``_sample_shape``.

        Returns X as (n, d) floats and y encoded as int64 indices into ``classes_``."""
        where = f"{type(self).__name__}.fit"
        X, sample_shape = check_features(X, where, dtype=dtype)
        y = check_labels(y, where, len(X))
        try:
            classes, encoded = np.unique(y, return_inverse=True)
        except TypeError:
            raise ValueError(f"{where}: the labels in y must be mutually comparable (all "
                             "numbers or all strings), got a mix") from None
        if len(classes) < 2:
            raise ValueError(f"{where}: y has 1 class ({classes[0]!r}); a classifier needs "
                             "at least 2 classes to learn to tell apart")
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self._sample_shape = sample_shape
        return X, encoded.reshape(-1).astype(np.int64)

    def _check_fitted(self, method):
        if not self.__sklearn_is_fitted__():
            raise _not_fitted_error_class()(f"This {type(self).__name__} instance is not fitted yet: call "
                                 f"fit(X, y) before using {method}")

    def _validate_predict_data(self, X, method, dtype=np.float32):
        """Check that the model is fitted and X matches the training features."""
        self._check_fitted(method)
        X, _ = check_features(X, f"{type(self).__name__}.{method}", dtype=dtype)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input")
        return X

    # ------------------------------------------------------------------ shared predictions
    def predict(self, X):
        """The class of the highest score for each sample.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        scores = self._scores(X, "predict")
        return self.classes_[np.argmax(scores, axis=1)]

    def decision_function(self, X):
        """Class scores: shape (n_samples, n_classes), or (n_samples,) for two classes (the
        score of ``classes_[1]`` minus that of ``classes_[0]``: positive means ``classes_[1]``,
        scikit-learn's convention)."""
        scores = self._scores(X, "decision_function")
        if scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against the labels y."""
        predictions = self.predict(X)
        y = check_labels(y, f"{type(self).__name__}.score", len(predictions))
        return float(np.mean(predictions == y))

    def _scores(self, X, method):  # pragma: no cover - abstract
        raise NotImplementedError
