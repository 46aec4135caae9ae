"""Case 3: a linear classifier's loss and gradient (softmax and SVM) on all 60,000 x 784 images.

chainrule builds the graph a user would: ``Linear(784, 10, bias=False)``, the fused loss node,
an ``L2`` regularizer, ``backward()``. The peer is the course's hand-vectorized NumPy function
(`benchmarks.reference.softmax_loss_vectorized` / `svm_loss_vectorized`). Before timing, the
two are checked to compute the same loss and gradient.
Target: within 1.1x of the NumPy function's time (advantage >= 1/1.1).
"""

from __future__ import annotations

import time

import numpy as np

from .. import data as bench_data
from ..reference import softmax_loss_vectorized, svm_loss_vectorized
from ..runner import Contender, Target

CASE = 3
REG = 2.5e-4
EVALUATIONS = {True: 3, False: 5}  # per repetition: quick, full


def _chainrule_loss_and_grad(kind, W0):
    from chainrule import nn

    model = nn.Linear(W0.shape[0], W0.shape[1], bias=False)
    model.weight.data[...] = W0
    loss_fn = nn.SoftmaxCrossEntropyLoss() if kind == "softmax" else nn.MulticlassSVMLoss()
    regularizer = nn.L2(REG)

    def loss_and_grad(X, y):
        model.zero_grad()
        loss = loss_fn(model(X), y) + regularizer(model)
        loss.backward()
        return loss.item(), model.weight.grad

    return loss_and_grad


def _numpy_loss_and_grad(kind, W0):
    function = softmax_loss_vectorized if kind == "softmax" else svm_loss_vectorized
    W = W0.copy()
    return lambda X, y: function(W, X, y, REG)


def _timed(loss_and_grad, X, y, evaluations):
    start = time.perf_counter()
    for _ in range(evaluations):
        loss_and_grad(X, y)
    return (time.perf_counter() - start) / evaluations * 1000.0


def run(report, settings):
    dataset = bench_data.load(settings.quick)
    X, y = dataset.X_train, dataset.y_train
    W0 = (np.random.default_rng(0).standard_normal((X.shape[1], dataset.n_classes))
          * 1e-4).astype(np.float32)
    evaluations = EVALUATIONS[settings.quick]
    for kind in ("softmax", "svm"):
        benchmark = f"linear {kind} loss + gradient ({X.shape[0]:,} x {X.shape[1]})"
        ours = _chainrule_loss_and_grad(kind, W0)
        theirs = _numpy_loss_and_grad(kind, W0)
        loss_ours, grad_ours = ours(X, y)
        loss_theirs, grad_theirs = theirs(X, y)
        scale = max(float(np.max(np.abs(grad_theirs))), 1e-30)
        details = {"chainrule": {
            "loss_relative_difference": abs(loss_ours - loss_theirs) / abs(loss_theirs),
            "grad_max_difference_relative_to_max": float(
                np.max(np.abs(grad_ours - grad_theirs))) / scale,
            "evaluations_per_trial": evaluations}}
        contenders = [
            Contender("chainrule", lambda f=ours: _timed(f, X, y, evaluations)),
            Contender("numpy vectorized", lambda f=theirs: _timed(f, X, y, evaluations)),
        ]
        report.measure(CASE, benchmark, "time per evaluation", "ms", contenders,
                       higher_is_better=False, details=details,
                       targets=[Target("advantage >= 1/1.1 (time <= 1.1x numpy)", 1 / 1.1,
                                       peer="numpy vectorized")])
