"""``area``: Assisted REA (NASWOT v2): score M random networks untrained, seed REA with the top P, evolve on accuracy.

The scores cost their compute seconds and are not counted in ``n``, which counts trained networks
(the P seeds and every child), as in ``rea``. M = 1000 follows our reading of the v2 paper; the
seed text in ../shared (a slide deck) quotes AREA's results but not its settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from naswot.scores.expressions import ScoreExpression, parse_score
from naswot.searching.evolution import TrainedEvolution, accuracy_fitness, regularised_evolution
from naswot.searching.log import SearchLog
from naswot.searching.strategy import register_strategy
from naswot.searching.validation import check_positive


@register_strategy
@dataclass(frozen=True)
class AssistedRegularisedEvolution(TrainedEvolution):
    name: ClassVar[str] = "area"
    summary: ClassVar[str] = "REA seeded with the top P of M architectures scored without training"
    m: int = 1000
    fitness: ScoreExpression = field(default_factory=lambda: parse_score("naswot"))

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(m=self.m)

    def networks_to_score(self, n: int | None) -> int | None:
        return self.m

    def explore(self, log: SearchLog, rng: np.random.Generator) -> None:
        scored = log.score(log.take(log.problem.draws(rng), self.m))
        if not scored:
            return
        ranking = np.argsort(-log.fitness_of(scored), kind="stable")  # ties: the first scored first
        seeds = [log.history[scored[i]].arch for i in ranking[: self.population]]
        regularised_evolution(log, rng, log.train(seeds), self.sample, log.train, accuracy_fitness(log),
                              log.can_train)
