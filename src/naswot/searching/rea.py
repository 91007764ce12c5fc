"""``rea``: regularised evolution on the benchmark table's accuracy, the papers' non-training-free baseline.

Every accuracy lookup stands for training one network, so ``n`` counts lookups and a budget counts
the table's training seconds (the NAS-Bench-201 papers give 12,000 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from naswot.searching.evolution import TrainedEvolution, accuracy_fitness, regularised_evolution
from naswot.searching.log import SearchLog
from naswot.searching.strategy import register_strategy


@register_strategy
@dataclass(frozen=True)
class RegularisedEvolution(TrainedEvolution):
    name: ClassVar[str] = "rea"
    summary: ClassVar[str] = "regularised evolution on trained accuracy (table lookups count as training)"
    def explore(self, log: SearchLog, rng: np.random.Generator) -> None:
        initial = log.train(log.take(log.problem.draws(rng), self.population))
        regularised_evolution(log, rng, initial, self.sample, log.train, accuracy_fitness(log),
                              log.can_train)
