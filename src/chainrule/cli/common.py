"""Pieces shared by the subcommands: argument types that reject bad values with one clear line."""

from __future__ import annotations

import argparse
import math


class UserError(Exception):
    """An error caused by the user's input: reported as one line, exit status 2."""


def _parse(text, convert, accept, expected):
    """Convert a flag's text and check it, or raise the one-line argparse error."""
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if not accept(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
    return value


def positive_int(text):
    return _parse(text, int, lambda v: v >= 1, "a positive integer")


def non_negative_int(text):
    return _parse(text, int, lambda v: v >= 0, "an integer >= 0")


def positive_float(text):
    return _parse(text, float, lambda v: v > 0 and math.isfinite(v),
                  "a positive finite number")


def non_negative_float(text):
    return _parse(text, float, lambda v: v >= 0 and math.isfinite(v), "a finite number >= 0")


def probability(text):
    return _parse(text, float, lambda v: 0 <= v < 1, "a probability in [0, 1)")


def int_list(text):
    """'512,256' -> (512, 256); '' or 'none' -> () (no hidden layer)."""
    if text.strip().lower() in ("", "none"):
        return ()
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers like 512,256, got {text!r}") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"layer widths must be positive, got {text!r}")
    return values
