"""The reproduction items, by name: one per table or figure set of the seed documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from naswot.registry import Registry

if TYPE_CHECKING:
    from naswot.reproduce.common import ItemResult, Settings

ITEMS: Registry[Callable[[Settings], ItemResult]] = Registry("reproduction item", builtins=[
    f"naswot.reproduce.{module}" for module in ("v1_table1", "v2_table2", "v2_nb101", "v1_figures", "thesis_table5_1")])
