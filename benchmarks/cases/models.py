"""The networks of cases 1, 2, 6 and 8, built alike for chainrule, PyTorch and the NumPy floor.

chainrule's model is created first (Kaiming initialization from one seed); the others copy its
initial weights, so every contender starts from the same point and sees the same batches.
"""

from __future__ import annotations

import numpy as np

ARCHITECTURES = {"784-256-10": (784, 256, 10), "784-512-256-10": (784, 512, 256, 10)}


def chainrule_mlp(sizes, seed=0):
    """Linear -> ReLU -> ... -> Linear as a chainrule ``Sequential`` (float32)."""
    from chainrule import nn

    rng = np.random.default_rng(seed)
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out, rng=rng))
        if index < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def chainrule_adam_is_fused():
    """Whether chainrule's Adam runs the fused kernel here (numba installed and enabled): the
    NumPy floor then calls the same kernel, so that the floor still measures only overhead."""
    from chainrule import kernels

    return kernels.enabled() and kernels.available()


def chainrule_weights(model):
    """(weights, biases) of a chainrule MLP: W of shape (d_in, d_out), b of shape (d_out,)."""
    from chainrule import nn

    linears = [module for module in model if isinstance(module, nn.Linear)]
    return [lin.weight.data.copy() for lin in linears], [lin.bias.data.copy() for lin in linears]


def torch_mlp(weights, biases):
    """The same MLP in torch.nn, with torch's (d_out, d_in) weight layout."""
    import torch

    layers = []
    for index, (weight, bias) in enumerate(zip(weights, biases)):
        linear = torch.nn.Linear(weight.shape[0], weight.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight.T)))
            linear.bias.copy_(torch.from_numpy(bias))
        layers.append(linear)
        if index < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def batches(X, y, batch_size, steps, seed=0):
    """``steps`` minibatches (contiguous copies) from reshuffled passes over (X, y).

    Returns
    -------
    list of (ndarray of shape (batch_size, d), ndarray of shape (batch_size,))
        Gathered once, before any timing: every contender trains on the same arrays.
    """
    rng = np.random.default_rng(seed)
    n = len(X)
    batch_size = min(batch_size, n)
    per_epoch = n // batch_size
    out = []
    order = rng.permutation(n)
    position = 0
    for _ in range(steps):
        if position == per_epoch:
            order, position = rng.permutation(n), 0
        index = order[position * batch_size: (position + 1) * batch_size]
        out.append((np.ascontiguousarray(X[index]), y[index]))
        position += 1
    return out


class ChainruleTrainer:
    """chainrule's training step: zero_grad, forward, loss, backward, Adam step."""

    def __init__(self, model, lr=1e-3):
        from chainrule import nn, optim

        self.model = model
        self.loss_fn = nn.SoftmaxCrossEntropyLoss()
        self.optimizer = optim.Adam(model.parameters(), lr=lr)

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss

    def predict(self, x):
        import chainrule

        with chainrule.no_grad():
            return self.model(x).data.argmax(axis=1)


class TorchTrainer:
    """The same step with torch.nn, torch.nn.functional.cross_entropy and torch.optim.Adam."""

    def __init__(self, model, lr=1e-3):
        import torch

        self.torch = torch
        self.model = model
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = self.torch.nn.functional.cross_entropy(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss

    def predict(self, x):
        with self.torch.inference_mode():
            return self.model(x).argmax(dim=1)


def torch_batches(numpy_batches):
    """The same batches as torch tensors (zero-copy views of the NumPy arrays)."""
    import torch

    return [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in numpy_batches]


def max_parameter_difference(weights_a, biases_a, weights_b, biases_b):
    """Largest |a - b| over all parameters (how closely two implementations agree)."""
    pairs = list(zip(weights_a, weights_b)) + list(zip(biases_a, biases_b))
    return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in pairs)
