"""The seeds' search (Algorithm 1 of NASWOT v2, Algorithm 2 of v1): sample N, score each, keep the best."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import ClassVar

import numpy as np

from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.executor import ScoreTable, score_architectures
from naswot.search.fitness import Fitness
from naswot.search.run import SearchLog
from naswot.search.strategy import SearchStrategy, register_strategy
from naswot.spaces.base import Arch, SearchSpace
from naswot.store import Store


@dataclass(frozen=True)
class SearchResult:
    """The scored architectures, best first, as (arch, score, reason for -inf)."""

    ranked: list[tuple[Arch, float, str | None]]
    sampled: int
    table: ScoreTable

    @property
    def complete(self) -> bool:
        """False when the time budget ended the search before every sampled architecture was scored."""
        return self.table.complete


def sample_distinct(space: SearchSpace, n: int, rng: np.random.Generator) -> list[Arch]:
    """``n`` different architectures drawn uniformly (all of them when the space is smaller than ``n``)."""
    n = min(n, len(space))
    chosen: dict[Arch, None] = {}
    while len(chosen) < n:
        chosen.setdefault(space.sample(rng))
    return list(chosen)


BUDGET_CHUNK = 16
"""Under a time budget, architectures are scored this many at a time, so little is scored past the budget."""


@register_strategy
@dataclass(frozen=True)
class RandomSampling(SearchStrategy):
    """Algorithm 1: score distinct random architectures, keep the best (the first drawn wins a tie)."""

    name: ClassVar[str] = "random"
    summary: ClassVar[str] = "score N random architectures, keep the best (NASWOT's Algorithm 1)"
    fitness: Fitness = field(default_factory=lambda: Fitness.score("naswot"))

    def explore(self, log: SearchLog, rng: np.random.Generator) -> None:
        draws = iter(log.problem.draws(rng))
        while not log.done:
            size = log.remaining if log.budget_seconds is None else min(BUDGET_CHUNK, log.remaining or BUDGET_CHUNK)
            archs = list(islice(draws, size))
            if not archs:
                return
            log.score(archs)


def random_search(
    space: SearchSpace,
    score: str,
    batch: Batch,
    n: int,
    *,
    seed: int = 0,
    store: Store | None = None,
    workers: int | None = None,
    budget_seconds: float | None = None,
    show_progress: bool = True,
) -> SearchResult:
    """Score ``n`` distinct random architectures (seeded) and rank them by ``score``, highest first.

    Ties keep the order of sampling, so the first-drawn of equally scored architectures wins, as in
    Algorithm 1's strict ``score > best_score``.
    """
    archs = sample_distinct(space, n, np.random.default_rng(seed))
    table = score_architectures(space, archs, [score], batch, seed=seed, store=store, workers=workers,
                                budget_seconds=budget_seconds, show_progress=show_progress)
    results = table.results[score]
    scored = [(a, results[str(a)].value, results[str(a)].reason) for a in archs if str(a) in results]
    if not scored:
        raise NaswotError(f"the time budget of {budget_seconds} s ended before one architecture was scored: raise --budget")
    scored.sort(key=lambda item: item[1], reverse=True)
    return SearchResult(scored, len(archs), table)
