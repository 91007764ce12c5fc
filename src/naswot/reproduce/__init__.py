"""Regenerate the seed documents' tables and figures: one item per table or figure set, one registry.

``reproduce(name, settings)`` runs one item (or ``all``) and writes, for each, ``<item>.md``,
``<item>.json`` and its PNGs into ``settings.out``; every row puts our number beside the seed's.
"""

from __future__ import annotations

from dataclasses import dataclass

from naswot.errors import NaswotError
from naswot.reproduce.common import ItemResult, Row, Settings, write_result
from naswot.reproduce.items import ITEMS

ALL = "all"


@dataclass(frozen=True)
class Reproduction:
    """The items that ran, each already written to the output folder."""

    items: list[ItemResult]


def item_names() -> list[str]:
    return [*ITEMS.names(), ALL]


def reproduce(name: str, settings: Settings) -> Reproduction:
    """Run item ``name`` (or every item for ``all``), writing each one's files as soon as it finishes."""
    if name not in item_names():
        raise NaswotError(f"unknown item {name!r}: choose one of {', '.join(item_names())}")
    settings.check()
    names = ITEMS.names() if name == ALL else [name]
    return Reproduction([write_result(ITEMS.get(item)(settings), settings.out) for item in names])


__all__ = ["ITEMS", "ItemResult", "Reproduction", "Row", "Settings", "item_names", "reproduce"]
