"""Exceptions raised by :mod:`chainrule.data`."""

from __future__ import annotations

__all__ = ["ChecksumError", "DatasetNotFoundError"]


class DatasetNotFoundError(FileNotFoundError):
    """The files of a named dataset are neither on disk nor downloadable.

    The message lists the missing files, the folders that were searched and where to put
    the files by hand (useful on machines without internet access).
    """


class ChecksumError(ValueError):
    """A dataset file does not have the published checksum (corrupted or wrong file)."""
