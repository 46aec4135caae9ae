"""Checks shared by the plot tests."""

import os

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    """The file is a complete, non-empty PNG (signature first, IEND chunk last)."""
    data = open(path, "rb").read()
    assert len(data) > 100
    assert data[:8] == PNG_SIGNATURE
    assert data[-12:-4] == b"\x00\x00\x00\x00IEND"
    return data


def assert_no_temporaries(directory):
    leftovers = [name for name in os.listdir(directory) if name.endswith(".part")]
    assert leftovers == []
