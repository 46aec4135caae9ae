"""Case 8's child process: train case 1's network and report the peak resident set size.

    python -m benchmarks.memory_worker --impl chainrule --arch 784-512-256-10 --steps 100

Run in a fresh process per measurement (the peak RSS of a process only grows). The PyTorch
child never imports chainrule and the chainrule child never imports torch; both read the same
data the same way (the IDX files directly, or the synthetic set with ``--quick``) and gather
each batch as they train. Prints one JSON line: peak RSS and the RSS before training (MiB).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys

ARCHITECTURES = {"784-256-10": (784, 256, 10), "784-512-256-10": (784, 512, 256, 10)}
BATCH_SIZE = 128


def _rss_mib():
    """Current resident set size (Linux /proc), in MiB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_rss_mib():
    """This process's peak RSS (VmHWM), in MiB.

    Not ``getrusage().ru_maxrss``: Linux keeps that high-water mark across fork and exec, so a
    child would report its parent's peak (the benchmark runner's gigabyte) instead of its own.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("/proc/self/status has no VmHWM line")


def _chainrule_step(sizes):
    from benchmarks.cases.models import ChainruleTrainer, chainrule_mlp

    return ChainruleTrainer(chainrule_mlp(sizes)).step


def _torch_step(sizes, threads):
    import torch

    torch.set_num_threads(threads)
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if index < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        optimizer.step()

    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=("chainrule", "pytorch"), required=True)
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="784-512-256-10")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="small synthetic data")
    args = parser.parse_args(argv)

    import numpy as np

    from benchmarks import data as bench_data

    dataset = bench_data.load(args.quick, use_chainrule=False)
    sizes = ARCHITECTURES[args.arch]
    step = (_chainrule_step(sizes) if args.impl == "chainrule"
            else _torch_step(sizes, args.threads))
    rss_before = _rss_mib()
    rng = np.random.default_rng(0)
    n = len(dataset.X_train)
    batch_size = min(BATCH_SIZE, n)
    for _ in range(args.steps):
        index = rng.integers(0, n, size=batch_size)
        step(np.ascontiguousarray(dataset.X_train[index]), dataset.y_train[index])
    print(json.dumps({"impl": args.impl, "peak_rss_mib": _peak_rss_mib(),
                      "rss_before_training_mib": rss_before}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
