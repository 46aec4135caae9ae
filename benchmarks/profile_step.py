"""Where case 1's training step spends its time: ``python -m benchmarks.profile_step``.

Times the phases of chainrule's step (zero_grad, forward, loss, backward, optimizer step) and
the pieces of the hand-written floor (the matrix products alone, the Adam update alone, the
rest), alternating chainrule and floor steps on the same batches, and prints medians in
microseconds. ``--cprofile N`` also prints the N functions with the most own time in
chainrule's step (cProfile inflates Python overhead; read it for the ranking, not the sizes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from .environment import limit_threads


def _phase_times(trainer, batches):
    """Per-step durations of each phase of chainrule's step, in microseconds."""
    phases = {"zero_grad": [], "forward": [], "loss": [], "backward": [], "optimizer step": [],
              "total": []}
    for x, y in batches:
        t0 = time.perf_counter()
        trainer.optimizer.zero_grad()
        t1 = time.perf_counter()
        scores = trainer.model(x)
        t2 = time.perf_counter()
        loss = trainer.loss_fn(scores, y)
        t3 = time.perf_counter()
        loss.backward()
        t4 = time.perf_counter()
        trainer.optimizer.step()
        t5 = time.perf_counter()
        for name, start, end in (("zero_grad", t0, t1), ("forward", t1, t2), ("loss", t2, t3),
                                 ("backward", t3, t4), ("optimizer step", t4, t5),
                                 ("total", t0, t5)):
            phases[name].append((end - start) * 1e6)
    return phases


def _floor_times(floor, batches):
    """Per-step durations of the floor: whole step, its matrix products alone, Adam alone."""
    import numpy as np

    whole, products, adam = [], [], []
    grads = [np.ones_like(p) for p in floor.params]
    for x, y in batches:
        start = time.perf_counter()
        floor.step(x, y)
        whole.append((time.perf_counter() - start) * 1e6)
        start = time.perf_counter()
        h = x
        inputs = [x]
        for weight in floor.weights:  # forward products
            h = h @ weight
            inputs.append(h)
        grad = h
        for index in range(len(floor.weights) - 1, -1, -1):  # backward products
            _ = inputs[index].T @ grad
            if index > 0:
                grad = grad @ floor.weights[index].T
        products.append((time.perf_counter() - start) * 1e6)
        start = time.perf_counter()
        floor.t -= 1  # replay the same step number: timing only, values are not used
        saved = [p.copy() for p in floor.params]
        floor._adam(grads)
        adam.append((time.perf_counter() - start) * 1e6)
        for target, value in zip(floor.params, saved):
            target[...] = value
    return {"total": whole, "matrix products": products, "adam update": adam}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_step",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="784-512-256-10",
                        choices=("784-256-10", "784-512-256-10"))
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--quick", action="store_true", help="small synthetic data")
    args = parser.parse_args(argv)
    limit_threads(args.threads)

    from . import data as bench_data
    from .cases import models
    from .reference import NumpyMLP

    dataset = bench_data.load(args.quick)
    sizes = models.ARCHITECTURES[args.arch]
    batches = models.batches(dataset.X_train, dataset.y_train, 128, args.steps)
    model = models.chainrule_mlp(sizes)
    trainer = models.ChainruleTrainer(model)
    floor = NumpyMLP(*models.chainrule_weights(model), fused=models.chainrule_adam_is_fused())
    for x, y in batches[:10]:  # warm up both
        trainer.step(x, y)
        floor.step(x, y)
    chainrule_phases = {name: [] for name in ("zero_grad", "forward", "loss", "backward",
                                              "optimizer step", "total")}
    floor_phases = {"total": [], "matrix products": [], "adam update": []}
    for first in range(0, len(batches), 10):  # alternate in blocks of 10 steps
        block = batches[first: first + 10]
        for name, values in _phase_times(trainer, block).items():
            chainrule_phases[name].extend(values)
        for name, values in _floor_times(floor, block).items():
            floor_phases[name].extend(values)
    print(f"{args.arch}, batch 128, {args.steps} steps, {args.threads} threads "
          "(median microseconds per step)")
    for title, phases in (("chainrule", chainrule_phases), ("numpy floor", floor_phases)):
        print(f"\n{title}:")
        for name, values in phases.items():
            print(f"  {name:16s} {statistics.median(values):9.0f}")
    floor_total = statistics.median(floor_phases["total"])
    rest = (floor_total - statistics.median(floor_phases["matrix products"])
            - statistics.median(floor_phases["adam update"]))
    print(f"  {'other (floor)':16s} {rest:9.0f}  (bias adds, ReLU, softmax, masks)")
    overhead = statistics.median(chainrule_phases["total"]) - floor_total
    print(f"\nchainrule - floor: {overhead:.0f} us per step "
          f"({overhead / floor_total:+.1%} of the floor)")
    if args.cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for x, y in batches:
            trainer.step(x, y)
        profiler.disable()
        print()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(
            args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
