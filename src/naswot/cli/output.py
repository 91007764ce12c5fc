"""What every command prints or writes: tables on stdout, JSON and CSV files, the store's account of a run."""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Column

from naswot.errors import NaswotError

# Piped output keeps architecture strings on one line; a terminal folds them to its width.
console = Console(width=None if sys.stdout.isatty() else 240, emoji=False)


def fmt(value: float | None) -> str:
    """A score or accuracy for a table cell: '-' when unknown, '-inf' when undefined."""
    if value is None:
        return "-"
    return "-inf" if math.isinf(value) else f"{value:.6g}"


def number_column(values: list[float | None]) -> list[str]:
    """One column's numbers in one format, so ``1.08459e+06`` never stands beside ``696618``.

    Each value as ``fmt`` writes it while none needs an exponent; otherwise whole numbers get thousands
    separators, and a column spanning many decades (synflow's 1e37 beside 1e-3) is all in scientific notation.
    """
    cells = [fmt(v) for v in values]
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not any("e" in cell for v, cell in zip(values, cells) if v is not None and math.isfinite(v)):
        return cells
    shape = "{:,.0f}" if all(v == round(v) and abs(v) < 1e15 for v in finite) else "{:.4e}"
    return [shape.format(v) if v is not None and math.isfinite(v) else cell for v, cell in zip(values, cells)]


def arch_column(header: str = "architecture") -> Column:
    """A column that folds a long architecture string over lines instead of cutting it to "…"."""
    return Column(header, overflow="fold")


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
