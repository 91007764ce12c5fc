"""Readers of trained-accuracy tables, chosen by the search space they cover."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from naswot.errors import NaswotError
from naswot.tables.base import AccuracyTable

_READERS: dict[str, Callable[[Path], AccuracyTable]] = {}


def register_table(space_name: str) -> Callable[[Callable[[Path], AccuracyTable]], Callable[[Path], AccuracyTable]]:
    """Register the reader of accuracy files for the space ``space_name``."""

    def decorate(reader: Callable[[Path], AccuracyTable]) -> Callable[[Path], AccuracyTable]:
        _READERS[space_name] = reader
        return reader

    return decorate


def load_table(space_name: str, path: str | Path) -> AccuracyTable:
    """Read the accuracy file at ``path`` for the space named ``space_name``."""
    _load_builtin_readers()
    if space_name not in _READERS:
        raise NaswotError(f"no benchmark table reader for space {space_name!r}: drop --benchmark for this space")
    return _READERS[space_name](Path(path).expanduser())


def _load_builtin_readers() -> None:
    """Import the modules whose decorators register the built-in readers."""
    from naswot.tables import nasbench101, nasbench201, natsbench_sss, nds  # noqa: F401


__all__ = ["AccuracyTable", "load_table", "register_table"]
