"""What a result store holds, grouped by run and exported, without recomputing anything.

One store mixes runs: spaces, scores, data batches, seeds and code versions. Scores are comparable
only within one group (same space, score, data fingerprint, seed and settings), so listings and
exports keep the groups apart and name each group's key: a reader always sees which data, seed and
code a number belongs to.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from naswot.errors import NaswotError
from naswot.outputs import finite_or_none
from naswot.store import ResultKey, Store, StoredRow

CSV_HEADER = ["space", "score", "data", "seed", "settings", "rank", "arch", "value", "reason", "seconds", "created",
              "accuracy"]


@dataclass(frozen=True)
class StoredResult:
    """One architecture's stored score; ``value`` is -inf when the score is undefined, with ``reason``."""

    arch: str
    value: float
    reason: str | None
    seconds: float
    created: float
    accuracy: float | None = None
    """The trained accuracy from the table a listing was given (None without one, or when it lacks the cell)."""


@dataclass(frozen=True)
class ResultGroup:
    """The results of one run key, best first (only the best ``top`` when a listing asks for fewer)."""

    space: str
    score: str
    data: str
    seed: int
    settings: dict[str, Any]
    results: list[StoredResult]
    count: int
    reasons: dict[str, int]

    @property
    def undefined(self) -> int:
        return sum(self.reasons.values())

    @property
    def settings_text(self) -> str:
        """The settings as ``key=value`` pairs, e.g. ``code=96400a25a358 device=cpu num_classes=10``."""
        return " ".join(f"{key}={value}" for key, value in sorted(self.settings.items())) or "(none)"

    @property
    def title(self) -> str:
        return f"{self.space} · {self.score} · seed {self.seed} · data {self.data}"


@dataclass(frozen=True)
class ResultsListing:
    """The groups of a store that match the filters."""

    store: str
    space: str | None
    score: str | None
    top: int | None
    groups: list[ResultGroup]
    dataset: str | None = None
    """Whose trained accuracies the results carry, when a table was given."""

    @property
    def stored(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def shown(self) -> int:
        return sum(len(group.results) for group in self.groups)

    def to_json(self) -> dict[str, Any]:
        """JSON has no infinity: an undefined score is null, with its reason beside it."""
        return {
            "store": self.store, "space": self.space, "score": self.score, "top": self.top,
            "groups": [{
                "space": g.space, "score": g.score, "data": g.data, "seed": g.seed, "settings": g.settings,
                "count": g.count, "undefined": g.undefined, "reasons": g.reasons,
                "results": [{"arch": r.arch, "value": finite_or_none(r.value), "reason": r.reason,
                             "seconds": r.seconds, "created": _iso(r.created), "accuracy": r.accuracy}
                            for r in g.results],
            } for g in self.groups],
        }

    def csv_rows(self) -> list[list[Any]]:
        """One row per result under :data:`CSV_HEADER`; an undefined score is written as ``-inf``."""
        return [[g.space, g.score, g.data, g.seed, ResultKey.settings_text(g.settings), rank, r.arch, r.value, r.reason or "",
                 r.seconds, _iso(r.created), r.accuracy]
                for g in self.groups for rank, r in enumerate(g.results, start=1)]


def list_results(
    store: str | Path, *, space: str | None = None, score: str | None = None, top: int | None = None,
    benchmark: str | Path | None = None, dataset: str | None = None,
) -> ResultsListing:
    """The store's results by run key, best first, keeping the best ``top`` of each group when given.

    ``space`` matches a space name with any settings (``nasbench201`` matches ``nasbench201:C=8,N=1``)
    or one exact spec. Nothing matching is an error that names what the store does hold. ``benchmark``
    (the space's accuracy table) adds each result's trained accuracy on ``dataset`` (default: the table's first).
    """
    if top is not None and top < 1:
        raise NaswotError(f"top={top} keeps nothing: use top=1 or more (or leave it out for every result)")
    with Store(store, readonly=True) as opened:
        rows = opened.rows(space, score)
        if not rows:
            raise NaswotError(_nothing_found(Path(store), space, score, opened.rows()))
    groups: dict[ResultKey, list[StoredRow]] = {}
    for row in rows:  # rows come sorted by key, then best first
        groups.setdefault(row.key, []).append(row)
    listing = ResultsListing(str(store), space, score, top, [_group(key, members, top) for key, members in groups.items()])
    return listing if benchmark is None else _with_accuracies(listing, benchmark, dataset)


def _with_accuracies(listing: ResultsListing, benchmark: str | Path, dataset: str | None) -> ResultsListing:
    from naswot.spaces import get_space
    from naswot.tables import load_table

    names = {group.space.split(":")[0] for group in listing.groups}
    if len(names) > 1:
        raise NaswotError(f"benchmark= is one space's table but the listing holds {', '.join(sorted(names))}: "
                          "pass space= to list one of them")
    (name,) = names
    table = load_table(name, benchmark)
    chosen = dataset or table.datasets[0]
    table.check_dataset(chosen)
    groups = []
    for group in listing.groups:
        parse = get_space(group.space).parse
        results = [replace(result, accuracy=table.lookup(parse(result.arch), chosen)) for result in group.results]
        groups.append(replace(group, results=results))
    return replace(listing, groups=groups, dataset=chosen)


def _group(key: ResultKey, rows: list[StoredRow], top: int | None) -> ResultGroup:
    reasons = Counter(row.reason or "no reason stored" for row in rows if not math.isfinite(row.value))
    kept = rows if top is None else rows[:top]
    return ResultGroup(key.space, key.score, key.data, int(key.seed), _settings(key.settings),
                       [StoredResult(row.arch, float(row.value), row.reason, float(row.seconds), float(row.created))
                        for row in kept],
                       len(rows), dict(reasons.most_common()))


def _settings(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"settings": text}
    return value if isinstance(value, dict) else {"settings": value}


def _nothing_found(path: Path, space: str | None, score: str | None, held: list[StoredRow]) -> str:
    if not held:
        return f"the store {path} holds no results yet: run score, search or sweep with store={path}"
    asked = " and ".join(f"{option}={value}" for option, value in (("space", space), ("score", score)) if value)
    spaces = ", ".join(sorted({row.space for row in held}))
    scores = ", ".join(sorted({row.score for row in held}))
    return f"no results for {asked} in {path}: it holds spaces {spaces} and scores {scores}"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")
