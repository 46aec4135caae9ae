"""Record forward values and gradients of chainrule's core ops from PyTorch, as test fixtures.

Run in a separate environment that has PyTorch (never a chainrule dependency):

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tools/record_torch_core.py

It writes tests/core/fixtures/torch_core.npz (float64). tests/core/test_torch_reference.py
rebuilds each case in chainrule and compares.
"""

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[1] / "tests" / "core" / "fixtures" / "torch_core.npz"


def main():
    rng = np.random.default_rng(2024)
    record = {}
    n, d, h, c = 6, 5, 7, 4
    x = rng.standard_normal((n, d))
    w1, b1 = rng.standard_normal((d, h)), rng.standard_normal(h)
    w2, b2 = rng.standard_normal((h, c)), rng.standard_normal(c)
    labels = rng.integers(0, c, n)
    record.update(x=x, w1=w1, b1=b1, w2=w2, b2=b2, labels=labels)

    activations = {
        "relu": F.relu,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "leaky_relu": lambda t: F.leaky_relu(t, 0.1),
        "elu": lambda t: F.elu(t, 1.0),
    }
    for act_name, act in activations.items():
        for loss_name in ("softmax", "svm"):
            tensors = [torch.tensor(a, requires_grad=True) for a in (x, w1, b1, w2, b2)]
            tx, tw1, tb1, tw2, tb2 = tensors
            scores = act(tx @ tw1 + tb1) @ tw2 + tb2
            target = torch.tensor(labels)
            if loss_name == "softmax":
                loss = F.cross_entropy(scores, target)
            else:  # torch divides the hinge sum by the number of classes; the course does not
                loss = F.multi_margin_loss(scores, target, p=1, margin=1.0) * c
            loss = loss + 0.01 * (tw1 ** 2).sum() + 0.01 * (tw2 ** 2).sum()
            loss.backward()
            key = f"{act_name}_{loss_name}"
            record[f"{key}_loss"] = loss.detach().numpy()
            for name, t in zip(("x", "w1", "b1", "w2", "b2"), tensors):
                record[f"{key}_grad_{name}"] = t.grad.numpy()

    # elementwise / reduction ops with broadcasting
    a = rng.uniform(0.5, 2.0, (3, 4))
    b = rng.uniform(0.5, 2.0, (4,))
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out = ((ta * tb - ta / tb + ta ** 2.5) .exp().log() + tb ** ta).max(dim=1).values.sum() \
        + (ta @ tb).mean() + ta[np.array([0, 0, 2])].sum() + ta.T.sum(dim=0).abs().sum()
    out.backward()
    record.update(ops_a=a, ops_b=b, ops_out=out.detach().numpy(), ops_grad_a=ta.grad.numpy(),
                  ops_grad_b=tb.grad.numpy())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, torch_version=np.array(torch.__version__), **record)
    print(f"wrote {OUT} ({len(record)} arrays, torch {torch.__version__})")


if __name__ == "__main__":
    main()
