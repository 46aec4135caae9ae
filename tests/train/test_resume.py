"""Checkpoints, resuming bit for bit, SIGINT/SIGTERM, divergence."""

import os
import signal
import threading

import numpy as np
import pytest

from chainrule import io, nn, optim
from chainrule.train import (
    CHECKPOINT_NAME,
    LambdaCallback,
    Trainer,
    TrainingDiverged,
    TrainingInterrupted,
    load_checkpoint,
)

from .helpers import blobs, same_weights, setup, spiral, weights

EPOCHS = 5
BATCH = 32  # 180 examples: 6 batches per epoch, the last one of 20


def _run(checkpoint_dir=None, resume=False, callbacks=(), init_seed=0, optimizer="sgd",
         epochs=EPOCHS, total_steps=None):
    """The same training run (Dropout, momentum, warmup + cosine schedule, L2, validation,
    keep-best, step rows), built fresh each time; init_seed changes the initial weights so that
    a resumed run must get everything from the checkpoint."""
    X, y = spiral()
    Xv, yv = spiral(seed=1)
    model, opt, scheduler = setup(dropout=0.3, init_seed=init_seed,
                                  total_steps=total_steps or epochs * 6)
    if optimizer == "adam":
        opt = optim.Adam(model.parameters(), lr=0.01)
        scheduler = optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5)
    trainer = Trainer(model, opt, scheduler=scheduler, regularizer=nn.L2(1e-3), epochs=epochs,
                      batch_size=BATCH, seed=11, checkpoint_dir=checkpoint_dir, resume=resume,
                      callbacks=callbacks, log_every=4, verbose=0)
    trainer.fit(X, y, Xv, yv)
    return trainer


def _same_history(a, b):
    strip = [{k: v for k, v in row.items() if k != "seconds"} for row in a.epochs]
    other = [{k: v for k, v in row.items() if k != "seconds"} for row in b.epochs]
    return strip == other and a.steps == b.steps and a.step_losses == b.step_losses


def _send_at_step(target_step, signal_number=signal.SIGINT):
    def hook(trainer, step, loss):
        if step == target_step:
            os.kill(os.getpid(), signal_number)
    return LambdaCallback(on_step_end=hook)


@pytest.fixture(scope="module")
def reference():
    """The uninterrupted run: its final weights and history."""
    trainer = _run()
    return weights(trainer.model), trainer.history


@pytest.mark.parametrize("interrupt_step, signal_number, resumes_at", [
    (15, signal.SIGINT, 3),   # epoch 3, iteration 3 of 6: the epoch is redone from its start
    (1, signal.SIGTERM, 1),   # the very first step: back to the initial checkpoint
    (12, signal.SIGINT, 3),   # the last step of epoch 2: that epoch completes and is saved
])
def test_interrupt_then_resume_is_bit_identical(tmp_path, reference, interrupt_step,
                                                signal_number, resumes_at):
    final_weights, history = reference
    handler_before = signal.getsignal(signal_number)
    with pytest.raises(TrainingInterrupted) as caught:
        _run(tmp_path, callbacks=[_send_at_step(interrupt_step, signal_number)])
    assert signal.getsignal(signal_number) is handler_before  # handlers restored
    error = caught.value
    assert error.signal_number == signal_number and error.resume_epoch == resumes_at
    assert error.checkpoint_path == tmp_path / CHECKPOINT_NAME
    assert "resume=True" in str(error) and str(tmp_path) in str(error)
    assert load_checkpoint(error.checkpoint_path)["trainer"]["epoch"] == resumes_at - 1

    resumed = _run(tmp_path, resume=True, init_seed=99)  # other initial weights: overwritten
    assert same_weights(weights(resumed.model), final_weights)
    assert _same_history(resumed.history, history)


def test_resume_with_adam_and_two_interruptions(tmp_path, reference):
    straight = _run(optimizer="adam")
    with pytest.raises(TrainingInterrupted):
        _run(tmp_path, optimizer="adam", callbacks=[_send_at_step(4)])
    with pytest.raises(TrainingInterrupted) as caught:
        _run(tmp_path, optimizer="adam", resume=True, callbacks=[_send_at_step(22)])
    assert caught.value.epoch == 4 and caught.value.iteration == 4
    resumed = _run(tmp_path, optimizer="adam", resume=True, init_seed=5)
    assert same_weights(weights(resumed.model), weights(straight.model))
    assert _same_history(resumed.history, straight.history)


def test_resume_extends_a_finished_run(tmp_path, reference):
    # 3 epochs, then "train 2 more": the same as 5 epochs straight (the schedule's length is
    # fixed by total_steps, not by epochs)
    final_weights, _ = reference
    _run(tmp_path, epochs=3, total_steps=EPOCHS * 6)
    resumed = _run(tmp_path, resume=True, epochs=EPOCHS)
    assert same_weights(weights(resumed.model), final_weights)


def test_checkpoint_contents(tmp_path):
    trainer = _run(tmp_path, epochs=2)
    saved = load_checkpoint(tmp_path / CHECKPOINT_NAME)
    assert saved["trainer"]["epoch"] == 2 and saved["trainer"]["step"] == 12
    assert set(saved["generators"]) == {"sampler", "module:2"}  # the shuffle and the Dropout
    assert saved["generators"]["module:2"] == trainer.model[2].rng.bit_generator.state
    assert saved["optimizer"]["state"]["0"]["momentum_buffer"].shape == (2, 32)
    assert saved["scheduler"]["last_epoch"] == 12
    best_epoch = saved["trainer"]["best_epoch"]
    assert saved["best"] is not None and best_epoch == trainer.best_epoch
    # after fit the model holds the best weights (keep_best); the checkpoint the last ones
    assert same_weights(saved["best"], weights(trainer.model))
    assert len(saved["history"]["epochs"]) == 2
    # it is a chainrule file of its own kind: not loadable as a model
    with pytest.raises(io.ChainruleFileError, match="'checkpoint' file"):
        io.load(tmp_path / CHECKPOINT_NAME)


def test_resume_refuses_other_data_or_a_missing_checkpoint(tmp_path):
    model, optimizer, _ = setup(schedule=False)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        Trainer(model, optimizer, checkpoint_dir=tmp_path, resume=True, verbose=0).fit(*spiral())
    Trainer(model, optimizer, epochs=1, batch_size=32, checkpoint_dir=tmp_path,
            verbose=0).fit(*spiral())
    model, optimizer, _ = setup(schedule=False)
    with pytest.raises(ValueError, match="data_crc32"):
        Trainer(model, optimizer, epochs=2, batch_size=32, checkpoint_dir=tmp_path, resume=True,
                verbose=0).fit(*spiral(seed=4))
    with pytest.raises(ValueError, match="batch_size=32.*batch_size=16"):
        Trainer(model, optimizer, epochs=2, batch_size=16, checkpoint_dir=tmp_path, resume=True,
                verbose=0).fit(*spiral())
    wider, wider_optimizer, _ = setup(hidden=48, schedule=False)
    with pytest.raises(ValueError, match="does not fit"):
        Trainer(wider, wider_optimizer, epochs=2, batch_size=32, checkpoint_dir=tmp_path,
                resume=True, verbose=0).fit(*spiral())


def test_interrupt_without_checkpoint_dir_says_it_cannot_resume():
    with pytest.raises(TrainingInterrupted, match="cannot be resumed") as caught:
        _run(callbacks=[_send_at_step(3)])
    assert caught.value.checkpoint_path is None and caught.value.iteration == 3


def test_no_handlers_outside_the_main_thread():
    # signal.signal raises ValueError outside the main thread; fit must not try
    outcome = {}

    def train():
        try:
            outcome["history"] = _run(epochs=1).history
        except Exception as error:  # reported below
            outcome["error"] = error

    thread = threading.Thread(target=train)
    thread.start()
    thread.join()
    assert "error" not in outcome and len(outcome["history"]) == 1


def test_same_seed_same_result_other_seed_other_result():
    a, b = _run(epochs=2), _run(epochs=2, init_seed=0)
    assert same_weights(weights(a.model), weights(b.model))
    X, y = spiral()
    model, opt, scheduler = setup(dropout=0.3, total_steps=12)
    Trainer(model, opt, scheduler=scheduler, regularizer=nn.L2(1e-3), epochs=2, batch_size=BATCH,
            seed=12, verbose=0, log_every=4).fit(X, y, *spiral(seed=1))
    assert not same_weights(weights(a.model), weights(model))


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
def test_divergence_stops_with_a_clear_message_and_keeps_the_checkpoint(tmp_path):
    X, y = blobs(n=120, dims=4)
    model, optimizer, _ = setup(n_in=4, dropout=0.0, schedule=False, lr=0.05)
    path = tmp_path / CHECKPOINT_NAME
    on_disk, steps = {}, {"seen": [], "weights_broke": None}

    def epoch_start(trainer, epoch):
        on_disk["bytes"], on_disk["epoch"] = path.read_bytes(), epoch

    def epoch_end(trainer, record):
        if record["epoch"] == 2:  # from epoch 3 on, weight decay overshoots: |1 - 2 lr l| > 1
            for group in optimizer.param_groups:
                group["lr"] = 20.0

    def step_end(trainer, step, loss):
        steps["seen"].append(step)
        finite = all(np.isfinite(p.data).all() for p in trainer.model.parameters())
        if not finite and steps["weights_broke"] is None:
            steps["weights_broke"] = step

    trainer = Trainer(model, optimizer, regularizer=nn.L2(1.0), epochs=30, batch_size=40,
                      checkpoint_dir=tmp_path, verbose=0,
                      callbacks=[LambdaCallback(on_epoch_start=epoch_start,
                                                on_epoch_end=epoch_end,
                                                on_step_end=step_end)])
    with pytest.raises(TrainingDiverged) as caught:
        trainer.fit(X, y, *blobs(n=60, dims=4, seed=1))
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.epoch == on_disk["epoch"] >= 3
    assert error.iteration == error.step - 3 * (error.epoch - 1)
    message = str(error)
    assert f"epoch {error.epoch}, iteration {error.iteration} (step {error.step})" in message
    if error.cause == "loss":  # the forward pass found a non-finite loss
        assert error.step == steps["seen"][-1] + 1 and "the loss is" in message
    elif error.cause == "weights":  # the epoch's last update broke the weights
        assert steps["weights_broke"] == error.step == steps["seen"][-1]
        assert "made the weights NaN or inf" in message
    else:  # finite weights, but so large that the validation scores overflow
        assert error.cause == "validation" and steps["weights_broke"] is None
        assert error.step == steps["seen"][-1] and "validation set" in message
    assert "lower learning rate" in message and "(it was 20)" in message
    assert str(path) in message
    assert not np.isfinite(error.loss)
    # the checkpoint of the last finished epoch is exactly as it was written
    assert path.read_bytes() == on_disk["bytes"]
    saved = load_checkpoint(path)
    assert saved["trainer"]["epoch"] == error.epoch - 1
    # the model got its best weights back (finite ones)
    assert same_weights(weights(model), saved["best"])
    assert all(np.isfinite(p.data).all() for p in model.parameters())


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("poison_step, cause, where", [
    (3, "loss", r"epoch 2, iteration 2 \(step 4\): the loss is nan"),
    (4, "weights", r"epoch 2, iteration 2 \(step 4\): its update made the weights NaN"),
])
def test_nan_weights_are_found(poison_step, cause, where):
    X, y = blobs(n=60, dims=4)  # 2 batches of 30 per epoch
    model, optimizer, _ = setup(n_in=4, dropout=0.0, schedule=False)

    def poison(trainer, step, loss):
        if step == poison_step:
            trainer.model[0].weight.data[0, 0] = np.inf  # inf * 0 -> NaN scores next

    with pytest.raises(TrainingDiverged, match=where) as caught:
        Trainer(model, optimizer, epochs=5, batch_size=30, verbose=0,
                callbacks=[LambdaCallback(on_step_end=poison)]).fit(X, y)
    assert caught.value.cause == cause
