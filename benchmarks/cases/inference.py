"""Case 2: inference (predicted classes) in batches of 1,024, against PyTorch.

chainrule runs the model in eval mode under ``no_grad()``; PyTorch under ``inference_mode()``.
Both predict the whole test set per repetition from the same weights.
Target: at least PyTorch's throughput (advantage >= 1).
"""

from __future__ import annotations

import time

import numpy as np

from .. import data as bench_data
from ..environment import missing_peer_note, peer_available
from ..runner import Contender, Target
from . import models

CASE = 2
BATCH_SIZE = 1024


def _timed_predictions(predict, inputs, passes):
    start = time.perf_counter()
    for _ in range(passes):
        for x in inputs:
            predict(x)
    elapsed = time.perf_counter() - start
    return passes * sum(len(x) for x in inputs) / elapsed


def run(report, settings):
    dataset = bench_data.load(settings.quick)
    X = dataset.X_test
    inputs = [np.ascontiguousarray(X[i: i + BATCH_SIZE]) for i in range(0, len(X), BATCH_SIZE)]
    passes = 1 if settings.quick else 3
    have_torch = peer_available("pytorch")
    for label, sizes in models.ARCHITECTURES.items():
        benchmark = f"inference {label} (batch {BATCH_SIZE})"
        model = models.chainrule_mlp(sizes, seed=0).eval()
        trainer = models.ChainruleTrainer(model)
        contenders = [Contender("chainrule",
                                lambda t=trainer: _timed_predictions(t.predict, inputs, passes))]
        targets = []
        details = {"chainrule": {"test_samples_per_pass": len(X), "passes": passes}}
        if have_torch:
            import torch

            weights, biases = models.chainrule_weights(model)
            torch_trainer = models.TorchTrainer(models.torch_mlp(weights, biases).eval())
            torch_inputs = [torch.from_numpy(x) for x in inputs]
            contenders.append(Contender(
                "pytorch",
                lambda t=torch_trainer, xs=torch_inputs: _timed_predictions(t.predict, xs, passes)))
            targets.append(Target("advantage >= 1", 1.0, peer="pytorch"))
            agree = float(np.mean(trainer.predict(inputs[0])
                                  == torch_trainer.predict(torch_inputs[0]).numpy()))
            details["chainrule"]["prediction_agreement_with_pytorch"] = agree
        report.measure(CASE, benchmark, "throughput", "samples/s", contenders, targets=targets,
                       details=details)
        if not have_torch:
            report.skip(CASE, benchmark, "pytorch", missing_peer_note("pytorch"))
