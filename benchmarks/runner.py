"""Measuring, comparing and reporting: alternated repetitions, medians, ratios, targets, JSON.

A case hands `Report.measure` its contenders, chainrule first: each one is a zero-argument
``trial`` callable that performs one repetition and returns the metric (samples/s, seconds,
MiB). The runner calls every contender ``warmup`` times unmeasured, then ``repeats`` times in
alternation, so slow drift of the machine (other processes, CPU clocks) falls on all
contenders alike, and reports the median with the minimum and maximum. The order rotates with
each repetition (A B C, B C A, C A B, ...) and every trial starts after a pause of ``SETTLE``
seconds: thread pools keep spinning for a while after their last task (OpenMP's workers in
PyTorch and scikit-learn, OpenBLAS's), and without the pause the contender that runs right after
one of them shares the 2 cores with those spinning threads (measured: chainrule's small-network
training lost 10% when it ran right after PyTorch).

The ratio printed for each peer is chainrule's *advantage*: chainrule's metric over the peer's
when higher is better (samples/s), the peer's over chainrule's when lower is better (seconds,
MiB). Above 1, chainrule wins. It is the ratio of the medians, which is what the targets are
judged on. Next to it the table gives the *paired* advantage: the median, over the
repetitions, of the ratio between the two trials of the same repetition, which ran seconds
apart. On a machine whose speed changes from one minute to the next (this project's 2-core VM
has periods where everything runs at half speed), the paired ratio shows how the two compare
when they meet the same conditions; when the two columns disagree, the machine changed during
the run.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field

#: seconds of idleness before each measured trial, for the last contender's threads to sleep
SETTLE = 0.3


@dataclass
class Settings:
    """How a run was asked for: ``quick`` (smoke sizes), ``repeats``, ``threads``, ``cases``."""

    quick: bool = False
    repeats: int = 5
    threads: int = 2
    cases: list = field(default_factory=list)
    date: str = ""
    command: str = ""


@dataclass
class Contender:
    """One implementation in a benchmark: ``trial()`` runs one repetition, returns the metric."""

    name: str
    trial: object
    repeats: int | None = None  # fewer repetitions than the others (a very slow peer)


@dataclass
class Target:
    """A goal for chainrule's advantage over one peer (or for an absolute value, peer None)."""

    text: str
    min_advantage: float | None = None  # compared with the advantage over ``peer``
    max_value: float | None = None  # absolute: chainrule's median must be below this
    peer: str | None = None


@dataclass
class Row:
    """One implementation's measurements in one benchmark."""

    case: int
    benchmark: str
    implementation: str
    metric: str
    unit: str
    higher_is_better: bool
    values: list = field(default_factory=list)
    status: str = "measured"  # "measured", "skipped", "failed"
    note: str = ""
    advantage: float | None = None  # chainrule's advantage over this implementation
    paired_advantage: float | None = None  # median of the per-repetition advantages
    target: str = ""
    met: bool | None = None
    details: dict = field(default_factory=dict)

    @property
    def median(self):
        finite = [v for v in self.values if v is not None and math.isfinite(v)]
        if len(finite) < len(self.values) or not finite:
            return math.inf if self.values else None  # an unreached goal counts as never
        return statistics.median(finite)

    def to_json(self):
        data = asdict(self)
        data["values"] = [_json_number(v) for v in self.values]
        data["median"] = _json_number(self.median)
        finite = [v for v in self.values if v is not None and math.isfinite(v)]
        data["min"] = min(finite) if finite else None
        data["max"] = max(finite) if finite else None
        data["advantage"] = _json_number(self.advantage)
        data["paired_advantage"] = _json_number(self.paired_advantage)
        return data


def _json_number(value):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def advantage(chainrule_value, peer_value, higher_is_better):
    """How many times better chainrule is than the peer (above 1: chainrule wins)."""
    if chainrule_value is None or peer_value is None:
        return None
    if higher_is_better:
        if peer_value == 0:
            return math.inf
        return chainrule_value / peer_value
    if chainrule_value == 0 or not math.isfinite(chainrule_value):
        return 0.0 if not math.isfinite(chainrule_value) else math.inf
    return peer_value / chainrule_value


def paired_advantage(chainrule_row, peer_row):
    """Median over the repetitions both measured of the advantage within each repetition;
    None with fewer than 2 such pairs or when a value is not finite (a goal never reached)."""
    pairs = list(zip(chainrule_row.values, peer_row.values))
    if len(pairs) < 2 or not all(math.isfinite(a) and math.isfinite(b) for a, b in pairs):
        return None
    return statistics.median(advantage(a, b, peer_row.higher_is_better) for a, b in pairs)


class Report:
    """Collects the rows of every case; prints the table and writes the JSON."""

    def __init__(self, settings):
        self.settings = settings
        self.rows = []
        self.notes = []

    # ------------------------------------------------------------------ recording
    def measure(self, case, benchmark, metric, unit, contenders, *, higher_is_better=True,
                repeats=None, warmup=1, targets=(), details=None):
        """Run the contenders alternately and record one row each; return the rows by name.

        Parameters
        ----------
        case : int
        benchmark : str
            What is measured ("MLP training 784-256-10").
        metric, unit : str
            "throughput", "samples/s" ...
        contenders : list of Contender
            chainrule's first; the others are compared with it.
        repeats : int, optional
            Measured repetitions per contender (default: the run's ``--repeats``).
        warmup : int
            Unmeasured repetitions per contender first (caches, lazy imports, allocators).
        targets : list of Target
        details : dict, optional
            name -> dict of extra facts for that row (final loss, agreement, ...).
        """
        repeats = self.settings.repeats if repeats is None else repeats
        if self.settings.quick:
            warmup = 0  # the smoke run checks that everything runs, not how fast
        rows = {c.name: Row(case, benchmark, c.name, metric, unit, higher_is_better)
                for c in contenders}
        for _ in range(warmup):
            for contender in contenders:
                contender.trial()
        settle = 0.0 if self.settings.quick else SETTLE
        for repetition in range(repeats):
            shift = repetition % len(contenders)
            for contender in contenders[shift:] + contenders[:shift]:
                if contender.repeats is not None and repetition >= contender.repeats:
                    continue
                time.sleep(settle)
                rows[contender.name].values.append(float(contender.trial()))
        for name, extra in (details or {}).items():
            if name in rows:
                rows[name].details.update(extra)
        self.add_rows(list(rows.values()), targets)
        return rows

    def add_rows(self, rows, targets=()):
        """Record measured rows (the first is chainrule's) and judge the targets."""
        first = rows[0]
        by_name = {row.implementation: row for row in rows}
        chainrule_row = first if first.implementation.startswith("chainrule") else None
        for row in rows:
            if chainrule_row is not None and row is not chainrule_row:
                row.advantage = advantage(chainrule_row.median, row.median, row.higher_is_better)
                row.paired_advantage = paired_advantage(chainrule_row, row)
        for target in targets:
            if target.peer is None:
                if chainrule_row is None or chainrule_row.median is None:
                    continue
                chainrule_row.target = target.text
                met = chainrule_row.median <= target.max_value
                chainrule_row.met = met if chainrule_row.met is None else chainrule_row.met and met
            elif target.peer in by_name and by_name[target.peer].advantage is not None:
                peer_row = by_name[target.peer]
                peer_row.target = target.text
                peer_row.met = peer_row.advantage >= target.min_advantage
        self.rows.extend(rows)

    def skip(self, case, benchmark, implementation, reason, status="skipped"):
        """Record an implementation that could not be measured, and why."""
        self.rows.append(Row(case, benchmark, implementation, "", "", True, status=status,
                             note=reason))

    def note(self, case, text):
        self.notes.append({"case": case, "text": text})

    # ------------------------------------------------------------------ output
    @property
    def failed(self):
        return [row for row in self.rows if row.status == "failed"]

    def to_json(self, machine):
        return {
            "date": self.settings.date,
            "command": self.settings.command,
            "settings": {"quick": self.settings.quick, "repeats": self.settings.repeats,
                         "threads": self.settings.threads, "cases": self.settings.cases},
            "machine": machine,
            "rows": [row.to_json() for row in self.rows],
            "notes": self.notes,
        }

    def write_json(self, path, machine):
        """Write the results atomically (a temporary file in the same folder, then rename)."""
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".bench-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.to_json(machine), stream, indent=2)
                stream.write("\n")
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def markdown(self):
        """The results as a markdown table, ready for the README."""
        lines = [
            "| # | benchmark | implementation | median | min – max | chainrule advantage "
            "| paired | target | met |",
            "|---|---|---|---:|---:|---:|---:|---|---|",
        ]
        for row in self.rows:
            if row.status != "measured":
                lines.append(f"| {row.case} | {row.benchmark} | {row.implementation} | "
                             f"{row.status}: {row.note} | | | | | |")
                continue
            finite = [v for v in row.values if math.isfinite(v)]
            spread = (f"{format_value(min(finite))} – {format_value(max(finite))}"
                      if finite else "")
            if row.advantage is None:
                ratio = ""
            elif math.isinf(row.advantage):
                ratio = "unbounded"  # the peer never reached the goal
            else:
                ratio = f"{row.advantage:.2f}x"
            paired = "" if row.paired_advantage is None else f"{row.paired_advantage:.2f}x"
            median = format_value(row.median)
            if row.median is not None and math.isfinite(row.median):
                median += f" {row.unit}"
            met = {True: "yes", False: "**no**", None: ""}[row.met]
            lines.append(f"| {row.case} | {row.benchmark} | {row.implementation} | "
                         f"{median} | {spread} | {ratio} | {paired} | "
                         f"{row.target} | {met} |")
        return "\n".join(lines)


def format_value(value):
    """Numbers for people: 3-4 significant digits, thousands separated."""
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "never"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"
