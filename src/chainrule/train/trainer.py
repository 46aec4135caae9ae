"""`Trainer`: the training loop -- the course's Solver (cs231n ``solver.py``), grown up.

One iteration is one forward pass, one backward pass and one optimizer step on a minibatch:

    s = f(x_batch; W)                         scores
    L = (1/B) sum_i L_i(s_i, y_i) + R(W)      data loss + regularization loss
    W <- update(W, dL/dW, lr_t)               the optimizer, with the schedule's lr_t

and training accuracy is read off the scores ``s`` already computed (no second pass). Around
that inner loop the trainer measures (``History``), checkpoints, validates, stops early, keeps
the best weights, and handles Ctrl-C and divergence.

Randomness: ``seed`` makes a ``numpy.random.SeedSequence`` whose first child seeds the generator
that shuffles the batches, and whose second child's children reseed every module's ``rng``
(the Dropout layers) unless ``reseed_dropout=False``, so that one seed fixes the whole run
whatever generators the model was built with. With a checkpoint, ``resume=True`` continues a
run and ends with exactly the weights the uninterrupted run ends with: the checkpoint written at
the end of each epoch holds the weights, optimizer and scheduler state and every generator's
state, and an epoch interrupted in the middle is redone from its beginning.
"""

from __future__ import annotations

import math
import numbers
import zlib
from pathlib import Path

import numpy as np

from .. import nn
from ..autograd import Tensor, no_grad
from ..data import BatchSampler
from .callbacks import Callback
from .checkpoint import generators_of, load_checkpoint, restore_generator, save_checkpoint
from .errors import TrainingDiverged, TrainingInterrupted
from .history import History
from .interrupt import InterruptFlag
from .loop import current_lr, run_epoch
from .metrics import predict_scores
from .progress import Progress

__all__ = ["Trainer"]

CHECKPOINT_NAME = "checkpoint.safetensors"


def _check_int(name, value, minimum, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"Trainer: {name} must be an integer >= {minimum}"
                         f"{' or None' if allow_none else ''}, got {value!r}")
    return int(value)


def _inputs(X, name, dtype):
    X = np.asarray(getattr(X, "data", X))
    if X.dtype.kind != "f":
        raise TypeError(f"Trainer.fit: {name} must hold preprocessed floats (e.g. float32), "
                        f"got dtype {X.dtype}")
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(f"Trainer.fit: {name} must have shape (n, ...) with n >= 1, got "
                         f"{X.shape}")
    if not np.isfinite(X).all():
        raise ValueError(f"Trainer.fit: {name} contains "
                         f"{X.size - np.count_nonzero(np.isfinite(X))} NaN or inf values")
    return X.astype(dtype, copy=False)  # once, to the model's dtype: no mixed precision later


def _labels(y, n, name):
    y = np.asarray(getattr(y, "data", y))
    if y.dtype.kind not in "iu":
        raise TypeError(f"Trainer.fit: {name} must be integer class labels, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"Trainer.fit: {name} must have shape ({n},) to match the inputs, got "
                         f"{y.shape}")
    if y.min() < 0:
        raise ValueError(f"Trainer.fit: {name} must be >= 0, got {y.min()}")
    return y.astype(np.int64, copy=False)


class Trainer:
    """Train a model with minibatch gradient descent.

    Parameters
    ----------
    model : Module
        Maps a batch of inputs (N, ...) to class scores (N, C).
    optimizer : Optimizer
        Built on ``model.parameters()``.
    loss : callable, default ``nn.SoftmaxCrossEntropyLoss()``
        ``loss(scores, labels)`` -> scalar Tensor (the mean over the batch).
    scheduler : LRScheduler, optional
        Stepped once per iteration (so its "epochs" are iterations; warmup is a
        ``LinearLR`` in a ``SequentialLR``).
    regularizer : callable, optional
        ``regularizer(model)`` -> scalar Tensor R(W), e.g. ``nn.L2(1e-4)``.
    epochs, batch_size : int
    seed : int or None
        Seeds the shuffling and (with ``reseed_dropout``) the Dropout masks.
    reseed_dropout : bool
        Replace every module's ``rng`` by a generator derived from ``seed``.
    patience : int, optional
        Stop when the validation accuracy has not improved for this many epochs.
    keep_best : bool
        At the end, restore the weights of the epoch with the best validation accuracy.
    clip_grad_norm : float, optional
        Clip the gradients to this global norm before each step.
    callbacks : sequence of Callback
    checkpoint_dir : str or Path, optional
        Where ``checkpoint.safetensors`` (after every epoch) and ``history.json``/``.csv`` go.
    resume : bool
        Continue from ``checkpoint_dir``'s checkpoint instead of starting over.
    log_every : int, optional
        Also record a history row every this many iterations.
    monitor_size : int
        Examples in the fixed batch (evenly spaced over the training set) on which dead ReLU
        units are counted; 0 turns the count off.
    eval_batch_size : int
    drop_last : bool
        Skip each epoch's last, incomplete batch.
    verbose : int
        0 silent; 1 a progress bar on a terminal, a line per epoch otherwise; 2 lines.
    stream : file, optional
        Where progress goes (stderr).

    Attributes
    ----------
    history : History
    epoch : int
        Epochs completed.
    step : int
        Optimizer steps taken.
    best_val_accuracy, best_epoch : float and int, or None
    stopped_reason : str or None
        "completed", "early_stopping" or "callback" after ``fit``.
    stop_training : bool
        Set by a callback to stop.
    """

    def __init__(self, model, optimizer, loss=None, *, scheduler=None, regularizer=None,
                 epochs=10, batch_size=64, seed=0, reseed_dropout=True, patience=None,
                 keep_best=True, clip_grad_norm=None, callbacks=(), checkpoint_dir=None,
                 resume=False, log_every=None, monitor_size=256, eval_batch_size=1000,
                 drop_last=False, verbose=1, stream=None):
        if not isinstance(model, nn.Module):
            raise TypeError(f"Trainer: model must be a chainrule Module, got "
                            f"{type(model).__name__}")
        if not hasattr(optimizer, "step") or not hasattr(optimizer, "param_groups"):
            raise TypeError(f"Trainer: optimizer must be a chainrule Optimizer, got "
                            f"{type(optimizer).__name__}")
        if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
            raise ValueError("Trainer: the scheduler was built on another optimizer")
        if clip_grad_norm is not None and not (isinstance(clip_grad_norm, numbers.Real)
                                               and 0 < clip_grad_norm < math.inf):
            raise ValueError(f"Trainer: clip_grad_norm must be a number > 0 or None, got "
                             f"{clip_grad_norm!r}")
        for index, callback in enumerate(callbacks):
            if not isinstance(callback, Callback):
                raise TypeError(f"Trainer: callback {index} is a {type(callback).__name__}, "
                                "expected a chainrule.train.Callback")
        if resume and checkpoint_dir is None:
            raise ValueError("Trainer: resume=True needs the checkpoint_dir to resume from")
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.loss = nn.SoftmaxCrossEntropyLoss() if loss is None else loss
        self.regularizer = regularizer
        self.epochs = _check_int("epochs", epochs, 1)
        self.batch_size = _check_int("batch_size", batch_size, 1)
        self.seed, self.reseed_dropout = seed, bool(reseed_dropout)
        self.patience = _check_int("patience", patience, 1, allow_none=True)
        self.keep_best = bool(keep_best)
        self.clip_grad_norm = clip_grad_norm
        self.callbacks = list(callbacks)
        self.checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        self.resume = bool(resume)
        self.log_every = _check_int("log_every", log_every, 1, allow_none=True)
        self.monitor_size = _check_int("monitor_size", monitor_size, 0)
        self.eval_batch_size = _check_int("eval_batch_size", eval_batch_size, 1)
        self.drop_last = bool(drop_last)
        self.verbose = _check_int("verbose", verbose, 0)
        self.stream = stream
        self.history = History()
        self.epoch = self.step = 0
        self.best_val_accuracy = self.best_epoch = None
        self.stopped_reason = None
        self.stop_training = False
        self._best_state = None
        self._since_best = 0
        self._window = [0, 0.0, 0.0, 0]  # running sums for the step rows (``log_every``)

    @property
    def checkpoint_path(self):
        """``checkpoint_dir / "checkpoint.safetensors"`` (None without a checkpoint_dir)."""
        return None if self.checkpoint_dir is None else self.checkpoint_dir / CHECKPOINT_NAME

    # ------------------------------------------------------------------ fit
    def fit(self, X_train, y_train, X_val=None, y_val=None):
        """Train on ``(X_train, y_train)``, validating on ``(X_val, y_val)`` after each epoch.

        Parameters
        ----------
        X_train : ndarray of shape (n, ...), float
            Preprocessed inputs (cast once to the model's dtype).
        y_train : ndarray of shape (n,), int
        X_val, y_val : optional, the same for the validation set (both or neither)

        Returns
        -------
        History

        Raises
        ------
        TrainingInterrupted
            On SIGINT/SIGTERM, after saving (see its message for how to resume).
        TrainingDiverged
            When the loss becomes NaN or inf (the last checkpoint is left as it was).
        """
        parameters = list(self.model.parameters())
        dtype = parameters[0].data.dtype if parameters else np.float32
        X_train = _inputs(X_train, "X_train", dtype)
        y_train = _labels(y_train, X_train.shape[0], "y_train")
        if (X_val is None) != (y_val is None):
            raise ValueError("Trainer.fit: give both X_val and y_val, or neither")
        if X_val is not None:
            X_val = _inputs(X_val, "X_val", dtype)
            y_val = _labels(y_val, X_val.shape[0], "y_val")
            if X_val.shape[1:] != X_train.shape[1:]:
                raise ValueError(f"Trainer.fit: X_val examples have shape {X_val.shape[1:]}, "
                                 f"X_train examples {X_train.shape[1:]}")
        elif self.patience is not None:
            raise ValueError("Trainer.fit: patience (early stopping on validation accuracy) "
                             "needs X_val and y_val")
        optimized = {id(p) for g in self.optimizer.param_groups for p in g["params"]}
        if not optimized & {id(p) for p in parameters}:
            raise ValueError("Trainer: the optimizer updates none of the model's parameters "
                             "(build it on model.parameters())")
        self._fingerprint = None
        if self.checkpoint_dir is not None:
            self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
            self._fingerprint = {"n_train": int(X_train.shape[0]),
                                 "input_shape": list(X_train.shape[1:]),
                                 "batch_size": self.batch_size, "drop_last": self.drop_last,
                                 "data_crc32": zlib.crc32(
                                     np.ascontiguousarray(X_train).data,
                                     zlib.crc32(np.ascontiguousarray(y_train).data))}
        sampler_seed, dropout_seed = np.random.SeedSequence(self.seed).spawn(2)
        self._sampler_rng = np.random.default_rng(sampler_seed)
        if self.resume:
            self._restore()
        else:
            self._start(dropout_seed)
        sampler = BatchSampler(X_train.shape[0], self.batch_size, self._sampler_rng,
                               shuffle=True, drop_last=self.drop_last)
        monitor = None
        if self.monitor_size and any(isinstance(m, nn.RELU_FAMILY) for m in self.model.modules()):
            count = min(self.monitor_size, X_train.shape[0])
            monitor = X_train[np.linspace(0, X_train.shape[0] - 1, count).astype(np.int64)]
        self._progress = Progress(self.verbose, self.epochs, self.stream)
        self.stop_training = False
        with InterruptFlag() as flag:
            try:
                if not self.resume and self.checkpoint_dir is not None:
                    self._save_checkpoint()  # the state before epoch 1, to restart it from
                self._call("on_fit_start")
                while self.epoch < self.epochs and self.stopped_reason is None:
                    record = run_epoch(self, sampler, X_train, y_train, monitor, flag)
                    if record is None:  # a callback stopped it mid-epoch
                        self.stopped_reason = "callback"
                        break
                    self._end_epoch(record, X_val, y_val, flag)
            finally:
                self._progress.close()
        self.stopped_reason = self.stopped_reason or "completed"
        if self.keep_best and self._best_state is not None:
            self.model.load_state_dict(self._best_state)
        if self.checkpoint_dir is not None:
            self.history.save(self.checkpoint_dir)
        self._call("on_fit_end")
        return self.history

    # ------------------------------------------------------------------ epoch end
    def _end_epoch(self, record, X_val, y_val, flag):
        if X_val is not None:
            record["val_loss"], record["val_accuracy"] = self._validate(X_val, y_val,
                                                                       record["iterations"])
            if self.best_val_accuracy is None or record["val_accuracy"] > self.best_val_accuracy:
                self.best_val_accuracy, self.best_epoch = record["val_accuracy"], record["epoch"]
                self._since_best = 0
                if self.keep_best:
                    self._best_state = self.model.state_dict()
            else:
                self._since_best += 1
        self.history.epochs.append(record)
        self.epoch = record["epoch"]
        self._progress.end_epoch(record)
        requests = [callback.on_epoch_end(self, record) for callback in self.callbacks]
        if any(requests) or self.stop_training:
            self.stopped_reason = "callback"
        if self.patience is not None and self._since_best >= self.patience:
            self.stopped_reason = "early_stopping"
            self._progress.message(f"early stopping: no better validation accuracy than "
                                   f"{self.best_val_accuracy:.4f} (epoch {self.best_epoch}) in "
                                   f"{self.patience} epochs")
        if self.checkpoint_dir is not None:
            self._save_checkpoint()
            self.history.save(self.checkpoint_dir)
        if flag.signal_number is not None:
            self.interrupted(flag.signal_number, self.epoch, record["iterations"],
                             resume_epoch=self.epoch + 1)

    def _validate(self, X_val, y_val, iterations):
        scores = predict_scores(self.model, X_val, self.eval_batch_size)
        if not np.isfinite(scores).all():  # finite weights can still overflow the scores
            self.diverged(self.epoch + 1, iterations, float("nan"), cause="validation")
        total = 0.0
        with no_grad():
            for start in range(0, len(y_val), self.eval_batch_size):
                labels = y_val[start:start + self.eval_batch_size]
                batch = Tensor(scores[start:start + self.eval_batch_size])
                total += float(self.loss(batch, labels).data) * len(labels)
        accuracy = float(np.count_nonzero(scores.argmax(axis=1) == y_val)) / len(y_val)
        return total / len(y_val), accuracy

    # ------------------------------------------------------------------ stopping
    def interrupted(self, signal_number, epoch, iteration, resume_epoch):
        """Raise TrainingInterrupted (the checkpoint on disk is the state to resume from)."""
        self._progress.close()
        path = self.checkpoint_path
        raise TrainingInterrupted(signal_number, epoch, iteration,
                                  path if path is not None and path.exists() else None,
                                  resume_epoch)

    def diverged(self, epoch, iteration, loss_value, cause="loss"):
        """Raise TrainingDiverged about step ``iteration`` of ``epoch`` (both 1-based); the
        model gets its best weights back when ``keep_best``."""
        self._progress.close()
        if self.keep_best and self._best_state is not None:
            self.model.load_state_dict(self._best_state)
        path = self.checkpoint_path
        lr = current_lr(self.optimizer.param_groups[0])
        step = self.step + 1 if cause == "loss" else self.step  # "loss": before the update
        raise TrainingDiverged(epoch, iteration, step, loss_value, lr,
                               path if path is not None and path.exists() else None,
                               cause=cause)

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(self, *args)

    # ------------------------------------------------------------------ state
    def _generators(self):
        return {"sampler": self._sampler_rng,
                **{f"module:{name}": rng for name, rng in generators_of(self.model).items()}}

    def _start(self, dropout_seed):
        """A fresh run: reset the counters, reseed the Dropout generators."""
        self.history = History()
        self.epoch = self.step = 0
        self.best_val_accuracy = self.best_epoch = self.stopped_reason = None
        self._best_state, self._since_best = None, 0
        self._window = [0, 0.0, 0.0, 0]
        if self.reseed_dropout:
            replaced = {}
            modules = [m for m in self.model.modules()
                       if isinstance(m.__dict__.get("rng"), np.random.Generator)]
            children = iter(dropout_seed.spawn(len({id(m.rng) for m in modules})))
            for module in modules:
                if id(module.rng) not in replaced:
                    replaced[id(module.rng)] = np.random.default_rng(next(children))
                module.rng = replaced[id(module.rng)]

    def _save_checkpoint(self):
        state = {"epoch": self.epoch, "step": self.step,
                 "best_val_accuracy": self.best_val_accuracy, "best_epoch": self.best_epoch,
                 "epochs_without_improvement": self._since_best,
                 "early_stopped": self.stopped_reason == "early_stopping",
                 "log_window": list(self._window),
                 "fingerprint": self._fingerprint}
        save_checkpoint(self.checkpoint_path, model=self.model, optimizer=self.optimizer,
                        scheduler=self.scheduler, generators=self._generators(),
                        best_state=self._best_state, trainer_state=state, history=self.history)

    def _restore(self):
        """Load everything from the checkpoint (``resume=True``)."""
        path = self.checkpoint_path
        if not path.exists():
            raise FileNotFoundError(f"Trainer: resume=True but there is no checkpoint at {path}")
        saved = load_checkpoint(path)
        state = saved["trainer"]
        for key, value in (state.get("fingerprint") or {}).items():
            if self._fingerprint.get(key) != value:
                raise ValueError(f"{path}: the checkpoint was made with {key}={value!r}, this "
                                 f"run has {key}={self._fingerprint.get(key)!r}; resume with "
                                 "the same data and batch size")
        try:
            self.model.load_state_dict(saved["model"])
            self.optimizer.load_state_dict(saved["optimizer"])
            if self.scheduler is not None:
                if saved["scheduler"] is None:
                    raise ValueError("the checkpoint has no scheduler state")
                self.scheduler.load_state_dict(saved["scheduler"])
        except (KeyError, ValueError) as error:
            raise ValueError(f"{path}: the checkpoint does not fit this model/optimizer/"
                             f"scheduler: {error}") from None
        generators = self._generators()
        if set(generators) != set(saved["generators"]):
            raise ValueError(f"{path}: the checkpoint has random generators "
                             f"{sorted(saved['generators'])}, this model "
                             f"{sorted(generators)}")
        for name, rng in generators.items():
            restore_generator(rng, saved["generators"][name], name, path)
        self.history = History.from_dict(saved["history"])
        self.epoch, self.step = int(state["epoch"]), int(state["step"])
        self.best_val_accuracy, self.best_epoch = state["best_val_accuracy"], state["best_epoch"]
        self._since_best = int(state["epochs_without_improvement"])
        self._window = list(state["log_window"])
        self.stopped_reason = "early_stopping" if state.get("early_stopped") else None
        self._best_state = saved["best"]
