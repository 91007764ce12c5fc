"""The seeds' search (Algorithm 1 of NASWOT v2, Algorithm 2 of v1): sample N, score each, keep the best."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.executor import Compute, ScoreTable, score_architectures
from naswot.scores.expressions import ScoreExpression, parse_score
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


def random_search(
    space: SearchSpace,
    score: str | ScoreExpression,
    batch: Batch,
    n: int,
    *,
    seed: int = 0,
    store: Store | None = None,
    compute: Compute = Compute(),
    budget_seconds: float | None = None,
) -> SearchResult:
    """Score ``n`` distinct random architectures (seeded) and rank them by ``score``, highest first.

    Ties keep the order of sampling, so the first-drawn of equally scored architectures wins, as in
    Algorithm 1's strict ``score > best_score``. A combination of scores ranks within the scored sample.
    """
    expression = parse_score(score) if isinstance(score, str) else score
    archs = sample_distinct(space, n, np.random.default_rng(seed))
    table = score_architectures(space, archs, expression.members, batch, seed=seed, store=store, compute=compute,
                                budget_seconds=budget_seconds)
    done = [a for a in archs if all(str(a) in table.results[member] for member in expression.members)]
    values = expression.combine({member: table.values(member, done) for member in expression.members})
    reasons = [None if expression.is_combination else table.results[expression.name][str(a)].reason for a in done]
    scored = list(zip(done, map(float, values), reasons))
    if not scored:
        raise NaswotError(f"the time budget of {budget_seconds} s ended before one architecture was scored: raise --budget")
    scored.sort(key=lambda item: item[1], reverse=True)
    return SearchResult(scored, len(archs), table)
