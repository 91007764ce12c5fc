"""A result store as the report shows it: every score of an architecture on one row.

The store keeps one group per space, score, data fingerprint, seed and settings; scores of different
groups compare only when their space, data and seed agree. So the groups that agree are joined into
one table (``ScoreTable``), an architecture per row and a score per column, ranked by its first
training-free score: naswot beside its params and FLOPs, not in three separate lists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from naswot.report.figures import histogram_png
from naswot.report.html import Fragment, collapsed, figure_row, heading, image, join, records_table, si, text
from naswot.results import ResultGroup, list_results

SIZES = ("params", "flops")
"""Scores that count the network rather than judge it: shown as counts, never used to rank a table."""
_HISTOGRAM_AT_LEAST = 10
"""Fewer finite values than this make no distribution worth drawing (a single architecture, a handful)."""
_ROWS = 12
_ALL_ROWS_AT_MOST = 1000


@dataclass(frozen=True)
class ScoreTable:
    """The groups of one space, data batch and seed: their scores join by architecture."""

    space: str
    data: str
    seed: int
    groups: tuple[ResultGroup, ...]

    @cached_property
    def columns(self) -> list[str]:
        """A column per group, named by its score; a score stored under two settings is numbered."""
        names = [group.score for group in self.groups]
        return [name if names.count(name) == 1 else f"{name} #{names[:i + 1].count(name)}" for i, name in enumerate(names)]

    @cached_property
    def values(self) -> dict[str, dict[str, float]]:
        """Architecture -> column -> value (-inf where undefined), architectures in first-seen order."""
        joined: dict[str, dict[str, float]] = {}
        for column, group in zip(self.columns, self.groups):
            for result in group.results:
                joined.setdefault(result.arch, {})[column] = result.value
        return joined

    @property
    def ranking(self) -> str:
        """The column that orders the rows: the first training-free score, the first column when there is none."""
        judged = [column for column, group in zip(self.columns, self.groups) if group.score not in SIZES]
        return (judged or self.columns)[0]

    def ranked(self) -> list[tuple[str, dict[str, float]]]:
        """The architectures best first by ``ranking``; those it has no finite value for come last."""
        def key(item: tuple[str, dict[str, float]]) -> float:
            value = item[1].get(self.ranking, -math.inf)
            return -value if math.isfinite(value) else math.inf

        return sorted(self.values.items(), key=key)

    @property
    def title(self) -> str:
        return f"{self.space} · seed {self.seed} · data {self.data}"


def score_tables(groups: Sequence[ResultGroup]) -> list[ScoreTable]:
    """The listing's groups joined by space, data fingerprint and seed (in the listing's order)."""
    keyed: dict[tuple[str, str, int], list[ResultGroup]] = {}
    for group in groups:
        keyed.setdefault((group.space, group.data, group.seed), []).append(group)
    return [ScoreTable(space, data, seed, tuple(members)) for (space, data, seed), members in keyed.items()]


def read_store(path: Path) -> list[ScoreTable]:
    return score_tables(list_results(path).groups)


def matching(tables: Sequence[ScoreTable], space: object, data: object, seed: object) -> ScoreTable | None:
    """The stores' table of one run key (what a search JSON names), if a store in the folder holds it."""
    return next((table for table in tables if (table.space, table.data, table.seed) == (space, data, seed)), None)


def shown_value(column: str, value: Any) -> Any:
    """A size as a count with its prefix (1.08 M), any other score as it is."""
    if column.split(" #")[0] in SIZES and isinstance(value, (int, float)) and not isinstance(value, bool):
        return si(value)
    return value


def render_store(path: Path, *, level: int, open_tables: bool) -> Fragment:
    """The store's groups (one overview row each), then one joined table per space, data and seed.

    ``open_tables`` shows each table's best rows and histograms on the page (the store is the page's
    subject); otherwise each table is one line to open (it backs a search shown above).
    """
    listing = list_results(path)
    tables = score_tables(listing.groups)
    overview = [{"space": g.space, "score": g.score, "seed": g.seed, "data": g.data, "settings": g.settings_text,
                 "stored": g.count, "undefined": g.undefined} for g in listing.groups]
    reasons = [f"{group.score}: {count} undefined because {reason}"
               for group in listing.groups for reason, count in group.reasons.items()]
    parts = [text(f"{listing.stored:,} results in {len(listing.groups)} groups; a score compares only within its space, "
                  "data fingerprint and seed, so the groups that share them are joined below"),
             records_table(overview, note=" (store groups)"), *(text(line) for line in reasons)]
    for table in tables:
        body = _table(table)
        summary = f"{table.title}: {len(table.values):,} architectures × {', '.join(table.columns)}"
        parts.append(heading(table.title, level) + body if open_tables else collapsed(summary, body))
    return join(parts)


def _table(table: ScoreTable) -> Fragment:
    ranked = table.ranked()
    columns = sorted(table.columns, key=lambda column: (column != table.ranking, column.split(" #")[0] in SIZES))
    rows = [{"rank": rank, "arch": arch, **{column: shown_value(column, values.get(column)) for column in columns}}
            for rank, (arch, values) in enumerate(ranked[:_ALL_ROWS_AT_MOST], start=1)]
    best = records_table(rows[:_ROWS])
    rest = (records_table(rows, limit=_ALL_ROWS_AT_MOST, shown=0, note=f" (every stored architecture, by {table.ranking})")
            if len(rows) > _ROWS else Fragment())
    shown = f"best {min(_ROWS, len(rows))} of {len(ranked):,} by {table.ranking}"
    return text(shown) + best + rest + figure_row([_histogram(table, group, column)
                                                   for group, column in zip(table.groups, table.columns)])


def _histogram(table: ScoreTable, group: ResultGroup, column: str) -> Fragment:
    values = [result.value for result in group.results]
    if sum(math.isfinite(value) for value in values) < _HISTOGRAM_AT_LEAST:
        return Fragment()
    png = histogram_png(values, title=f"{column} on {table.space}, seed {table.seed}", xlabel=column, undefined=group.undefined,
                        counts=group.score in SIZES)
    return image(png, f"{column} of {group.count:,} architectures")

