"""Writing results: output paths checked before any work, and JSON without infinities.

A finished run must never be lost to an unwritable path, so every output file is checked while the
inputs are. JSON has no infinity or NaN: an undefined score (``-inf``, with its reason beside it) is
written as null, by one function for every writer.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from naswot.errors import NaswotError


def check_writable(path: str | Path, parameter: str) -> Path:
    """``path`` as a Path once its folder exists and is writable and it is not itself a folder.

    ``parameter`` names the argument that gave the path (``out``, ``json``), so the message names the fix.
    """
    path = Path(path).expanduser()
    folder = path.resolve().parent
    if path.is_dir():
        raise NaswotError(f"{parameter}={path} is a folder: pass a file name")
    if not folder.is_dir():
        raise NaswotError(f"{parameter}={path}: the folder {path.parent} does not exist: create it or write elsewhere")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise NaswotError(f"{parameter}={path}: permission denied: pass a path in a writable folder")
    return path


def finite_or_none(value: float | None) -> float | None:
    """A number for JSON: None (null) when it is missing, infinite or NaN."""
    return None if value is None or not math.isfinite(value) else value


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float inside dicts, lists and tuples replaced by None."""
    if isinstance(value, float):
        return finite_or_none(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value
