"""``random``: the seeds' search (Algorithm 1 of NASWOT v2, Algorithm 2 of v1): sample N, score each, keep the best.

(The module is named for what it does, sampling, so that it does not shadow the standard library's ``random``.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from naswot.scores.expressions import ScoreExpression, parse_score
from naswot.search.log import SearchLog
from naswot.search.strategy import SearchStrategy, register_strategy
from naswot.spaces.base import Arch, SearchSpace


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
    """Algorithm 1: score distinct random architectures, keep the best (the first drawn wins a tie).

    A combination of scores ranks within everything scored so far, so its pick is the best of the sample.
    """

    name: ClassVar[str] = "random"
    summary: ClassVar[str] = "score N random architectures, keep the best (NASWOT's Algorithm 1)"
    fitness: ScoreExpression = field(default_factory=lambda: parse_score("naswot"))

    def explore(self, log: SearchLog, rng: np.random.Generator) -> None:
        draws = iter(log.problem.draws(rng))
        while not log.done:
            size = log.remaining if log.budget_seconds is None else min(BUDGET_CHUNK, log.remaining or BUDGET_CHUNK)
            archs = log.take(draws, size)
            if not archs:
                return
            log.score(archs)
