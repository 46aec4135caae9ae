"""Case 7: start-up cost: ``import chainrule`` and ``chainrule --help``, against ``import torch``.

Each repetition starts a fresh interpreter (``sys.executable``), so nothing is cached in the
process; the file-system cache is warm after the unmeasured first run, as in daily use. The
import is timed inside the child (interpreter start-up excluded); ``chainrule --help`` is the
whole process's wall time. The child also lists the heavy modules the import pulled in.
Target: ``import chainrule`` under 0.25 s, with no heavy module (matplotlib, scikit-learn,
scipy, starlette, torch, ...) imported until used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from ..environment import missing_peer_note, peer_available
from ..runner import Contender, Target

CASE = 7
HEAVY_MODULES = ("matplotlib", "sklearn", "scipy", "starlette", "uvicorn", "torch", "PIL",
                 "pandas", "numba", "dask")
IMPORT_LIMIT_S = 0.25

_CHILD = """
import json, sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
heavy = sorted(name for name in {heavy!r} if name in sys.modules and name != {module!r})
print(json.dumps({{"seconds": elapsed, "heavy": heavy}}))
"""


def _import_time(module, facts):
    code = _CHILD.format(module=module, heavy=HEAVY_MODULES)
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True, env=os.environ.copy())
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    facts["heavy_modules_imported"] = result["heavy"]
    return result["seconds"]


def _help_command():
    """The installed ``chainrule`` script beside this interpreter, else the module's main()."""
    script = os.path.join(os.path.dirname(sys.executable), "chainrule")
    if os.path.exists(script):
        return [script, "--help"]
    found = shutil.which("chainrule")
    if found:
        return [found, "--help"]
    return [sys.executable, "-c", "import sys; from chainrule.cli import main; "
            "sys.exit(main(['--help']))"]


def _help_time(command):
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - start


def run(report, settings):
    repeats = max(settings.repeats, 5) if not settings.quick else 1
    chainrule_facts, torch_facts = {}, {}
    contenders = [Contender("chainrule", lambda: _import_time("chainrule", chainrule_facts))]
    targets = [Target(f"< {IMPORT_LIMIT_S} s, nothing heavy", max_value=IMPORT_LIMIT_S)]
    if peer_available("pytorch"):
        contenders.append(Contender("pytorch", lambda: _import_time("torch", torch_facts)))
    rows = report.measure(CASE, "import time (in a fresh interpreter)", "import time", "s",
                          contenders, higher_is_better=False, repeats=repeats, targets=targets)
    chainrule_row = rows["chainrule"]
    chainrule_row.details.update(chainrule_facts)
    if chainrule_facts.get("heavy_modules_imported"):
        chainrule_row.met = False
        chainrule_row.target += " (imports " + ", ".join(
            chainrule_facts["heavy_modules_imported"]) + ")"
    if "pytorch" in rows:
        rows["pytorch"].details.update(torch_facts)
    else:
        report.skip(CASE, "import time (in a fresh interpreter)", "pytorch",
                    missing_peer_note("pytorch"))
    command = _help_command()
    report.measure(CASE, "`chainrule --help` (whole process)", "wall time", "s",
                   [Contender("chainrule", lambda: _help_time(command))],
                   higher_is_better=False, repeats=repeats,
                   details={"chainrule": {"command": " ".join(command[:1] + ["--help"])}})
