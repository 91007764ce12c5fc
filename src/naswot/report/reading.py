"""JSON values read defensively: a report input from elsewhere may hold any shape where a field is expected.

Each reader returns the value when it has the expected type, else an empty or missing value, so a
hand-edited or hostile file renders what it can instead of raising a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def records(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a JSON list (anything else in it is skipped); empty when ``value`` is no list."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def number(value: Any) -> float | None:
    """A finite number, or None: null, text, booleans and infinities are no number here."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def count(value: Any) -> int | None:
    """A positive whole number, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
