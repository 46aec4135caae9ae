"""Forward values and gradients agree with PyTorch (recorded by tools/record_torch_core.py)."""

from pathlib import Path

import numpy as np
import pytest

from chainrule import Tensor
from chainrule.nn import functional as F

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "torch_core.npz")
ACTIVATIONS = {
    "relu": F.relu,
    "tanh": F.tanh,
    "sigmoid": F.sigmoid,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.1),
    "elu": lambda t: F.elu(t, 1.0),
}
NAMES = ("x", "w1", "b1", "w2", "b2")


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss_name", ["softmax", "svm"])
def test_two_layer_network_matches_torch(activation, loss_name):
    tensors = [Tensor(FIXTURE[name].copy(), requires_grad=True) for name in NAMES]
    x, w1, b1, w2, b2 = tensors
    labels = FIXTURE["labels"]
    scores = F.linear(ACTIVATIONS[activation](F.linear(x, w1, b1)), w2, b2)
    loss_fn = F.softmax_cross_entropy if loss_name == "softmax" else F.multiclass_svm_loss
    loss = loss_fn(scores, labels) + 0.01 * (w1 ** 2).sum() + 0.01 * (w2 ** 2).sum()
    loss.backward()
    key = f"{activation}_{loss_name}"
    np.testing.assert_allclose(loss.data, FIXTURE[f"{key}_loss"], rtol=1e-12)
    for name, t in zip(NAMES, tensors):
        np.testing.assert_allclose(t.grad, FIXTURE[f"{key}_grad_{name}"], rtol=1e-10, atol=1e-13)


def test_elementwise_and_reduction_ops_match_torch():
    a = Tensor(FIXTURE["ops_a"].copy(), requires_grad=True)
    b = Tensor(FIXTURE["ops_b"].copy(), requires_grad=True)
    out = ((a * b - a / b + a ** 2.5).exp().log() + b ** a).max(axis=1).sum() \
        + (a @ b).mean() + a[np.array([0, 0, 2])].sum() + a.T.sum(axis=0).abs().sum()
    out.backward()
    np.testing.assert_allclose(out.data, FIXTURE["ops_out"], rtol=1e-12)
    np.testing.assert_allclose(a.grad, FIXTURE["ops_grad_a"], rtol=1e-10)
    np.testing.assert_allclose(b.grad, FIXTURE["ops_grad_b"], rtol=1e-10)
