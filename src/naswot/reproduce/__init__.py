"""Regenerate the seed documents' tables and figures: one item per table or figure set, one registry.

``reproduce(name, settings)`` runs one item (or ``all``) and writes, for each, ``<item>.md``,
``<item>.json`` and its PNGs into ``settings.out``; every row puts our number beside the seed's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from naswot.errors import NaswotError
from naswot.reproduce import thesis_table5_1, v1_figures, v1_table1, v2_nb101, v2_table2
from naswot.reproduce.common import ItemResult, Row, Settings, write_result

ITEMS: dict[str, Callable[[Settings], ItemResult]] = {
    "v1-table1": v1_table1.run,
    "v2-table2": v2_table2.run,
    "v2-nb101": v2_nb101.run,
    "v1-figures": v1_figures.run,
    "thesis-table5.1": thesis_table5_1.run,
}
ALL = "all"


@dataclass(frozen=True)
class Reproduction:
    """The items that ran, each already written to the output folder."""

    items: list[ItemResult]


def item_names() -> list[str]:
    return [*ITEMS, ALL]


def reproduce(name: str, settings: Settings) -> Reproduction:
    """Run item ``name`` (or every item for ``all``), writing each one's files as soon as it finishes."""
    if name not in item_names():
        raise NaswotError(f"unknown item {name!r}: choose one of {', '.join(item_names())}")
    settings.check()
    names = list(ITEMS) if name == ALL else [name]
    return Reproduction([write_result(ITEMS[item](settings), settings.out) for item in names])


__all__ = ["ITEMS", "ItemResult", "Reproduction", "Row", "Settings", "item_names", "reproduce"]
