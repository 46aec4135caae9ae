"""``python -m benchmarks``: run the suite, print the markdown table, write the JSON.

Thread limits are set before NumPy or any peer is imported (see `benchmarks.environment`).
Exit status: 0 when every case ran (skipped peers and missing chainrule pieces are reported,
not errors), 1 when a case failed with an exception, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import sys
import time
import traceback

from .cases import CASE_MODULES, TITLES
from .environment import limit_threads

DEFAULT_REPEATS = 5
BUSY_LOAD = 1.25  # load average per thread above which the run is flagged as disturbed
RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def parse_cases(text):
    """``"1,3,7"`` or ``"all"`` -> sorted list of case numbers."""
    if text == "all":
        return sorted(CASE_MODULES)
    try:
        cases = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--cases: expected numbers separated by commas (e.g. 1,3,7) or 'all', got {text!r}"
        ) from None
    unknown = [case for case in cases if case not in CASE_MODULES]
    if unknown or not cases:
        raise argparse.ArgumentTypeError(
            f"--cases: known cases are {sorted(CASE_MODULES)}, got {text!r}")
    return cases


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def build_parser():
    cases = "; ".join(f"{number}: {title}" for number, title in TITLES.items())
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark chainrule against PyTorch, scikit-learn, scipy and hand-written "
                    "NumPy, alternating the contenders, and print medians with ratios. "
                    f"Cases: {cases}.")
    parser.add_argument("--cases", type=parse_cases, default=sorted(CASE_MODULES),
                        help="comma-separated case numbers, or 'all' (default: all)")
    parser.add_argument("--repeats", type=positive_int, default=None,
                        help=f"measured repetitions per contender (default {DEFAULT_REPEATS}; "
                             "1 with --quick; the slowest cases use at most 3)")
    parser.add_argument("--quick", action="store_true",
                        help="seconds-long smoke run: small synthetic data, one repetition")
    parser.add_argument("--threads", type=positive_int, default=2,
                        help="threads for every library (default 2)")
    parser.add_argument("--json", metavar="PATH", default=None,
                        help="where to write the results (default "
                             "benchmarks/results/<date>[-quick].json)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    limit_threads(args.threads)  # before NumPy is imported below

    from .environment import describe_machine
    from .runner import Report, Settings

    now = datetime.datetime.now()
    repeats = args.repeats or (1 if args.quick else DEFAULT_REPEATS)
    settings = Settings(quick=args.quick, repeats=repeats, threads=args.threads,
                        cases=args.cases, date=now.isoformat(timespec="seconds"),
                        command=" ".join(["python -m benchmarks", *sys.argv[1:]]))
    report = Report(settings)
    load_before = os.getloadavg()
    for case in args.cases:
        started = time.perf_counter()
        print(f"case {case}: {TITLES[case]} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f".cases.{CASE_MODULES[case]}", __package__)
            module.run(report, settings)
        except Exception as error:
            traceback.print_exc()
            report.skip(case, TITLES[case], "(case)",
                        f"{type(error).__name__}: {error}", status="failed")
        print(f"case {case}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    machine = describe_machine(args.threads)
    machine["load_average_before"] = load_before
    machine["load_average_after"] = os.getloadavg()
    path = args.json or os.path.join(
        RESULTS_DIR, now.strftime("%Y-%m-%d") + ("-quick" if args.quick else "") + ".json")
    report.write_json(path, machine)

    print(f"chainrule benchmarks, {settings.date}, {machine['cpu']} "
          f"({machine['logical_cpus']} logical CPUs), {args.threads} threads, "
          f"{'quick smoke run' if args.quick else f'{repeats} repetitions'}; "
          f"load average {load_before[0]:.1f} before, {machine['load_average_after'][0]:.1f} "
          "after")
    if max(load_before[0], machine["load_average_after"][0]) > BUSY_LOAD * args.threads:
        print(f"warning: the machine was busy (load average {load_before[0]:.1f} before, "
              f"{machine['load_average_after'][0]:.1f} after): other processes competed for "
              "the cores, and multi-threaded BLAS then slows down many times over; rerun on an "
              "idle machine before comparing with published numbers")
    print("chainrule advantage: above 1 chainrule is better (faster, or less memory).\n")
    print(report.markdown())
    for note in report.notes:
        print(f"- case {note['case']}: {note['text']}")
    print(f"\nresults written to {path}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
