"""Optimizers that re-evaluate the loss themselves (step(closure)) under the Trainer."""

from chainrule import nn, optim
from chainrule.train import Trainer

from .helpers import blobs


def _linear_problem():
    X, y = blobs()
    model = nn.Sequential(nn.Linear(X.shape[1], int(y.max()) + 1, init="small", rng=0))
    return X, y, model


def test_lbfgs_full_batch_reaches_a_low_loss():
    X, y, model = _linear_problem()
    optimizer = optim.LBFGS(model.parameters(), lr=1, max_iter=20,
                            line_search_fn="strong_wolfe")
    history = Trainer(model, optimizer, regularizer=nn.L2(1e-3), epochs=5, batch_size=len(y),
                      verbose=0).fit(X, y)
    losses = [row["loss"] for row in history.epochs]
    assert losses[-1] < 0.5 * losses[0]
    assert history.epochs[-1]["train_accuracy"] > 0.9
    assert optimizer.state_dict()["state"]  # L-BFGS kept its history: it really stepped


def test_random_search_improves_without_gradients_and_records_its_scale():
    X, y, model = _linear_problem()
    optimizer = optim.RandomSearch(model.parameters(), scale=0.05, seed=0)
    history = Trainer(model, optimizer, epochs=30, batch_size=len(y), verbose=0).fit(X, y)
    losses = [row["loss"] for row in history.epochs]
    assert losses[-1] < losses[0]
    assert all(row["lr"] == 0.05 for row in history.epochs)
    assert optimizer.best_loss <= losses[-1] + 1e-6  # the kept weights are the best seen
