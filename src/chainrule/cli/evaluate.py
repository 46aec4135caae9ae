"""`chainrule evaluate`: accuracy, per-class accuracy and the confusion matrix of a saved model."""

from __future__ import annotations

import numpy as np


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluate", help="test a saved model: accuracy, per-class accuracy, confusion matrix",
        description="Evaluate a model saved by `chainrule train` on the test split of a "
                    "dataset (by default the one it was trained on).")
    parser.add_argument("model", metavar="MODEL",
                        help="a model.safetensors file, or the run folder that holds it")
    parser.add_argument("--data", metavar="NAME|PATH",
                        help="dataset to test on (default: the model's training dataset)")
    parser.add_argument("--data-dir", metavar="DIR", help="where to look for full datasets")
    parser.set_defaults(handler=run_evaluate)


def run_evaluate(args):
    from ..data import load_dataset
    from ..train import confusion_matrix, per_class_accuracy
    from .common import UserError
    from .runner import load_classifier

    loaded = load_classifier(args.model)
    settings = loaded.metadata.get("settings", {})
    data = args.data or settings.get("data")
    if data is None:
        raise UserError("the model does not record its dataset: pass --data")
    dataset = load_dataset(data, data_dir=args.data_dir or settings.get("data_dir"))
    if loaded.classes and len(dataset.classes) != len(loaded.classes):
        raise UserError(f"the model knows {len(loaded.classes)} classes, the dataset {data!r} "
                        f"has {len(dataset.classes)}")
    predictions = loaded.scores(dataset.X_test).argmax(axis=1)
    labels = dataset.y_test
    n_classes = len(dataset.classes)
    accuracy = float(np.mean(predictions == labels))
    names = [str(name) for name in (loaded.classes or dataset.classes)]
    print(f"accuracy: {accuracy:.4f} ({int(np.sum(predictions == labels))} of {len(labels)} "
          f"test images of {dataset.name})\n")
    print("per-class accuracy:")
    width = max(len(name) for name in names)
    for name, value in zip(names, per_class_accuracy(labels, predictions, n_classes)):
        print(f"  {name:<{width}}  {value:.4f}")
    matrix = confusion_matrix(labels, predictions, n_classes)
    print("\nconfusion matrix (rows: true class, columns: predicted class):")
    cell = max(4, len(str(int(matrix.max()))) + 1)
    print(" " * (width + 2) + "".join(f"{index:>{cell}}" for index in range(n_classes)))
    for index, (name, row) in enumerate(zip(names, matrix)):
        print(f"  {name:<{width}}" + "".join(f"{int(v):>{cell}}" for v in row) + f"   ({index})")
    return 0
