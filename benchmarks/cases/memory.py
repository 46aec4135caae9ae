"""Case 8: peak resident memory (RSS) of case 1's training, against PyTorch.

Each repetition is a fresh child process (`benchmarks.memory_worker`) that loads the data,
builds 784-512-256-10 and trains it with Adam at batch 128, then reports its peak RSS. The
interpreter, the library's import and the data are part of the peak for both contenders.
Target: at most PyTorch's peak RSS (advantage >= 1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ..environment import missing_peer_note, peer_available
from ..runner import Contender, Target

CASE = 8
ARCHITECTURE = "784-512-256-10"
REPOSITORY_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _peak_rss(impl, settings, facts):
    steps = 5 if settings.quick else 200
    command = [sys.executable, "-m", "benchmarks.memory_worker", "--impl", impl, "--arch",
               ARCHITECTURE, "--steps", str(steps), "--threads", str(settings.threads)]
    if settings.quick:
        command.append("--quick")
    environment = os.environ.copy()
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [REPOSITORY_ROOT, environment.get("PYTHONPATH")]))
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY_ROOT,
                               env=environment, check=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    facts["rss_before_training_mib"] = result["rss_before_training_mib"]
    facts["steps"] = steps
    return result["peak_rss_mib"]


def run(report, settings):
    benchmark = f"peak RSS, training {ARCHITECTURE} (batch 128, Adam)"
    facts = {"chainrule": {}, "pytorch": {}}
    contenders = [Contender("chainrule",
                            lambda: _peak_rss("chainrule", settings, facts["chainrule"]))]
    targets = []
    if peer_available("pytorch"):
        contenders.append(Contender("pytorch",
                                    lambda: _peak_rss("pytorch", settings, facts["pytorch"])))
        targets.append(Target("advantage >= 1", 1.0, peer="pytorch"))
    repeats = 1 if settings.quick else min(settings.repeats, 3)
    report.measure(CASE, benchmark, "peak RSS", "MiB", contenders, higher_is_better=False,
                   warmup=0, repeats=repeats, targets=targets, details=facts)
    if not peer_available("pytorch"):
        report.skip(CASE, benchmark, "pytorch", missing_peer_note("pytorch"))
