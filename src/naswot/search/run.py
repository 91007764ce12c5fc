"""A search's record: every evaluation in order, the best-so-far trajectory, the pick, and what the budget rejected.

The best-so-far is what the strategy would answer at that moment: the most accurate trained network once
any is trained, before that the best by training-free fitness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from naswot.outputs import finite_or_none
from naswot.spaces.base import Arch

if TYPE_CHECKING:
    from naswot.search.budget import Budget
    from naswot.search.pareto import ParetoFront


@dataclass(frozen=True)
class Evaluation:
    arch: Arch
    scores: dict[str, float]
    """The training-free scores computed (empty for a trained network)."""
    accuracy: float | None
    """The table's accuracy (None without a table); a scored network's is for reporting, never seen by the search."""
    seconds: float | None
    """Compute seconds of the scores, or the table's training seconds; None when the table has no times."""
    trained: bool


@dataclass(frozen=True)
class TrajectoryPoint:
    evaluations: int
    trained: int
    seconds: float | None
    best_score: float | None
    best_accuracy: float | None


@dataclass
class SearchRun:
    """One seeded search: its settings, every evaluation, the trajectory, and the architecture it picks."""

    strategy: str
    settings: dict[str, Any]
    history: list[Evaluation]
    trajectory: list[TrajectoryPoint]
    best: Evaluation
    best_score: float | None
    complete: bool
    """False when the time budget ended the search before its ``n`` evaluations (a budget-only run is complete)."""
    fitness: list[float | None]
    """Each scored evaluation's training-free fitness judged among all the run scored (None for trained ones)."""
    computed: int = 0
    reused: int = 0
    budget: Budget | None = None
    rejected: int = 0
    """Draws and children the resource budget refused (never evaluated, never in ``history``)."""
    costs: dict[str, dict[str, float]] = field(default_factory=dict)
    """Architecture text -> the costs measured for the budget or the Pareto front (score name -> value)."""
    cost_seconds: float = 0.0
    pareto: ParetoFront | None = None

    @property
    def best_accuracy(self) -> float | None:
        return self.best.accuracy

    @property
    def seconds(self) -> float | None:
        return self.trajectory[-1].seconds

    def ranked(self) -> list[tuple[Evaluation, float | None]]:
        """Each evaluated architecture once with its fitness, best first: trained ones by accuracy, then the
        scored by fitness (the first evaluated wins a tie)."""
        def key(i: int) -> tuple[bool, float]:
            value = self.history[i].accuracy if self.history[i].trained else self.fitness[i]
            return not self.history[i].trained, -value if value is not None else math.inf

        order = sorted(range(len(self.history)), key=key)
        seen: set[Arch] = set()
        ranked = []
        for i in order:
            if self.history[i].arch not in seen:
                seen.add(self.history[i].arch)
                ranked.append((self.history[i], self.fitness[i]))
        return ranked

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy, "settings": self.settings, "complete": self.complete,
            "best": {"arch": str(self.best.arch), "score": finite_or_none(self.best_score), "accuracy": self.best.accuracy},
            "evaluations": len(self.history), "trained": self.trajectory[-1].trained, "seconds": self.seconds,
            "computed": self.computed, "reused": self.reused,
            "budget": self.budget.to_json() if self.budget else None, "rejected": self.rejected,
            "cost_seconds": self.cost_seconds, "pareto": self.pareto.to_json() if self.pareto else None,
            "history": [{"arch": str(e.arch), "scores": {k: finite_or_none(v) for k, v in e.scores.items()},
                         "fitness": finite_or_none(f), "accuracy": e.accuracy, "seconds": e.seconds, "trained": e.trained,
                         **({"costs": {k: finite_or_none(v) for k, v in self.costs[str(e.arch)].items()}}
                            if str(e.arch) in self.costs else {})}
                        for e, f in zip(self.history, self.fitness)],
            "trajectory": [{"evaluations": p.evaluations, "trained": p.trained, "seconds": p.seconds,
                            "best_score": finite_or_none(p.best_score), "best_accuracy": p.best_accuracy}
                           for p in self.trajectory],
        }
