"""``evolve``: regularised evolution with a training-free fitness: no labels, no training, only scores.

The fitness is one score or a zero-label combination (``rank_product(naswot,synflow)``), the latter
judged among everything evaluated so far. ``n`` counts scored networks, a budget their compute seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from naswot.scores.expressions import ScoreExpression, parse_score
from naswot.search.evolution import EvolutionStrategy, regularised_evolution
from naswot.search.log import SearchLog
from naswot.search.strategy import register_strategy


@register_strategy
@dataclass(frozen=True)
class ScoreEvolution(EvolutionStrategy):
    name: ClassVar[str] = "evolve"
    summary: ClassVar[str] = "regularised evolution on a training-free score (no labels, no training)"
    fitness: ScoreExpression = field(default_factory=lambda: parse_score("naswot"))

    def explore(self, log: SearchLog, rng: np.random.Generator) -> None:
        initial = log.score(log.take(log.problem.draws(rng), self.population))
        regularised_evolution(log, rng, initial, self.sample, log.score, log.fitness_of, log.can_score)
