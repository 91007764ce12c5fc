"""What every command prints or writes: tables on stdout, JSON and CSV files, the store's account of a run."""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from naswot.errors import NaswotError

# Piped output keeps architecture strings on one line; a terminal folds them to its width.
console = Console(width=None if sys.stdout.isatty() else 240, emoji=False)


def fmt(value: float | None) -> str:
    """A score or accuracy for a table cell: '-' when unknown, '-inf' when undefined."""
    if value is None:
        return "-"
    return "-inf" if math.isinf(value) else f"{value:.6g}"


def run_account(seconds: float, computed: int, reused: int) -> str:
    """How long a run took, saying which results came from the store instead of showing a rerun as "(0.0 s)"."""
    if reused and not computed:
        return f"all {reused:,} from the store"
    if reused:
        return f"{seconds:.1f} s; {reused:,} of {computed + reused:,} from the store"
    return f"{seconds:.1f} s"


def write_json(path: str | None, payload: dict[str, Any]) -> None:
    if path is None:
        return
    try:
        Path(path).write_text(json.dumps(payload, indent=2) + "\n")
    except OSError as exc:
        raise NaswotError(f"cannot write {path} ({exc.strerror}): pass a writable --json path") from None
    console.print(f"wrote {path}")


def write_csv(path: str | None, header: list[str], rows: list[list[Any]]) -> None:
    if path is None:
        return
    try:
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as exc:
        raise NaswotError(f"cannot write {path} ({exc.strerror}): pass a writable --csv path") from None
    console.print(f"wrote {path}")
