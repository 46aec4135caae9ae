"""Case 1: training an MLP on Fashion-MNIST (ReLU, batch 128, Adam, softmax cross-entropy).

Samples per second over a fixed number of steps, for chainrule (modules, graph, optimizer),
PyTorch (torch.nn + torch.optim) and the hand-written NumPy loop of `benchmarks.reference`
(the same kernels with no graph, modules or optimizer objects: the floor). All three start from
the same weights and train on the same pre-gathered batches.
Targets: >= 1.2x PyTorch's samples/s; <= 1.15x the floor's time (advantage >= 1/1.15).

Each trial is 100 steps (0.1-0.3 s) and there are five trials per ``--repeats``: short,
alternated trials let a burst of load from elsewhere on a shared machine fall on every
contender alike, where a few long trials let it fall on one of them.
"""

from __future__ import annotations

import time

from .. import data as bench_data
from ..environment import missing_peer_note, peer_available
from ..reference import NumpyMLP
from ..runner import Contender, Target
from . import models

CASE = 1
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
CHECK_STEPS = 3
STEPS_PER_TRIAL = 100
TRIALS_PER_REPEAT = 5


def _timed_steps(step, batches):
    """Run ``step(x, y)`` over the batches; return samples per second."""
    start = time.perf_counter()
    for x, y in batches:
        step(x, y)
    elapsed = time.perf_counter() - start
    return sum(len(y) for _, y in batches) / elapsed


def agreement_with_floor(sizes, train_batches):
    """Train chainrule and the floor ``CHECK_STEPS`` steps from one start; return the largest
    parameter difference (float32 rounding only: they compute the same thing)."""
    model = models.chainrule_mlp(sizes, seed=1)
    weights, biases = models.chainrule_weights(model)
    trainer = models.ChainruleTrainer(model, LEARNING_RATE)
    floor = NumpyMLP(weights, biases, lr=LEARNING_RATE, fused=models.chainrule_adam_is_fused())
    for x, y in train_batches[:CHECK_STEPS]:
        trainer.step(x, y)
        floor.step(x, y)
    return models.max_parameter_difference(*models.chainrule_weights(model), floor.weights,
                                           floor.biases)


def run(report, settings):
    dataset = bench_data.load(settings.quick)
    steps = 2 if settings.quick else STEPS_PER_TRIAL
    repeats = settings.repeats if settings.quick else TRIALS_PER_REPEAT * settings.repeats
    train_batches = models.batches(dataset.X_train, dataset.y_train, BATCH_SIZE, steps)
    have_torch = peer_available("pytorch")
    for label, sizes in models.ARCHITECTURES.items():
        benchmark = f"MLP training {label} (batch {BATCH_SIZE}, Adam)"
        model = models.chainrule_mlp(sizes, seed=0)
        weights, biases = models.chainrule_weights(model)
        chainrule_trainer = models.ChainruleTrainer(model, LEARNING_RATE)
        fused = models.chainrule_adam_is_fused()
        floor = NumpyMLP(weights, biases, lr=LEARNING_RATE, fused=fused)
        contenders = [
            Contender("chainrule", lambda t=chainrule_trainer: _timed_steps(t.step, train_batches)),
            Contender("numpy floor", lambda f=floor: _timed_steps(f.step, train_batches)),
        ]
        targets = [Target("advantage >= 1/1.15 (time <= 1.15x floor)", 1 / 1.15,
                          peer="numpy floor")]
        if have_torch:
            torch_trainer = models.TorchTrainer(models.torch_mlp(weights, biases), LEARNING_RATE)
            torch_train_batches = models.torch_batches(train_batches)
            contenders.append(Contender("pytorch", lambda t=torch_trainer, b=torch_train_batches:
                                        _timed_steps(t.step, b)))
            targets.append(Target("advantage >= 1.2", 1.2, peer="pytorch"))
        difference = agreement_with_floor(sizes, train_batches)
        report.measure(CASE, benchmark, "throughput", "samples/s", contenders, repeats=repeats,
                       targets=targets,
                       details={"chainrule": {"max_param_diff_vs_floor_after_3_steps": difference,
                                              "steps_per_trial": steps,
                                              "fused_adam_kernel": fused,
                                              "data": dataset.source}})
        if not have_torch:
            report.skip(CASE, benchmark, "pytorch", missing_peer_note("pytorch"))
