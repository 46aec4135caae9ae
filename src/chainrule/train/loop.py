"""The inner loop of `Trainer.fit`: one epoch of forward, backward and update.

Kept lean on purpose: per iteration it does one forward pass, one backward pass, one optimizer
step (and a scheduler step), reads the loss and the number of correct predictions off what was
computed anyway, and checks the interrupt flag. Measurements that need extra work (the
update/weight ratios and the dead-unit count) happen on one iteration per epoch (the last) and
every ``log_every`` iterations, not on every one.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..autograd import Tensor, no_grad
from ..nn import dead_unit_fractions
from .callbacks import Callback
from .clipping import clip_grad_norm_

__all__ = ["run_epoch", "update_ratios"]


def update_ratios(weights, before):
    """||W_after - W_before|| / ||W_before|| per weight matrix (NaN when W_before is zero).

    The course's rule of thumb: around 1e-3; much lower means the learning rate is too small,
    much higher that it is too large.
    """
    ratios = {}
    for (name, parameter), old in zip(weights, before):
        change = np.linalg.norm((parameter.data - old).ravel().astype(np.float64))
        size = np.linalg.norm(old.ravel().astype(np.float64))
        ratios[f"update_ratio/{name}"] = float(change / size) if size > 0 else math.nan
    return ratios


def _dead(model, monitor):
    if monitor is None:
        return {}
    return {f"dead_fraction/{name}": value
            for name, value in dead_unit_fractions(model, monitor).items()}


def current_lr(group):
    """The group's learning rate (random search calls its step size "scale")."""
    return group["lr"] if "lr" in group else group.get("scale", math.nan)


def batch_closure(model, loss_function, regularizer, optimizer, inputs, labels):
    """For optimizers that re-evaluate the loss themselves (``step(closure)``: L-BFGS, random
    search): L(W) = (1/B) sum_i L_i + R(W) on this batch, with its gradient when they use it."""

    def loss():
        total = loss_function(model(inputs), labels)
        return total + regularizer(model) if regularizer is not None else total

    def closure():
        if not optimizer.closure_uses_gradient:
            with no_grad():
                return loss()
        optimizer.zero_grad()
        total = loss()
        total.backward()
        return total

    return closure


def _means(count, data_sum, reg_sum, correct):
    return {"data_loss": data_sum / count, "reg_loss": reg_sum / count,
            "loss": (data_sum + reg_sum) / count, "train_accuracy": correct / count}


def run_epoch(trainer, sampler, X, y, monitor, flag):
    """Train one epoch; return its history row (without validation), or None when a callback
    stopped training before the epoch's end.

    Raises TrainingDiverged / TrainingInterrupted through ``trainer.diverged`` /
    ``trainer.interrupted``.
    """
    model, optimizer, scheduler = trainer.model, trainer.optimizer, trainer.scheduler
    loss_function, regularizer, clip = trainer.loss, trainer.regularizer, trainer.clip_grad_norm
    parameters = [p for group in optimizer.param_groups for p in group["params"]]
    weights = [(name, p) for name, p in model.named_parameters() if p.data.ndim >= 2]
    first_group = optimizer.param_groups[0]
    log_every = trainer.log_every
    step_losses = trainer.history.step_losses
    step_hooks = [callback.on_step_end for callback in trainer.callbacks
                  if getattr(callback.on_step_end, "__func__", None) is not Callback.on_step_end]
    progress = trainer._progress

    epoch = trainer.epoch + 1
    trainer._call("on_epoch_start", epoch)
    model.train()
    last = len(sampler) - 1
    progress.start_epoch(epoch, last + 1)
    count = correct = 0
    data_sum = reg_sum = 0.0
    window = trainer._window  # examples, data/reg loss sums, correct since the last step row
    ratios = {}
    started = time.perf_counter()
    for index, batch in enumerate(sampler.epoch()):
        labels = y[batch]
        inputs = Tensor(X[batch])
        scores = model(inputs)
        try:
            data_loss = loss_function(scores, labels)
        except ValueError:
            if not np.isfinite(scores.data).all():  # the loss refuses NaN/inf scores
                trainer.diverged(epoch, index + 1, float("nan"))
            raise
        data_value = float(data_loss.data)
        if regularizer is not None:
            reg_loss = regularizer(model)
            reg_value = float(reg_loss.data)
            total = data_loss + reg_loss
        else:
            reg_value, total = 0.0, data_loss
        loss_value = data_value + reg_value
        if not math.isfinite(loss_value):
            trainer.diverged(epoch, index + 1, loss_value)

        optimizer.zero_grad()
        total.backward()
        if clip is not None:
            clip_grad_norm_(parameters, clip)
        lr = current_lr(first_group)
        log_step = log_every is not None and (trainer.step + 1) % log_every == 0
        measure = index == last or log_step
        if measure:
            before = [p.data.copy() for _, p in weights]
        if optimizer.requires_closure:
            optimizer.step(batch_closure(model, loss_function, regularizer, optimizer, inputs,
                                         labels))
        else:
            optimizer.step()
        if measure:
            ratios = update_ratios(weights, before)
        if scheduler is not None:
            scheduler.step()
        trainer.step += 1

        size = len(batch)
        hits = int(np.count_nonzero(scores.data.argmax(axis=1) == labels))
        count += size
        correct += hits
        data_sum += data_value * size
        reg_sum += reg_value * size
        step_losses.append(loss_value)
        if log_every is not None:
            window[0] += size
            window[1] += data_value * size
            window[2] += reg_value * size
            window[3] += hits
            if log_step:
                trainer.history.steps.append({"epoch": epoch, "step": trainer.step, "lr": lr,
                                              **_means(*window), **ratios,
                                              **_dead(model, monitor)})
                window[:] = [0, 0.0, 0.0, 0]
        progress.step(loss_value, correct, count, lr)
        for hook in step_hooks:
            if hook(trainer, trainer.step, loss_value):
                trainer.stop_training = True
        if index < last:
            if flag.signal_number is not None:
                trainer.interrupted(flag.signal_number, epoch, index + 1, resume_epoch=epoch)
            if trainer.stop_training:
                return None
    # a NaN/inf made by the last update would only show in the next epoch's first loss
    if not all(np.isfinite(p.data).all() for p in parameters):
        trainer.diverged(epoch, last + 1, math.nan, cause="weights")
    return {"epoch": epoch, "step": trainer.step, "iterations": last + 1, "lr": lr,
            **_means(count, data_sum, reg_sum, correct), "val_loss": None,
            "val_accuracy": None, "seconds": time.perf_counter() - started, **ratios,
            **_dead(model, monitor)}
