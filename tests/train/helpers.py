"""Toy problems for the training tests (NumPy only, small enough for fractions of a second)."""

import numpy as np

from chainrule import nn, optim


def spiral(n_per_class=60, n_classes=3, seed=0, noise=0.2):
    """The course's spiral: n_classes interleaved arms in 2-D (not linearly separable)."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2), dtype=np.float32)
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        radius = np.linspace(0.05, 1.0, n_per_class)
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class)
        angle = angle + rng.standard_normal(n_per_class) * noise
        rows = slice(k * n_per_class, (k + 1) * n_per_class)
        X[rows] = np.c_[radius * np.sin(angle), radius * np.cos(angle)]
        y[rows] = k
    return X, y


def blobs(n=200, n_classes=3, dims=5, seed=0, spread=0.6):
    """Gaussian blobs around random centres: easy, linearly separable."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_classes, dims)) * 2.0
    y = rng.integers(0, n_classes, n).astype(np.int64)
    X = (centres[y] + spread * rng.standard_normal((n, dims))).astype(np.float32)
    return X, y


def mlp(hidden=32, dropout=0.0, init_seed=0, n_in=2, n_out=3):
    """A two-layer ReLU network (with Dropout when dropout > 0)."""
    layers = [nn.Linear(n_in, hidden, rng=init_seed), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, n_out, rng=init_seed + 1))
    return nn.Sequential(*layers)


def setup(hidden=32, dropout=0.2, init_seed=0, lr=0.3, schedule=True, total_steps=100,
          n_in=2, n_out=3):
    """(model, optimizer, scheduler): SGD with Nesterov momentum and a warmup+cosine schedule."""
    model = mlp(hidden, dropout, init_seed, n_in, n_out)
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
    scheduler = None
    if schedule:
        warmup = optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=10)
        cosine = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
        scheduler = optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[10])
    return model, optimizer, scheduler


def weights(model):
    return {name: p.data.copy() for name, p in model.named_parameters()}


def same_weights(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
