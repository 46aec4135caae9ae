"""Trainer: learning, the history it records, the files it writes, callbacks, stopping, progress."""

import csv
import io as stdio
import json
import math

import numpy as np
import pytest

from chainrule import nn, optim
from chainrule.train import Callback, LambdaCallback, Trainer, global_grad_norm, predict_scores

from .helpers import blobs, mlp, same_weights, setup, spiral, weights


def test_training_reduces_the_loss_and_fits_the_spiral():
    X, y = spiral()
    model, optimizer, _ = setup(dropout=0.0, schedule=False, hidden=64, lr=0.5)
    trainer = Trainer(model, optimizer, epochs=60, batch_size=30, verbose=0, seed=0)
    history = trainer.fit(X, y)
    losses = history.column("loss")
    assert len(history) == 60 and trainer.epoch == 60 and trainer.step == 60 * 6
    assert losses[-1] < 0.3 * losses[0]
    assert losses[0] == pytest.approx(math.log(3), rel=0.3)  # the course's sanity check
    assert history.epochs[-1]["train_accuracy"] > 0.95
    assert np.mean(predict_scores(model, X).argmax(1) == y) > 0.95
    assert trainer.stopped_reason == "completed"


def test_history_contents():
    X, y = spiral()
    Xv, yv = spiral(seed=1)
    total_steps = 4 * 6
    model, optimizer, scheduler = setup(dropout=0.0, total_steps=total_steps)
    regularizer = nn.L2(1e-2)
    lrs, checks = [optimizer.param_groups[0]["lr"]], []  # the rate each step uses
    monitor = X[np.linspace(0, len(X) - 1, 50).astype(np.int64)]

    class Check(Callback):
        def on_step_end(self, trainer, step, loss):
            lrs.append(optimizer.param_groups[0]["lr"])  # set by the scheduler for the next

        def on_epoch_end(self, trainer, record):
            # the same measurements, made independently
            checks.append((float(regularizer(trainer.model).data),
                           nn.dead_unit_fractions(trainer.model, monitor)))

    trainer = Trainer(model, optimizer, scheduler=scheduler, regularizer=regularizer, epochs=4,
                      batch_size=30, log_every=4, monitor_size=50, callbacks=[Check()],
                      verbose=0)
    history = trainer.fit(X, y, Xv, yv)
    assert [row["epoch"] for row in history.epochs] == [1, 2, 3, 4]
    assert [row["step"] for row in history.epochs] == [6, 12, 18, 24]
    assert len(history.step_losses) == total_steps
    for row, (reg_at_end, dead) in zip(history.epochs, checks):
        assert row["loss"] == pytest.approx(row["data_loss"] + row["reg_loss"])
        assert 0 < row["reg_loss"]
        # the mean regularization loss over the epoch is close to its value at the end
        assert row["reg_loss"] == pytest.approx(reg_at_end, rel=0.2)
        assert 0 <= row["train_accuracy"] <= 1 and 0 <= row["val_accuracy"] <= 1
        assert row["val_loss"] > 0
        assert set(k for k in row if k.startswith("update_ratio/")) == {
            "update_ratio/0.weight", "update_ratio/2.weight"}
        assert 1e-5 < row["update_ratio/0.weight"] < 1
        assert row["dead_fraction/1"] == dead["1"]
    # the lr column is the rate used by the epoch's last step
    assert [row["lr"] for row in history.epochs] == [lrs[5], lrs[11], lrs[17], lrs[23]]
    assert lrs[0] == pytest.approx(0.03) and max(lrs) == pytest.approx(0.3)  # warmup, decay
    assert history.column("step")[-1] == total_steps
    assert [row["step"] for row in history.steps] == [4, 8, 12, 16, 20, 24]
    step_means = [np.mean(history.step_losses[s - 4:s]) for s in (4, 8, 12, 16, 20, 24)]
    # step rows average the last 4 iterations, across epoch ends too (all batches hold 30)
    assert [row["loss"] for row in history.steps] == pytest.approx(step_means)
    # the validation numbers are those of the model at the end of each epoch
    final = predict_scores(model, Xv)
    assert history.epochs[-1]["val_accuracy"] == pytest.approx(np.mean(final.argmax(1) == yv))


def test_update_ratio_is_lr_times_gradient_over_weight():
    X, y = blobs(n=96, dims=4)
    model = mlp(hidden=8, n_in=4)
    optimizer = optim.SGD(model.parameters(), lr=0.05)  # plain SGD: W_after - W_before = -lr g
    expected = {}

    class Measure(Callback):
        def on_step_end(self, trainer, step, loss):
            if step % 3 == 0:  # the last step of each epoch (96 / 32 = 3 batches)
                for name, p in trainer.model.named_parameters():
                    if p.data.ndim == 2:
                        before = p.data + 0.05 * p.grad
                        expected[(step, name)] = (np.linalg.norm(0.05 * p.grad)
                                                  / np.linalg.norm(before))

    history = Trainer(model, optimizer, epochs=2, batch_size=32, callbacks=[Measure()],
                      verbose=0).fit(X, y)
    for row in history.epochs:
        for name in ("0.weight", "2.weight"):
            assert row[f"update_ratio/{name}"] == pytest.approx(expected[(row["step"], name)],
                                                                rel=1e-4)


def test_history_files_are_written_each_epoch(tmp_path):
    X, y = spiral()
    model, optimizer, scheduler = setup(total_steps=18)
    seen = []

    def look(trainer, record):
        # written after on_epoch_end? no: check the files of the previous epoch
        if (tmp_path / "history.json").exists():
            seen.append(len(json.loads((tmp_path / "history.json").read_text())["epochs"]))

    Trainer(model, optimizer, scheduler=scheduler, epochs=3, batch_size=30, log_every=5,
            checkpoint_dir=tmp_path, verbose=0,
            callbacks=[LambdaCallback(on_epoch_end=look)]).fit(X, y, *spiral(seed=2))
    assert seen == [1, 2]  # after epochs 1 and 2, the file held 1 and 2 epochs
    data = json.loads((tmp_path / "history.json").read_text())
    assert [row["epoch"] for row in data["epochs"]] == [1, 2, 3]
    assert len(data["step_losses"]) == 18 and len(data["steps"]) == 3
    with open(tmp_path / "history.csv") as file:
        rows = list(csv.DictReader(file))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert float(rows[2]["val_accuracy"]) == pytest.approx(data["epochs"][2]["val_accuracy"])
    assert "update_ratio/0.weight" in rows[0] and "dead_fraction/1" in rows[0]
    with open(tmp_path / "history_steps.csv") as file:
        assert [int(r["step"]) for r in csv.DictReader(file)] == [5, 10, 15]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint.safetensors", "history.csv", "history.json", "history_steps.csv"]


def test_early_stopping_and_keep_best():
    X, y = blobs(n=150, dims=5, seed=0)
    Xv, yv = blobs(n=60, dims=5, seed=0)
    yv = np.random.default_rng(3).permutation(yv)  # a validation set the model cannot learn
    model = mlp(hidden=16, n_in=5)
    snapshots = {}
    recorder = LambdaCallback(on_epoch_end=lambda t, r: snapshots.update(
        {r["epoch"]: weights(t.model)}))
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.2, momentum=0.9), epochs=40,
                      batch_size=25, patience=3, callbacks=[recorder], verbose=0)
    history = trainer.fit(X, y, Xv, yv)
    accuracies = history.column("val_accuracy")
    best = int(np.argmax(accuracies)) + 1  # first epoch with the highest accuracy
    assert trainer.stopped_reason == "early_stopping"
    assert len(history) < 40
    assert trainer.best_epoch == best and len(history) == best + 3
    assert trainer.best_val_accuracy == accuracies.max()
    assert np.all(accuracies[best:] <= accuracies[best - 1])
    # keep_best: the weights of the best epoch, not the last one
    assert same_weights(weights(model), snapshots[best])
    assert not same_weights(weights(model), snapshots[len(history)])


def test_without_keep_best_the_last_weights_stay():
    X, y = blobs(n=100, dims=5)
    Xv, yv = blobs(n=40, dims=5, seed=1)
    yv = np.random.default_rng(3).permutation(yv)
    model = mlp(hidden=16, n_in=5)
    last = {}
    callback = LambdaCallback(on_epoch_end=lambda t, r: last.update(weights(t.model)))
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.2), epochs=6, batch_size=25,
                      keep_best=False, callbacks=[callback], verbose=0)
    trainer.fit(X, y, Xv, yv)
    assert same_weights(weights(model), last)


def test_gradient_clipping_bounds_the_global_norm():
    X, y = spiral()
    X = X * 50  # large inputs: large gradients

    def norms(clip):
        model, optimizer, _ = setup(dropout=0.0, schedule=False, lr=0.01)
        seen = []
        recorder = LambdaCallback(on_step_end=lambda t, s, loss: seen.append(
            global_grad_norm(t.model.parameters())))
        Trainer(model, optimizer, epochs=2, batch_size=30, clip_grad_norm=clip,
                callbacks=[recorder], verbose=0).fit(X, y)
        return np.array(seen)

    unclipped, clipped = norms(None), norms(1.0)
    assert unclipped.max() > 10  # clipping has work to do
    assert np.all(clipped <= 1.0 + 1e-5)
    assert np.sum(np.isclose(clipped, 1.0, rtol=1e-4)) > len(clipped) // 2


def test_callbacks_can_stop_training():
    X, y = spiral()
    model, optimizer, _ = setup(schedule=False)
    trainer = Trainer(model, optimizer, epochs=10, batch_size=30, verbose=0,
                      callbacks=[LambdaCallback(on_epoch_end=lambda t, r: r["epoch"] == 3)])
    trainer.fit(X, y)
    assert len(trainer.history) == 3 and trainer.stopped_reason == "callback"

    model, optimizer, _ = setup(schedule=False)

    class StopAtStep(Callback):
        def on_step_end(self, trainer, step, loss):
            if step == 8:
                trainer.stop_training = True

    trainer = Trainer(model, optimizer, epochs=10, batch_size=30, callbacks=[StopAtStep()],
                      verbose=0)
    trainer.fit(X, y)
    assert trainer.step == 8 and len(trainer.history) == 1  # epoch 2 unfinished: not recorded
    assert trainer.stopped_reason == "callback"


def test_all_hooks_are_called_in_order():
    X, y = blobs(n=40, dims=3)
    events = []

    class Log(Callback):
        def on_fit_start(self, trainer):
            events.append("fit_start")

        def on_epoch_start(self, trainer, epoch):
            events.append(f"epoch_start {epoch}")

        def on_step_end(self, trainer, step, loss):
            events.append(f"step {step}")

        def on_epoch_end(self, trainer, record):
            events.append(f"epoch_end {record['epoch']}")

        def on_fit_end(self, trainer):
            events.append("fit_end")

    model = mlp(hidden=4, n_in=3)
    Trainer(model, optim.SGD(model.parameters(), lr=0.1), epochs=2, batch_size=20,
            callbacks=[Log()], verbose=0).fit(X, y)
    assert events == ["fit_start", "epoch_start 1", "step 1", "step 2", "epoch_end 1",
                      "epoch_start 2", "step 3", "step 4", "epoch_end 2", "fit_end"]


class _Terminal(stdio.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("verbose, stream_type, expect", [
    (0, _Terminal, "nothing"),
    (0, stdio.StringIO, "nothing"),
    (1, stdio.StringIO, "lines"),
    (2, _Terminal, "lines"),
    (1, _Terminal, "bar"),
])
def test_progress_output(verbose, stream_type, expect):
    X, y = blobs(n=60, dims=3)
    model = mlp(hidden=4, n_in=3)
    stream = stream_type()
    Trainer(model, optim.SGD(model.parameters(), lr=0.1), epochs=3, batch_size=20,
            verbose=verbose, stream=stream).fit(X, y, X, y)
    text = stream.getvalue()
    if expect == "nothing":
        assert text == ""
    elif expect == "lines":
        lines = text.splitlines()
        assert len(lines) == 3
        assert lines[2].startswith("epoch 3/3  loss ") and "val acc" in lines[2]
        assert "lr 0.1" in lines[0]
    else:
        assert "epoch 3/3" in text and "val_acc=" in text and "lr=0.1" in text
        assert "3/3 [" in text  # tqdm's counter of batches


@pytest.mark.parametrize("kwargs, args, error, match", [
    ({}, (np.zeros((10, 2), np.int64), np.zeros(10, np.int64)), TypeError, "X_train.*float"),
    ({}, (np.zeros((10, 2), np.float32), np.zeros(9, np.int64)), ValueError, r"\(10,\)"),
    ({}, (np.zeros((10, 2), np.float32), np.zeros(10)), TypeError, "y_train.*integer"),
    ({}, (np.full((10, 2), np.nan, np.float32), np.zeros(10, np.int64)), ValueError, "NaN"),
    ({}, (np.zeros((10, 2), np.float32), np.zeros(10, np.int64), np.zeros((5, 2))),
     ValueError, "both"),
    ({"patience": 2}, (np.zeros((10, 2), np.float32), np.zeros(10, np.int64)), ValueError,
     "patience.*X_val"),
    ({}, (np.zeros((10, 2), np.float32), np.zeros(10, np.int64), np.zeros((5, 3), np.float32),
          np.zeros(5, np.int64)), ValueError, "X_val examples"),
])
def test_fit_rejects_bad_data(kwargs, args, error, match):
    model = mlp(hidden=4)
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), verbose=0, **kwargs)
    with pytest.raises(error, match=match):
        trainer.fit(*args)


def test_labels_out_of_range_are_reported():
    model = mlp(hidden=4)
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), verbose=0)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        trainer.fit(np.zeros((10, 2), np.float32), np.full(10, 5))


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"clip_grad_norm": -1}, "clip_grad_norm"),
    ({"resume": True}, "checkpoint_dir"),
    ({"patience": 0}, "patience"),
])
def test_trainer_rejects_bad_settings(kwargs, match):
    model = mlp(hidden=4)
    with pytest.raises(ValueError, match=match):
        Trainer(model, optim.SGD(model.parameters(), lr=0.1), **kwargs)


def test_trainer_rejects_wrong_objects():
    model = mlp(hidden=4)
    other = mlp(hidden=4)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="callback 0"):
        Trainer(model, optimizer, callbacks=[lambda t: None])
    with pytest.raises(TypeError, match="Module"):
        Trainer("model", optimizer)
    other_optimizer = optim.SGD(other.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="another optimizer"):
        Trainer(model, optimizer,
                scheduler=optim.lr_scheduler.StepLR(other_optimizer, step_size=1))
    with pytest.raises(ValueError, match="none of the model's parameters"):
        Trainer(model, other_optimizer, verbose=0).fit(*spiral())


def test_float64_model_and_inputs_are_cast_once():
    X, y = blobs(n=40, dims=3)
    model = mlp(hidden=4, n_in=3).to(np.float64)
    Trainer(model, optim.SGD(model.parameters(), lr=0.1), epochs=1, batch_size=20,
            verbose=0).fit(X, y)  # float32 inputs, float64 model
    assert all(p.data.dtype == np.float64 for p in model.parameters())
