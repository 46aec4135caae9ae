"""`chainrule train / evaluate / predict` end to end on the embedded Fashion-MNIST sample."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.io import load

FAST = ["--epochs", "2", "--hidden", "64", "--dropout", "0", "--no-plots", "--quiet"]


def test_train_mlp_evaluate_and_predict(tmp_path, capsys):
    assert main(["train", "--out", str(tmp_path), "--name", "mlp", *FAST]) == 0
    out = capsys.readouterr().out
    run = tmp_path / "mlp"
    assert "test accuracy:" in out
    accuracy = float(out.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.75
    for name in ("model.safetensors", "config.json", "history.json", "history.csv",
                 "checkpoint.safetensors"):
        assert (run / name).is_file(), name
    saved = load(run / "model.safetensors")
    assert saved.classes[0] == "T-shirt/top" and saved.metadata["test_accuracy"] == accuracy
    history = json.loads((run / "history.json").read_text())
    assert len(history["epochs"]) == 2

    assert main(["evaluate", str(run)]) == 0
    report = capsys.readouterr().out
    assert f"accuracy: {accuracy:.4f}" in report
    assert "confusion matrix" in report and "Ankle boot" in report

    from PIL import Image

    from chainrule.data import load_dataset

    test = load_dataset("fashion-mnist-mini")
    paths = []
    for index in range(3):
        path = tmp_path / f"image{index}.png"
        Image.fromarray(test.X_test[index]).save(path)
        paths.append(str(path))
    assert main(["predict", str(run / "model.safetensors"), *paths, "--top-k", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("image0.png:") and "probability" in lines[1]
    top = [lines[i + 1].split()[1] for i in range(0, 9, 3)]
    expected = saved.model(saved.preprocessing.transform(test.X_test[:3])).data.argmax(axis=1)
    assert [saved.classes[k].split()[0] for k in expected] == top


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "-1"], "--epochs: expected a positive integer"),
    (["--lr", "nan"], "--lr: expected a positive finite number"),
    (["--hidden", "12,x"], "--hidden: expected comma-separated"),
    (["--data", "no-such-dataset"], "unknown"),
    (["--data", "/no/such/file.npz"], "error:"),
    (["--dropout", "1.5"], "--dropout: expected a probability"),
])
def test_bad_values_give_one_line_and_status_2(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        status = main(["train", "--out", str(tmp_path), *FAST, *argv])
        raise SystemExit(status)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1] and "Traceback" not in "\n".join(err)


def test_corrupted_or_missing_model_is_one_line(tmp_path, capsys):
    bad = tmp_path / "model.safetensors"
    bad.write_bytes(b"\x00" * 100)
    assert main(["evaluate", str(bad)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert main(["predict", str(tmp_path / "missing.safetensors"), "x.png"]) == 2
    assert "no model file" in capsys.readouterr().err


def test_linear_svm_and_knn(tmp_path, capsys):
    assert main(["train", "--model", "linear", "--loss", "svm", "--regularization", "l2",
                 "--strength", "1e-3", "--optimizer", "sgd", "--lr", "0.01", "--epochs", "2",
                 "--out", str(tmp_path), "--name", "svm", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert float(out.split("test accuracy: ")[1].split()[0]) > 0.7
    plots = tmp_path / "svm" / "plots"
    if (plots / "templates.png").exists():  # matplotlib installed
        assert (plots / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["train", "--model", "knn", "--k", "5", "--out", str(tmp_path), "--name",
                 "knn", "--no-plots", "--quiet"]) == 0
    out = capsys.readouterr().out
    knn_accuracy = float(out.split("test accuracy: ")[1].split()[0])
    assert knn_accuracy > 0.75
    assert main(["evaluate", str(tmp_path / "knn")]) == 0
    assert f"accuracy: {knn_accuracy:.4f}" in capsys.readouterr().out


@pytest.mark.slow
def test_interrupt_then_resume_matches_an_uninterrupted_run(tmp_path):
    """SIGINT mid-run saves; --resume ends with exactly the uninterrupted run's weights."""
    argv = ["train", "--epochs", "20", "--hidden", "32", "--dropout", "0.2", "--warmup", "20",
            "--no-plots", "--out", str(tmp_path)]
    command = [sys.executable, "-m", "chainrule", *argv]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    assert subprocess.run(command + ["--name", "full", "--quiet"], env=env).returncode == 0
    process = subprocess.Popen(command + ["--name", "cut"], env=env, stderr=subprocess.PIPE,
                               text=True)
    history = tmp_path / "cut" / "history.json"
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if history.exists() and json.loads(history.read_text())["epochs"]:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "chainrule train --resume" in err
    resumed = subprocess.run([sys.executable, "-m", "chainrule", "train", "--resume",
                              str(tmp_path / "cut"), "--quiet"], env=env)
    assert resumed.returncode == 0
    full = load(tmp_path / "full" / "model.safetensors").model.state_dict()
    cut = load(tmp_path / "cut" / "model.safetensors").model.state_dict()
    assert full.keys() == cut.keys()
    for name in full:
        np.testing.assert_array_equal(full[name], cut[name])
