"""plot_history / plot_lr / load_history: curves equal the recorded values."""

import csv
import json
import math

import numpy as np
import pytest

from chainrule import viz
from chainrule.viz.history import ACCURACY_CURVES, LOSS_CURVES

from .helpers import assert_no_temporaries, assert_png


def make_history(epochs=6, batches=50):
    """Epoch rows with the columns chainrule.train's History writes."""
    rng = np.random.default_rng(0)
    records = []
    for epoch in range(1, epochs + 1):
        data_loss = float(2.0 / epoch + rng.uniform(0, 0.1))
        reg_loss = float(0.01 * epoch)
        records.append({"epoch": epoch, "step": batches * epoch, "lr": 0.1 * 0.5 ** epoch,
                        "data_loss": data_loss, "reg_loss": reg_loss,
                        "loss": data_loss + reg_loss, "train_accuracy": 1 - 0.5 / epoch,
                        "val_loss": data_loss + 0.2, "val_accuracy": 1 - 0.6 / epoch,
                        "seconds": 1.5, "update_ratio/0.weight": 2e-3 / epoch,
                        "update_ratio/2.weight": 5e-4 / epoch, "dead_fraction/1": 0.01 * epoch})
    return records


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.lines}


def test_loss_and_accuracy_lines_equal_the_history(tmp_path):
    history = make_history()
    fig = viz.plot_history(history, path=tmp_path / "history.png", dpi=30)
    assert_png(tmp_path / "history.png")
    assert_no_temporaries(tmp_path)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "loss" and acc_ax.get_title() == "accuracy"
    for ax, curves in ((loss_ax, LOSS_CURVES), (acc_ax, ACCURACY_CURVES)):
        lines = lines_by_label(ax)
        assert list(lines) == [label for label, _ in curves]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == list(lines)
        for label, keys in curves:
            np.testing.assert_array_equal(lines[label].get_ydata(), [r[keys[0]] for r in history])
            np.testing.assert_array_equal(lines[label].get_xdata(), [r["epoch"] for r in history])
        assert ax.get_xlabel() == "epoch"


def test_missing_keys_give_gaps_or_no_curve():
    history = make_history(4)
    for record in history:
        del record["val_loss"], record["reg_loss"]
    del history[2]["val_accuracy"]
    fig = viz.plot_history(history)
    loss_lines = lines_by_label(fig.axes[0])
    assert list(loss_lines) == ["train data loss", "train total loss"]
    val = lines_by_label(fig.axes[1])["validation"].get_ydata()
    assert np.isnan(val[2])
    np.testing.assert_array_equal(val[[0, 1, 3]], [history[i]["val_accuracy"] for i in (0, 1, 3)])


def test_aliases_only_accuracy_gives_one_panel_and_x_falls_back_to_iteration():
    history = [{"iteration": 10 * i, "train_acc": 0.1 * i} for i in range(1, 5)]
    fig = viz.plot_history(history)
    assert len(fig.axes) == 1
    (line,) = fig.axes[0].lines
    np.testing.assert_array_equal(line.get_xdata(), [10, 20, 30, 40])
    assert fig.axes[0].get_xlabel() == "iteration"
    # Neither epoch nor iteration: the record number.
    fig = viz.plot_history([{"loss": 3.0}, {"loss": 2.0}], log_loss=True)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [1, 2])
    assert fig.axes[0].get_yscale() == "log"


def full_history(epochs=4, batches=5):
    """History.to_dict() form: epoch rows, step rows every 2 iterations, every iteration's loss."""
    rows = make_history(epochs, batches)
    step_losses = [3.0 / (1 + 0.1 * i) for i in range(epochs * batches)]
    steps = [{"epoch": 1 + (i - 1) // batches, "step": i, "lr": 0.2 / i, "loss": step_losses[i - 1]}
             for i in range(2, epochs * batches + 1, 2)]
    return {"epochs": rows, "steps": steps, "step_losses": step_losses}


def test_per_iteration_losses_are_placed_on_the_epoch_axis():
    history = full_history()
    fig = viz.plot_history(history)
    noisy = lines_by_label(fig.axes[0])["loss per iteration"]
    np.testing.assert_array_equal(noisy.get_ydata(), history["step_losses"])
    # 5 iterations per epoch: iteration i ends at epoch i / 5.
    np.testing.assert_allclose(noisy.get_xdata(), np.arange(1, 21) / 5, rtol=1e-12)
    assert "loss per iteration" not in lines_by_label(viz.plot_history(history, per_iteration=False).axes[0])
    # Losses that do not match the rows' step count are not guessed at.
    history["step_losses"] = history["step_losses"][:-3]
    assert "loss per iteration" not in lines_by_label(viz.plot_history(history).axes[0])


def test_step_rows_alone_are_plotted_against_the_iteration():
    history = full_history()
    history["epochs"] = []
    fig = viz.plot_history(history)
    lines = lines_by_label(fig.axes[0])
    assert fig.axes[0].get_xlabel() == "iteration"
    np.testing.assert_array_equal(lines["train total loss"].get_xdata(), np.arange(2, 21, 2))
    np.testing.assert_array_equal(lines["loss per iteration"].get_xdata(), np.arange(1, 21))
    with pytest.raises(ValueError, match="no per-epoch records"):
        viz.load_history(history)


def test_lr_prefers_step_rows():
    history = full_history()
    (line,) = viz.plot_lr(history).axes[0].lines
    np.testing.assert_array_equal(line.get_xdata(), [row["step"] for row in history["steps"]])
    np.testing.assert_array_equal(line.get_ydata(), [row["lr"] for row in history["steps"]])


def test_layer_statistics(tmp_path):
    history = make_history(5)
    fig = viz.plot_layer_statistics(history, path=tmp_path / "layers.png", dpi=30)
    assert_png(tmp_path / "layers.png")
    ratio_ax, dead_ax = fig.axes
    ratios = lines_by_label(ratio_ax)
    assert list(ratios) == ["0.weight", "2.weight", "0.001 rule of thumb"]
    for name in ("0.weight", "2.weight"):
        np.testing.assert_array_equal(ratios[name].get_ydata(),
                                      [r[f"update_ratio/{name}"] for r in history])
    assert list(ratios["0.001 rule of thumb"].get_ydata()) == [1e-3, 1e-3]
    assert ratio_ax.get_yscale() == "log"
    (dead,) = dead_ax.lines
    assert dead.get_label() == "1"
    np.testing.assert_array_equal(dead.get_ydata(), [r["dead_fraction/1"] for r in history])
    with pytest.raises(ValueError, match="no per-layer columns"):
        viz.plot_layer_statistics([{"epoch": 1, "loss": 1.0}])


def test_a_train_history_object(tmp_path):
    history_module = pytest.importorskip("chainrule.train.history")
    data = full_history()
    history = history_module.History(data["epochs"], data["steps"], data["step_losses"])
    fig = viz.plot_history(history)
    lines = lines_by_label(fig.axes[1])
    np.testing.assert_array_equal(lines["validation"].get_ydata(),
                                  [r["val_accuracy"] for r in data["epochs"]])
    history.save(tmp_path)  # history.json, history.csv, history_steps.csv
    for name in ("history.json", "history.csv"):
        line = lines_by_label(viz.plot_history(tmp_path / name).axes[0])["train data loss"]
        np.testing.assert_allclose(line.get_ydata(), [r["data_loss"] for r in data["epochs"]],
                                   rtol=1e-15)


def test_history_from_json_files_and_csv(tmp_path):
    history = make_history(3)
    (tmp_path / "list.json").write_text(json.dumps(history))
    (tmp_path / "dict.json").write_text(json.dumps({"epochs": history, "config": {"lr": 1}}))
    with open(tmp_path / "history.csv", "w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(history[0]))
        writer.writeheader()
        writer.writerows(history)
    for name in ("list.json", "dict.json", "history.csv"):
        fig = viz.plot_history(tmp_path / name)
        line = lines_by_label(fig.axes[0])["train total loss"]
        np.testing.assert_allclose(line.get_ydata(), [r["loss"] for r in history], rtol=1e-15)
    assert viz.load_history(str(tmp_path / "dict.json")) == history


def test_null_and_blank_values_are_gaps(tmp_path):
    records = [{"epoch": 1, "val_accuracy": None}, {"epoch": 2, "val_accuracy": 0.5},
               {"epoch": 3, "val_accuracy": ""}]
    ydata = viz.plot_history(records).axes[0].lines[0].get_ydata()
    assert math.isnan(ydata[0]) and ydata[1] == 0.5 and math.isnan(ydata[2])


@pytest.mark.parametrize("history, error, message", [
    ([], ValueError, "history is empty"),
    ({"epochs": []}, ValueError, "history is empty"),
    ({"records": [{"loss": 1}]}, ValueError, "under one of"),
    ([{"epoch": 1, "lr": 0.1}], ValueError, "no loss or accuracy"),
    (b"not a list", TypeError, "list of per-epoch dict records"),
    ([{"loss": 1.0}, 3.0], TypeError, "record 1 must be a dict"),
    ([{"loss": "high"}], TypeError, "'loss' must be a number"),
    ([{"loss": True}], TypeError, "'loss' must be a number"),
])
def test_bad_history(history, error, message):
    with pytest.raises(error, match=message):
        viz.plot_history(history)


def test_bad_history_files(tmp_path):
    (tmp_path / "broken.json").write_text("[{")
    with pytest.raises(ValueError, match="not valid JSON"):
        viz.plot_history(tmp_path / "broken.json")
    (tmp_path / "history.txt").write_text("[]")
    with pytest.raises(ValueError, match="expected a .json or .csv"):
        viz.plot_history(tmp_path / "history.txt")
    (tmp_path / "empty.json").write_text("[]")
    with pytest.raises(ValueError, match="empty.json.* is empty"):
        viz.plot_history(tmp_path / "empty.json")


def test_lr_from_a_list_and_from_history(tmp_path):
    lrs = [0.1 * 0.9 ** step for step in range(40)]
    fig = viz.plot_lr(np.array(lrs), path=tmp_path / "lr.png", dpi=30, log_scale=True)
    assert_png(tmp_path / "lr.png")
    (line,) = fig.axes[0].lines
    np.testing.assert_array_equal(line.get_ydata(), lrs)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(40))
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_xlabel() == "step"

    history = make_history(5)
    (line,) = viz.plot_lr(history).axes[0].lines
    np.testing.assert_array_equal(line.get_xdata(), [r["step"] for r in history])
    np.testing.assert_array_equal(line.get_ydata(), [r["lr"] for r in history])
    # Records without "lr" are skipped; without iterations the x axis is the epoch.
    partial = [{"epoch": 1, "loss": 1.0}, {"epoch": 2, "lr": 0.5}, {"epoch": 3, "lr": 0.25}]
    fig = viz.plot_lr(partial)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [2, 3])
    assert fig.axes[0].get_xlabel() == "epoch"


def test_lr_errors():
    with pytest.raises(ValueError, match="no history record has a 'lr' key"):
        viz.plot_lr([{"epoch": 1, "loss": 1.0}])
    with pytest.raises(ValueError, match="NaN or inf"):
        viz.plot_lr([0.1, float("nan")])
    with pytest.raises(ValueError, match="empty"):
        viz.plot_lr([])
    with pytest.raises(ValueError, match="must be 1-D"):
        viz.plot_lr(np.ones((2, 2)))
