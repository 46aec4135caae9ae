"""From images to a saved model and back: data -> preprocessing -> Trainer -> io -> evaluate."""

from pathlib import Path

import numpy as np
import pytest

from chainrule import io, nn, optim
from chainrule.train import Trainer, evaluate

FULL_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def _train_save_load(X_train, y_train, X_test, y_test, classes, tmp_path, epochs, n_val):
    from chainrule.data import Flatten, Pipeline, Scale, SubtractMean

    preprocessing = Pipeline([Scale(), SubtractMean(), Flatten()])
    features = preprocessing.fit_transform(X_train)
    model = nn.Sequential(nn.Linear(784, 100, rng=0), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(100, 10, rng=1))
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    trainer = Trainer(model, optimizer, regularizer=nn.L2(1e-4), epochs=epochs, batch_size=64,
                      checkpoint_dir=tmp_path / "run", verbose=0)
    trainer.fit(features[n_val:], y_train[n_val:], features[:n_val], y_train[:n_val])
    path = tmp_path / "model.safetensors"
    io.save(model, path, preprocessing=preprocessing, classes=classes,
            metadata={"best_val_accuracy": trainer.best_val_accuracy})
    saved = io.load(path)
    result = evaluate(saved.model, saved.preprocessing.transform(X_test), y_test)
    direct = evaluate(model, preprocessing.transform(X_test), y_test)
    assert result["accuracy"] == direct["accuracy"]
    assert saved.classes == list(classes)
    return trainer, result


def test_fashion_mnist_mini_end_to_end(tmp_path):
    from chainrule.data import load_dataset

    data = load_dataset("fashion-mnist-mini")
    rng = np.random.default_rng(0)
    subset = rng.permutation(len(data.y_train))[:2500]
    trainer, result = _train_save_load(data.X_train[subset], data.y_train[subset],
                                       data.X_test, data.y_test, data.classes, tmp_path,
                                       epochs=3, n_val=500)
    assert trainer.history.column("loss")[-1] < trainer.history.column("loss")[0]
    assert trainer.best_val_accuracy > 0.7
    assert result["accuracy"] > 0.7  # chance is 0.1


@pytest.mark.slow
@pytest.mark.skipif(not FULL_FASHION_MNIST.is_dir(), reason="needs dataset-fashion-mnist")
def test_full_fashion_mnist_two_epochs(tmp_path):
    from chainrule.data import load_fashion_mnist

    data = load_fashion_mnist(FULL_FASHION_MNIST, download=False)
    trainer, result = _train_save_load(data.X_train, data.y_train, data.X_test, data.y_test,
                                       data.classes, tmp_path, epochs=2, n_val=5000)
    assert result["accuracy"] > 0.83
