"""``rea``: regularised evolution on the benchmark table's accuracy, the papers' non-training-free baseline.

Every accuracy lookup stands for training one network, so ``n`` counts lookups and a budget counts
the table's training seconds (the NAS-Bench-201 papers give 12,000 s). Defaults P = 10, S = 3 are
those of NAS-Bench-201's REA runs (Dong & Yang, 2020), which the NASWOT papers quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import ClassVar

import numpy as np

from naswot.search.evolution import accuracy_fitness, regularised_evolution
from naswot.search.run import SearchLog
from naswot.search.strategy import SearchStrategy, register_strategy
from naswot.search.validation import check_positive


@register_strategy
@dataclass(frozen=True)
class RegularisedEvolution(SearchStrategy):
    name: ClassVar[str] = "rea"
    summary: ClassVar[str] = "regularised evolution on trained accuracy (table lookups count as training)"
    needs_table: ClassVar[bool] = True
    counts_trained: ClassVar[bool] = True
    population: int = 10
    sample: int = 3

    def __post_init__(self) -> None:
        check_positive(population=self.population, sample=self.sample)

    def explore(self, log: SearchLog, rng: np.random.Generator) -> None:
        initial = log.train(list(islice(log.problem.draws(rng), self.population)))
        regularised_evolution(log, rng, initial, self.sample, log.train, accuracy_fitness(log),
                              log.problem.can_train)
