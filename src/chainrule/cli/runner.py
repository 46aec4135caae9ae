"""One `chainrule train` run: data -> preprocessing -> model -> Trainer -> test -> files.

Only glue: every computation is a library call (`chainrule.data`, `chainrule.classifiers`,
`chainrule.optim`, `chainrule.train`, `chainrule.io`, `chainrule.viz`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MODEL_FILE = "model.safetensors"
KNN_KIND = "knn-model"


def build_preprocessing(name, X_train):
    """The preprocessing pipeline a run uses: flatten, pixels to [0, 1], then centring or
    standardization; fitted on the training split only by the caller."""
    from ..data import Flatten, Pipeline, Scale, Standardize, SubtractMean

    steps = [Flatten()]
    if np.asarray(X_train).dtype == np.uint8:
        steps.append(Scale(1.0 / 255.0))
    if name == "center":
        steps.append(SubtractMean())
    elif name == "standardize":
        steps.append(Standardize())
    return Pipeline(steps)


def save_knn(path, knn, raw_train, y_train, preprocessing, classes, metadata):
    """A kNN "model" is its memory: the raw training images (compact) and their labels."""
    from ..io import save_arrays

    arrays = {"X_train": np.ascontiguousarray(raw_train), "y_train": np.asarray(y_train)}
    for name, array in preprocessing.get_arrays().items():
        arrays["preprocessing/" + name] = array
    save_arrays(path, arrays, {"k": knn.k, "metric": knn.metric, "weights": knn.weights,
                               "preprocessing": preprocessing.get_config(),
                               "classes": list(classes), "metadata": metadata}, kind=KNN_KIND)


@dataclass
class LoadedClassifier:
    """What `load_classifier` returns: something that scores preprocessed inputs."""

    kind: str  # "network" or "knn"
    preprocessing: object
    classes: list
    metadata: dict
    model: object = None  # the Module of a network
    knn: object = None

    def scores(self, X_raw):
        """Class scores of raw inputs (network: the model's scores; kNN: vote fractions)."""
        X = self.preprocessing.transform(X_raw) if self.preprocessing is not None else X_raw
        if self.kind == "knn":
            return self.knn.predict_proba(X)
        from ..train import predict_scores

        return predict_scores(self.model, X.astype(np.float32, copy=False), 1000)

    @property
    def probabilistic(self):
        return self.kind == "knn" or self.metadata.get("settings", {}).get("loss") == "softmax"


def load_classifier(path):
    """Load a file written by `chainrule train` (a network or a kNN memory)."""
    from ..io import ChainruleFileError, load, load_arrays, read_header

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no model file at {path}")
    if path.is_dir():
        path = path / MODEL_FILE
        if not path.exists():
            raise FileNotFoundError(f"no {MODEL_FILE} in that folder ({path.parent})")
    header = read_header(path)
    if header.get("kind") == KNN_KIND:
        from ..classifiers import KNNClassifier
        from ..data import preprocessing_from_config

        arrays, info = load_arrays(path, kind=KNN_KIND)
        try:
            stored = {k[len("preprocessing/"):]: v for k, v in arrays.items()
                      if k.startswith("preprocessing/")}
            preprocessing = preprocessing_from_config(info["preprocessing"], stored)
            knn = KNNClassifier(k=info["k"], metric=info["metric"], weights=info["weights"])
            knn.fit(preprocessing.transform(arrays["X_train"]), arrays["y_train"])
        except (KeyError, ValueError, TypeError) as error:
            raise ChainruleFileError(path, f"corrupted kNN model: {error}") from None
        return LoadedClassifier("knn", preprocessing, info["classes"], info.get("metadata", {}),
                                knn=knn)
    saved = load(path)
    return LoadedClassifier("network", saved.preprocessing, saved.classes or [],
                            saved.metadata, model=saved.model)


@dataclass
class Summary:
    run_dir: Path
    test_accuracy: float
    n_train: int
    n_test: int
    epochs_run: int = 0
    val_accuracy: float | None = None
    files: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def report(self, seconds):
        lines = [f"test accuracy: {self.test_accuracy:.4f} on {self.n_test} images "
                 f"(trained on {self.n_train} in {seconds:.1f} s)"]
        if self.val_accuracy is not None:
            lines.append(f"best validation accuracy: {self.val_accuracy:.4f}")
        lines.append(f"saved in {self.run_dir}/: " + ", ".join(self.files))
        lines.extend(self.notes)
        return "\n".join(lines)


class TrainingRun:
    """Carry out one run described by the CLI's settings dict."""

    def __init__(self, settings, run_dir, resume=False, quiet=False):
        self.settings, self.run_dir = settings, Path(run_dir)
        self.resume, self.quiet = resume, quiet

    def execute(self, plots=True):
        from ..data import load_dataset, train_val_split
        from ..io import atomic_write_text

        s = self.settings
        dataset = load_dataset(s["data"], data_dir=s["data_dir"])
        X_train, y_train = dataset.X_train, dataset.y_train
        X_val = y_val = None
        if s["validation_fraction"] > 0 and s["model"] != "knn":
            X_train, y_train, X_val, y_val = train_val_split(
                X_train, y_train, val_fraction=s["validation_fraction"], seed=s["seed"])
        preprocessing = build_preprocessing(s["preprocess"], X_train)
        features = preprocessing.fit_transform(X_train)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if not self.resume:
            atomic_write_text(self.run_dir / "config.json", json.dumps(
                {key: list(v) if isinstance(v, tuple) else v for key, v in s.items()}, indent=2))
        test_features = preprocessing.transform(dataset.X_test)
        metadata = {"settings": {k: list(v) if isinstance(v, tuple) else v for k, v in s.items()},
                    "dataset": dataset.name, "image_shape": list(dataset.image_shape or [])}
        if s["model"] == "knn":
            summary, predictions, model = self._knn(dataset, X_train, y_train, preprocessing,
                                                    features, test_features, metadata)
        else:
            summary, predictions, model = self._network(dataset, preprocessing, features,
                                                        y_train, X_val, y_val, test_features,
                                                        metadata)
        if plots:
            self._plots(summary, dataset, predictions, model)
        return summary

    # ------------------------------------------------------------------ models
    def _knn(self, dataset, X_train, y_train, preprocessing, features, test_features, metadata):
        from ..classifiers import KNNClassifier

        s = self.settings
        knn = KNNClassifier(k=s["k"], metric=s["metric"],
                            weights=s.get("knn_weights", "uniform")).fit(features, y_train)
        predictions = knn.predict(test_features)
        accuracy = float(np.mean(predictions == dataset.y_test))
        metadata["test_accuracy"] = accuracy
        save_knn(self.run_dir / MODEL_FILE, knn, X_train, y_train, preprocessing,
                 dataset.classes, metadata)
        summary = Summary(self.run_dir, accuracy, len(y_train), len(dataset.y_test),
                          files=[MODEL_FILE, "config.json"])
        return summary, predictions, None

    def _network(self, dataset, preprocessing, features, y_train, X_val, y_val, test_features,
                 metadata):
        from .. import nn
        from ..classifiers.mlp import build_mlp
        from ..classifiers.neural import build_optimization
        from ..io import save
        from ..train import Trainer, predict_scores

        s = self.settings
        X_val_features = preprocessing.transform(X_val) if X_val is not None else None
        hidden = tuple(s["hidden"]) if s["model"] == "mlp" else ()
        model = build_mlp(features.shape[1], hidden, len(dataset.classes),
                          activation=s["activation"], dropout=s["dropout"], seed=s["seed"])
        loss = nn.SoftmaxCrossEntropyLoss() if s["loss"] == "softmax" else nn.MulticlassSVMLoss()
        options = {"beta": s["beta"]} if s["regularization"] == "elasticnet" else {}
        regularizer = nn.get_regularizer(s["regularization"], s["strength"], **options)
        optimizer, scheduler, batch_size = build_optimization(
            model.parameters(), s["optimizer"], s["lr"], len(y_train), s["batch_size"],
            s["epochs"], s["schedule"], s["warmup"],
            {"seed": s["seed"]} if s["optimizer"] == "random-search" else None)
        trainer = Trainer(model, optimizer, loss, scheduler=scheduler, regularizer=regularizer,
                          epochs=s["epochs"], batch_size=batch_size, seed=s["seed"],
                          patience=s["patience"] if X_val is not None else None,
                          keep_best=X_val is not None, clip_grad_norm=s["clip_grad_norm"],
                          checkpoint_dir=self.run_dir, resume=self.resume,
                          verbose=0 if self.quiet else 1)
        history = trainer.fit(features, y_train, X_val_features, y_val)
        scores = predict_scores(model, test_features.astype(np.float32, copy=False), 1000)
        predictions = scores.argmax(axis=1)
        accuracy = float(np.mean(predictions == dataset.y_test))
        metadata.update(test_accuracy=accuracy, best_val_accuracy=trainer.best_val_accuracy,
                        epochs_run=trainer.epoch, stopped=trainer.stopped_reason)
        save(model, self.run_dir / MODEL_FILE, preprocessing=preprocessing,
             classes=list(dataset.classes), metadata=metadata)
        summary = Summary(self.run_dir, accuracy, len(y_train), len(dataset.y_test),
                          epochs_run=len(history.epochs), val_accuracy=trainer.best_val_accuracy,
                          files=[MODEL_FILE, "config.json", "history.json", "history.csv",
                                 "checkpoint.safetensors"])
        return summary, predictions, model

    # ------------------------------------------------------------------ plots
    def _plots(self, summary, dataset, predictions, model):
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            summary.notes.append('plots skipped: matplotlib is not installed '
                                 '(pip install "chainrule[plot]")')
            return
        from .. import viz
        from ..train import confusion_matrix

        plots = self.run_dir / "plots"
        plots.mkdir(exist_ok=True)
        n_classes = len(dataset.classes)
        drawn = []

        def draw(name, function, *args, **kwargs):
            figure = function(*args, path=plots / name, **kwargs)
            import matplotlib.pyplot as pyplot  # already loaded by viz, with its backend

            pyplot.close(figure)
            drawn.append(name)

        if model is not None:
            history = self.run_dir / "history.json"
            draw("history.png", viz.plot_history, history)
            draw("lr.png", viz.plot_lr, history)
            if self.settings["model"] == "mlp":
                draw("layers.png", viz.plot_layer_statistics, history)
        matrix = confusion_matrix(dataset.y_test, predictions, n_classes)
        draw("confusion.png", viz.plot_confusion_matrix, matrix, dataset.classes)
        image_shape = dataset.image_shape
        if image_shape is not None and len(image_shape) >= 2:
            draw("misclassified.png", viz.plot_misclassified, dataset.X_test, dataset.y_test,
                 predictions, dataset.classes)
            if model is not None and self.settings["model"] == "linear":
                weight = next(p for p in model.parameters() if p.data.ndim == 2).data
                draw("templates.png", viz.plot_templates, weight.T, dataset.classes,
                     image_shape=tuple(image_shape))
        summary.files.append("plots/ (" + ", ".join(drawn) + ")")
