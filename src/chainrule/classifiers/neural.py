"""What the linear classifier and the MLP share: a chainrule network trained by the `Trainer`.

``fit`` validates the data, builds the network (`_build_model`, the only part that differs),
the loss, regularizer, optimizer and learning-rate schedule by name, and hands them to
`chainrule.train.Trainer`; prediction runs the trained network in eval mode without a graph.

L-BFGS and random search re-evaluate the loss themselves (``step(closure)``, which the Trainer
provides); here they get the whole training set as one batch, so ``epochs`` is their number of
steps.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..nn import LOSSES, get_regularizer
from ..nn.losses import softmax
from ..optim import OPTIMIZERS, SCHEDULERS, get_optimizer, get_scheduler
from ..train import Trainer, predict_scores
from .base import BaseClassifier, available_if, check_float_dtype

__all__ = ["DEFAULT_LR", "FULL_BATCH_OPTIMIZERS", "NeuralClassifier", "build_optimization"]

#: the learning rate used when ``lr=None``: the usual starting point of each optimizer
#: (random search: the scale of its random steps, as in the course)
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.01,
              "rmsprop": 1e-3, "adam": 1e-3, "adamw": 1e-3, "lbfgs": 1.0,
              "random-search": 1e-3}

#: optimizers that re-evaluate the loss themselves; they train on the whole set at every step
FULL_BATCH_OPTIMIZERS = ("lbfgs", "random-search")


def build_optimization(parameters, optimizer_name, lr, n_samples, batch_size, epochs,
                       schedule="constant", warmup_steps=0, options=None):
    """The optimizer, learning-rate schedule and batch size of a training run, by name.

    L-BFGS and random search re-evaluate the loss themselves (``FULL_BATCH_OPTIMIZERS``): they
    train on all ``n_samples`` at every step and choose their own step sizes, so they get no
    schedule. The others get ``schedule`` (stepped per iteration, over ``epochs`` epochs) with
    ``warmup_steps`` iterations of linear warmup; a constant rate without warmup needs none.

    Returns
    -------
    optimizer, scheduler (or None), batch_size
    """
    full_batch = optimizer_name in FULL_BATCH_OPTIMIZERS
    optimizer = get_optimizer(optimizer_name, list(parameters), lr=lr, **(options or {}))
    batch_size = n_samples if full_batch else min(int(batch_size), n_samples)
    scheduler = None
    if not full_batch and (schedule != "constant" or warmup_steps > 0):
        total_steps = int(epochs) * math.ceil(n_samples / batch_size)
        scheduler = get_scheduler(schedule, optimizer, total_steps=total_steps,
                                  warmup_steps=warmup_steps)
    return optimizer, scheduler, batch_size


def _positive_int(where, name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _has_probabilities(estimator):
    """only the softmax loss gives probabilities"""
    return estimator.loss == "softmax"


class NeuralClassifier(BaseClassifier):
    """Base class of `LinearClassifier` and `MLPClassifier` (see the module docstring).

    Subclasses store the shared parameters (``loss, regularization, strength, optimizer, lr,
    optimizer_options, epochs, batch_size, schedule, warmup, early_stopping,
    validation_fraction, patience, seed, verbose, dtype``) and define
    ``_build_model(n_features, n_classes, dtype, seed)``.
    """

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    # ------------------------------------------------------------------ checks
    def _check_training_params(self):
        where = f"{type(self).__name__}"
        if self.loss not in LOSSES:
            raise ValueError(f"{where}: loss must be one of {tuple(LOSSES)}, got {self.loss!r}")
        optimizer = str(self.optimizer).lower().replace("_", "-")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"{where}: optimizer must be one of {OPTIMIZERS}, got "
                             f"{self.optimizer!r}")
        lr = DEFAULT_LR[optimizer] if self.lr is None else self.lr
        if (not isinstance(lr, numbers.Real) or isinstance(lr, bool) or not math.isfinite(lr)
                or lr <= 0):
            raise ValueError(f"{where}: lr must be a positive number (or None for the "
                             f"optimizer's default), got {self.lr!r}")
        if self.schedule not in SCHEDULERS:
            raise ValueError(f"{where}: schedule must be one of {SCHEDULERS}, got "
                             f"{self.schedule!r}")
        _positive_int(where, "epochs", self.epochs)
        if (not isinstance(self.warmup, numbers.Real) or isinstance(self.warmup, bool)
                or not 0 <= self.warmup < self.epochs):
            raise ValueError(f"{where}: warmup must be a number of epochs in [0, epochs), got "
                             f"{self.warmup!r}")
        if (not isinstance(self.strength, numbers.Real) or isinstance(self.strength, bool)
                or not math.isfinite(self.strength) or self.strength < 0):
            raise ValueError(f"{where}: strength must be a finite number >= 0, got "
                             f"{self.strength!r}")
        get_regularizer(self.regularization, float(self.strength))  # unknown names raise here
        _positive_int(where, "batch_size", self.batch_size)
        _positive_int(where, "patience", self.patience)
        if not (isinstance(self.validation_fraction, numbers.Real)
                and 0 < self.validation_fraction < 1):
            raise ValueError(f"{where}: validation_fraction must be in (0, 1), got "
                             f"{self.validation_fraction!r}")
        if self.optimizer_options is not None and not isinstance(self.optimizer_options, dict):
            raise TypeError(f"{where}: optimizer_options must be a dict of keyword arguments "
                            f"for the optimizer or None, got {type(self.optimizer_options).__name__}")
        return optimizer, float(lr), check_float_dtype(where, self.dtype)

    # ------------------------------------------------------------------ training
    def _split_validation(self, X, y, rng):
        """Hold out ``validation_fraction`` of the samples (at least one) for early stopping."""
        n_val = max(1, int(round(self.validation_fraction * len(X))))
        if n_val >= len(X):
            raise ValueError(f"{type(self).__name__}.fit: early_stopping needs at least 2 "
                             f"samples to hold out a validation set, got {len(X)}")
        order = rng.permutation(len(X))
        val, train = order[:n_val], order[n_val:]
        return X[train], y[train], X[val], y[val]

    def fit(self, X, y):
        """Train the network on (X, y) with the `Trainer`.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features) (or images (n_samples, *shape))
            Preprocessed features (e.g. pixels scaled to [0, 1]).
        y : array_like of shape (n_samples,)
            Any hashable, sortable labels.

        Returns
        -------
        self
        """
        optimizer_name, lr, dtype = self._check_training_params()
        for name in ("model_", "history_", "n_iter_"):  # a failed fit leaves no stale model
            self.__dict__.pop(name, None)
        X, encoded = self._validate_fit_data(X, y, dtype=dtype)
        split_seed, init_seed, search_seed = np.random.SeedSequence(self.seed).spawn(3)
        model = self._build_model(X.shape[1], len(self.classes_), dtype,
                                  int(init_seed.generate_state(1)[0]))
        loss = LOSSES[self.loss]()
        regularizer = get_regularizer(self.regularization, float(self.strength))
        X_val = y_val = None
        if self.early_stopping:
            X, encoded, X_val, y_val = self._split_validation(
                X, encoded, np.random.default_rng(split_seed))
        options = dict(self.optimizer_options or {})
        if optimizer_name == "random-search":
            options.setdefault("seed", np.random.default_rng(search_seed))
        steps_per_epoch = math.ceil(len(X) / min(int(self.batch_size), len(X)))
        optimizer, scheduler, batch_size = build_optimization(
            model.parameters(), optimizer_name, lr, len(X), self.batch_size, self.epochs,
            self.schedule, int(round(self.warmup * steps_per_epoch)), options)
        trainer = Trainer(model, optimizer, loss, scheduler=scheduler, regularizer=regularizer,
                          epochs=int(self.epochs), batch_size=batch_size, seed=self.seed,
                          patience=int(self.patience) if self.early_stopping else None,
                          keep_best=bool(self.early_stopping), verbose=int(self.verbose))
        self.history_ = trainer.fit(X, encoded, X_val, y_val)
        self.model_ = model
        self.n_iter_ = trainer.epoch
        return self

    # ------------------------------------------------------------------ prediction
    def _scores(self, X, method):
        X = self._validate_predict_data(X, method, dtype=np.dtype(self.dtype))
        return predict_scores(self.model_, X, batch_size=1024)

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """Softmax probabilities p_j = e^{s_j} / sum_k e^{s_k} (softmax loss only: an SVM-loss
        model has scores but no probabilities, and no ``predict_proba`` attribute).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        return softmax(self._scores(X, "predict_proba"), axis=1)

    def _build_model(self, n_features, n_classes, dtype, seed):  # pragma: no cover - abstract
        raise NotImplementedError
