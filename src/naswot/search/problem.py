"""What a strategy searches: the space, where scores come from, the accuracy table, the candidates, the budget."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from naswot.search.budget import Budget
from naswot.search.evaluators import Evaluator
from naswot.spaces.base import Arch, SearchSpace
from naswot.tables.base import AccuracyTable


@dataclass
class SearchProblem:
    """What a strategy searches: the space, where scores come from, and (optionally) the accuracy table.

    ``candidates`` restricts the search to a set of architectures: a partial table's (NAS-Bench-101's
    sample, an NDS file) by default, or a scored pool. ``budget`` admits only networks within its limits.
    """

    space: SearchSpace
    evaluator: Evaluator
    table: AccuracyTable | None = None
    dataset: str | None = None
    candidates: Sequence[Arch] | None = None
    budget: Budget | None = None

    def __post_init__(self) -> None:
        if self.table is not None:
            self.dataset = self.dataset or self.table.datasets[0]
            self.table.check_dataset(self.dataset)
            if self.candidates is None:
                self.candidates = self.table.archs()
        self._members = None if self.candidates is None else frozenset(self.candidates)

    def accuracy(self, arch: Arch) -> float | None:
        return None if self.table is None else self.table.lookup(arch, self.dataset)  # type: ignore[arg-type]

    def training_seconds(self, arch: Arch) -> float | None:
        return None if self.table is None else self.table.training_seconds(arch, self.dataset)  # type: ignore[arg-type]

    def has_training_times(self) -> bool:
        return self.training_seconds(next(iter(self.draws(np.random.default_rng(0))))) is not None

    def can_score(self, arch: Arch) -> bool:
        """Whether ``arch`` is among the candidates (always, without a restriction)."""
        return self._members is None or arch in self._members

    def can_train(self, arch: Arch) -> bool:
        """Whether the table holds the accuracy that stands in for training ``arch``."""
        return self.accuracy(arch) is not None

    def draws(self, rng: np.random.Generator) -> Iterable[Arch]:
        """Distinct architectures in random order (seeded) until the space or the candidates run out."""
        if self.candidates is not None:
            yield from (self.candidates[i] for i in rng.permutation(len(self.candidates)))
            return
        seen: set[Arch] = set()
        while len(seen) < len(self.space):
            arch = self.space.sample(rng)
            if arch not in seen:
                seen.add(arch)
                yield arch
