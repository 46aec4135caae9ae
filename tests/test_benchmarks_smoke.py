"""The benchmark suite must not rot: a seconds-long smoke run of every case, plus the runner's
bookkeeping. No speed is asserted here (speed is for `python -m benchmarks`, not for tests)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.__main__ import build_parser  # noqa: E402
from benchmarks.runner import Contender, Report, Row, Settings, Target, advantage  # noqa: E402


def test_quick_run_of_every_case_writes_numbers_and_json(tmp_path):
    path = tmp_path / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    results = json.loads(path.read_text())
    assert results["settings"]["quick"] is True
    assert results["machine"]["threads"] == 2
    rows = results["rows"]
    assert [row for row in rows if row["status"] == "failed"] == []
    for case in range(1, 9):
        measured = [row for row in rows if row["case"] == case and row["status"] == "measured"
                    and row["implementation"] == "chainrule"]
        assert measured, f"case {case} has no measured chainrule row"
        for row in measured:
            assert len(row["values"]) >= 1
            assert row["median"] is not None and math.isfinite(row["median"])
            assert row["median"] > 0
            assert row["unit"]
    for row in rows:
        if row["status"] == "skipped":
            assert len(row["note"]) > 10  # a reason, not a blank
    # case 1's chainrule and floor compute the same training steps
    case1 = [row for row in rows if row["case"] == 1 and row["implementation"] == "chainrule"]
    assert all(row["details"]["max_param_diff_vs_floor_after_3_steps"] < 1e-5 for row in case1)
    # the printed table has one line per row
    table_lines = [line for line in completed.stdout.splitlines() if line.startswith("| ")]
    assert len(table_lines) == len(rows) + 1  # + header


def test_alternation_warmup_and_median(monkeypatch):
    from benchmarks import runner

    monkeypatch.setattr(runner, "SETTLE", 0.0)
    calls = []

    def contender(name, values):
        values = iter(values)

        def trial():
            calls.append(name)
            return next(values)
        return Contender(name, trial)

    report = Report(Settings(repeats=3))
    rows = report.measure(9, "toy", "throughput", "items/s",
                          [contender("chainrule", [0.0, 10.0, 30.0, 20.0]),
                           contender("peer", [0.0, 10.0, 10.0, 10.0])],
                          warmup=1, targets=[Target("advantage >= 1.5", 1.5, peer="peer")])
    # warmup first, then alternated with the order rotating: A B, A B, B A, A B
    assert calls == ["chainrule", "peer"] * 2 + ["peer", "chainrule", "chainrule", "peer"]
    assert rows["chainrule"].values == [10.0, 30.0, 20.0]  # warmup values dropped
    assert rows["chainrule"].median == 20.0
    assert rows["peer"].advantage == pytest.approx(2.0)
    assert rows["peer"].paired_advantage == pytest.approx(2.0)  # median of 1, 3, 2
    assert rows["peer"].met is True
    assert "| 2.00x | 2.00x | advantage >= 1.5 | yes |" in report.markdown()


def test_paired_advantage_compares_trials_of_the_same_repetition():
    from benchmarks.runner import paired_advantage

    # slow periods halve chainrule's trials 2 and 3 and the peer's trial 2: the ratio of the
    # medians is 60 / 100 = 0.6, the paired ratios 1.2, 1.2 and 0.6
    fast = Row(1, "toy", "chainrule", "throughput", "x/s", True, values=[120.0, 60.0, 60.0])
    peer = Row(1, "toy", "peer", "throughput", "x/s", True, values=[100.0, 50.0, 100.0])
    assert paired_advantage(fast, peer) == pytest.approx(1.2)
    seconds = Row(6, "toy", "chainrule", "time", "s", False, values=[2.0, 4.0])
    slower = Row(6, "toy", "peer", "time", "s", False, values=[3.0, 6.0])
    assert paired_advantage(seconds, slower) == pytest.approx(1.5)
    assert paired_advantage(seconds, Row(6, "toy", "peer", "time", "s", False,
                                         values=[3.0])) is None       # one pair only
    assert paired_advantage(seconds, Row(6, "toy", "peer", "time", "s", False,
                                         values=[3.0, math.inf])) is None  # never reached


def test_advantage_for_lower_is_better_and_unreached_goals():
    assert advantage(2.0, 3.0, higher_is_better=False) == pytest.approx(1.5)
    assert advantage(30.0, 20.0, higher_is_better=True) == pytest.approx(1.5)
    never = Row(6, "toy", "chainrule", "time", "s", False, values=[1.0, math.inf, 2.0])
    assert never.median == math.inf
    assert advantage(never.median, 5.0, higher_is_better=False) == 0.0
    assert never.to_json()["median"] is None


def test_absolute_target_and_markdown():
    report = Report(Settings(repeats=2))
    report.add_rows([Row(7, "import", "chainrule", "import time", "s", False,
                         values=[0.3, 0.4])], [Target("< 0.25 s", max_value=0.25)])
    report.skip(7, "import", "pytorch", "pytorch is not installed")
    assert report.rows[0].met is False
    table = report.markdown().splitlines()
    assert table[2].startswith("| 7 | import | chainrule | 0.35 s |")
    assert "**no**" in table[2]
    assert "skipped: pytorch is not installed" in table[3]


def test_bad_arguments_are_rejected():
    parser = build_parser()
    assert parser.parse_args(["--cases", "3,1,3"]).cases == [1, 3]
    for bad in (["--cases", "9"], ["--cases", "x"], ["--repeats", "0"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
