"""What a training-free search maximises: one score, or a zero-label combination of several.

A combination (``rank_product`` of naswot and synflow, say) ranks an architecture among the others, so
its value depends on the population it is judged in: a search recomputes it over everything it has
evaluated so far, and the best architecture can change as the population grows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from naswot.ensemble import check_ensemble, zero_label_ensemble
from naswot.scores import get_score

Combiner = Callable[[Mapping[str, Sequence[float]]], np.ndarray]


@dataclass(frozen=True)
class Fitness:
    """The scores to compute (``members``) and how a population's member scores become one fitness each."""

    text: str
    members: tuple[str, ...]
    combine: Combiner | None = None
    """None: the single member's value is the fitness (it does not depend on the population)."""

    @property
    def population_level(self) -> bool:
        return self.combine is not None

    def values(self, columns: Mapping[str, Sequence[float]]) -> np.ndarray:
        """The fitness of every architecture of a population, from its member scores (name -> values)."""
        if self.combine is None:
            return np.asarray(columns[self.members[0]], dtype=np.float64)
        return np.asarray(self.combine({name: columns[name] for name in self.members}), dtype=np.float64)

    @classmethod
    def score(cls, name: str) -> Fitness:
        get_score(name)
        return cls(name, (name,))

    @classmethod
    def zero_label(cls, method: str, members: Sequence[str]) -> Fitness:
        """A rank ensemble of ``members`` (``rank_mean`` or ``rank_product``): no labels, no training."""
        check_ensemble(method, len(members))
        for name in members:
            get_score(name)
        return cls(f"{method}({','.join(members)})", tuple(members), lambda columns: zero_label_ensemble(method, columns))


def parse_fitness(text: str) -> Fitness:
    """A fitness from its text: a score name, or ``rank_mean(a,b,...)`` / ``rank_product(a,b,...)``."""
    text = text.strip()
    method, bracket, rest = text.partition("(")
    if not bracket:
        return Fitness.score(text)
    members = [name.strip() for name in rest.removesuffix(")").split(",") if name.strip()]
    return Fitness.zero_label(method.strip(), members)
