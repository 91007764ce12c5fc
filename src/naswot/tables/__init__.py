"""Readers of trained-accuracy tables, registered by the search space they cover."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from naswot.registry import Registry
from naswot.tables.base import AccuracyTable

TABLES: Registry[Callable[[Path], AccuracyTable]] = Registry("benchmark table reader", builtins=[
    f"naswot.tables.{module}" for module in ("nasbench201", "natsbench_sss", "nasbench101", "nds")])
"""One reader per space name; a reader takes any of the file forms of its space's benchmark."""


def register_table(space_name: str) -> Callable[[Callable[[Path], AccuracyTable]], Callable[[Path], AccuracyTable]]:
    """Register the reader of accuracy files for the space ``space_name``."""
    return TABLES.decorator(space_name)


def load_table(space_name: str, path: str | Path) -> AccuracyTable:
    """Read the accuracy file at ``path`` for the space named ``space_name``."""
    if space_name not in TABLES:
        from naswot.errors import NaswotError

        raise NaswotError(f"no benchmark table reader for space {space_name!r} (there are readers for "
                          f"{', '.join(TABLES.names())}): drop benchmark= for this space")
    return TABLES.get(space_name)(Path(path).expanduser())


def open_table(space_name: str, benchmark: str | Path | None, dataset: str | None,
               data: str | None = None) -> tuple[AccuracyTable | None, str | None]:
    """The accuracy table at ``benchmark`` (None: no table) and which of its data sets to use: ``dataset``, else
    the one the images come from (``data``), else its first."""
    if benchmark is None:
        return None, None
    table = load_table(space_name, benchmark)
    chosen = dataset or (data if data in table.datasets else table.datasets[0])
    table.check_dataset(chosen)
    return table, chosen


__all__ = ["TABLES", "AccuracyTable", "load_table", "open_table", "register_table"]
