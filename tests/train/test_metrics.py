"""Metrics, gradient clipping, History files and the checkpoint packing helpers."""

import csv
import json
import math

import numpy as np
import pytest

from chainrule import nn
from chainrule.autograd import Tensor
from chainrule.nn import Parameter
from chainrule.train import (
    History,
    accuracy,
    clip_grad_norm_,
    confusion_matrix,
    evaluate,
    global_grad_norm,
    per_class_accuracy,
    predict,
    predict_scores,
)
from chainrule.train.checkpoint import pack, unpack

from .helpers import mlp


def test_accuracy_and_confusion_matrix_against_loops():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 4, 200))
    expected = np.zeros((4, 4), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        expected[t, p] += 1
    matrix = confusion_matrix(y_true, y_pred)
    assert matrix.dtype == np.int64 and np.array_equal(matrix, expected)
    assert accuracy(y_true, y_pred) == sum(t == p for t, p in zip(y_true, y_pred)) / 200
    recall = per_class_accuracy(y_true, y_pred)
    for k in range(4):
        assert recall[k] == np.mean(y_pred[y_true == k] == k)


def test_confusion_matrix_with_absent_classes():
    matrix = confusion_matrix([0, 0, 2], [0, 2, 2], n_classes=4)
    assert matrix.tolist() == [[1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    recall = per_class_accuracy([0, 0, 2], [0, 2, 2], n_classes=4)
    assert recall[0] == 0.5 and recall[2] == 1.0
    assert math.isnan(recall[1]) and math.isnan(recall[3])


@pytest.mark.parametrize("args, error, match", [
    (([0, 1], [0]), ValueError, "same shape"),
    (([], []), ValueError, "empty"),
    (([0.5, 1], [0, 1]), TypeError, "y_true must be integer"),
    (([0, -1], [0, 1]), ValueError, ">= 0"),
    (([[0, 1]], [[0, 1]]), ValueError, r"shape \(n,\)"),
])
def test_metrics_reject_bad_labels(args, error, match):
    with pytest.raises(error, match=match):
        accuracy(*args)


def test_confusion_matrix_rejects_labels_beyond_n_classes():
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        confusion_matrix([0, 3], [0, 1], n_classes=2)


def test_predict_scores_in_batches_eval_mode_and_mode_restored():
    model = mlp(hidden=16, dropout=0.5, n_in=3)
    X = np.random.default_rng(1).standard_normal((53, 3)).astype(np.float32)
    model.train()
    full = predict_scores(model, X, batch_size=1000)
    assert model.training  # mode restored
    assert np.allclose(predict_scores(model, X, batch_size=7), full, rtol=1e-6, atol=1e-6)
    model.eval()
    assert np.array_equal(model(Tensor(X)).data, full)  # dropout off: the eval-mode output
    assert not model.training
    assert np.array_equal(predict(model, X), full.argmax(1))
    with pytest.raises(ValueError, match="batch_size"):
        predict_scores(model, X, batch_size=0)


def test_evaluate_matches_one_big_batch():
    model = mlp(hidden=8, n_in=3)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((45, 3)).astype(np.float32)
    y = rng.integers(0, 3, 45)
    loss = nn.SoftmaxCrossEntropyLoss()
    result = evaluate(model, X, y, batch_size=10, loss=loss)
    scores = model(Tensor(X)).data
    assert result["n"] == 45
    assert result["accuracy"] == np.mean(scores.argmax(1) == y)
    assert result["loss"] == pytest.approx(float(loss(Tensor(scores), y).data), rel=1e-5)
    assert np.array_equal(result["confusion_matrix"], confusion_matrix(y, scores.argmax(1), 3))
    assert evaluate(model, X, y)["loss"] is None


def _parameters_with_grads(scale):
    rng = np.random.default_rng(0)
    parameters = [Parameter(rng.standard_normal((3, 4))), Parameter(rng.standard_normal(4)),
                  Parameter(np.zeros(2))]
    for p in parameters[:2]:
        p.grad = rng.standard_normal(p.data.shape) * scale
    return parameters  # the third has no gradient


def test_clip_grad_norm_scales_to_the_bound_keeping_the_direction():
    parameters = _parameters_with_grads(10.0)
    before = [p.grad.copy() for p in parameters[:2]]
    norm = math.sqrt(sum(float((g * g).sum()) for g in before))
    returned = clip_grad_norm_(parameters, 2.0)
    assert returned == pytest.approx(norm)
    assert global_grad_norm(parameters) == pytest.approx(2.0, rel=1e-5)
    coefficient = 2.0 / (norm + 1e-6)  # torch.nn.utils.clip_grad_norm_'s formula
    for p, g in zip(parameters, before):
        assert np.allclose(p.grad, g * coefficient)


def test_clip_grad_norm_leaves_small_gradients_alone():
    parameters = _parameters_with_grads(0.01)
    before = [p.grad.copy() for p in parameters[:2]]
    clip_grad_norm_(parameters, 5.0)
    assert all(np.array_equal(p.grad, g) for p, g in zip(parameters, before))
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm_(parameters, 0)


def test_history_json_and_csv(tmp_path):
    history = History(
        epochs=[{"epoch": 1, "loss": 1.5, "val_accuracy": None, "update_ratio/0.weight": 1e-3},
                {"epoch": 2, "loss": float("nan"), "val_accuracy": np.float64(0.5),
                 "update_ratio/0.weight": 2e-3, "dead_fraction/1": 0.25}],
        steps=[{"step": 10, "loss": 1.7}], step_losses=[2.0, np.float32(1.5), float("inf")])
    paths = history.save(tmp_path)
    assert [p.name for p in paths] == ["history.json", "history.csv", "history_steps.csv"]
    data = json.loads((tmp_path / "history.json").read_text())  # strict JSON: no NaN
    assert data["epochs"][1]["loss"] is None and data["epochs"][1]["val_accuracy"] == 0.5
    assert data["step_losses"] == [2.0, 1.5, None]
    with open(tmp_path / "history.csv") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["epoch", "loss", "val_accuracy", "update_ratio/0.weight",
                             "dead_fraction/1"]
    assert rows[0]["val_accuracy"] == "" and rows[1]["dead_fraction/1"] == "0.25"
    loaded = History.load_json(tmp_path / "history.json")
    assert np.array_equal(loaded.column("loss"), [1.5, np.nan], equal_nan=True)
    assert list(loaded.series("update_ratio")) == ["0.weight"]
    assert np.array_equal(loaded.series("update_ratio")["0.weight"], [1e-3, 2e-3])
    assert loaded.best()["epoch"] == 2
    assert np.array_equal(loaded.column("loss", rows="steps"), [1.7])


def test_pack_unpack_round_trip():
    arrays = {}
    state = {"state": {0: {"momentum_buffer": np.arange(6.0).reshape(2, 3), "step": 3}},
             "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1],
                               "best": float("inf"), "bad": float("nan"),
                               "count": np.int64(4)}],
             "rng": {"state": {"state": 2**127 + 5, "inc": 3}}}
    packed = pack(state, arrays, "optimizer/")
    json.dumps(packed, allow_nan=False)  # strict JSON
    assert list(arrays) == ["optimizer/0"]
    restored = unpack(json.loads(json.dumps(packed)), arrays)
    assert np.array_equal(restored["state"]["0"]["momentum_buffer"], np.arange(6.0).reshape(2, 3))
    group = restored["param_groups"][0]
    assert group["betas"] == [0.9, 0.999] and group["best"] == math.inf
    assert math.isnan(group["bad"]) and group["count"] == 4
    assert restored["rng"]["state"]["state"] == 2**127 + 5
    with pytest.raises(TypeError, match="cannot store a object"):
        pack({"f": object()}, {}, "x/")
