"""The strategy interface, its registry, and ``run_search``: the one entry point that checks input and runs one.

A strategy is a small frozen dataclass of its options (population, sample size, ...) with an
``explore`` method that spends a ``SearchLog``; the log enforces ``n`` and the time budget and
records the trajectory, so every strategy ends, resumes and reports the same way.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import Any, ClassVar, TypeVar

import numpy as np

from naswot.costs import COSTS
from naswot.errors import NaswotError
from naswot.registry import Registry
from naswot.scores.expressions import ScoreExpression
from naswot.searching.log import SearchLog
from naswot.searching.pareto import pareto_front
from naswot.searching.problem import SearchProblem
from naswot.searching.run import SearchRun


class SearchStrategy(ABC):
    name: ClassVar[str]
    summary: ClassVar[str]
    needs_table: ClassVar[bool] = False
    counts_trained: ClassVar[bool] = False
    """``n`` counts trained networks (table lookups) rather than scored ones."""
    fitness: ScoreExpression | None = None
    """The training-free fitness it scores with (None: it only trains)."""

    def networks_to_score(self, n: int | None) -> int | None:
        """How many networks a run with ``n`` evaluations scores without training (None: not known beforehand)."""
        return n if self.fitness is not None and not self.counts_trained else None

    @abstractmethod
    def explore(self, log: SearchLog, rng: np.random.Generator) -> None:
        """Evaluate architectures through ``log`` until ``log.done`` (or nothing is left to try)."""

    def settings(self) -> dict[str, Any]:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return {key: value.name if isinstance(value, ScoreExpression) else value for key, value in fields.items()}


S = TypeVar("S", bound=type[SearchStrategy])
STRATEGIES: Registry[type[SearchStrategy]] = Registry("strategy", builtins=[
    f"naswot.searching.{module}" for module in ("sampling", "rea", "area", "evolve")],
    listed_by="naswot list strategies")


def register_strategy(cls: S) -> S:
    """Register a strategy class under its ``name``."""
    STRATEGIES.register(cls.name, cls)
    return cls


def get_strategy(name: str) -> type[SearchStrategy]:
    return STRATEGIES.get(name)


def strategy_names() -> list[str]:
    return STRATEGIES.names()


def run_search(problem: SearchProblem, strategy: SearchStrategy, *, n: int | None = None,
               budget_seconds: float | None = None, seed: int = 0, pareto: str | None = None) -> SearchRun:
    """Run ``strategy`` on ``problem`` (seeded) for ``n`` evaluations and/or ``budget_seconds``; refuse bad input first.

    ``pareto`` (``params``, ``flops`` or ``latency``) adds the front of score against that cost over
    everything evaluated.
    """
    check_limits(problem, strategy, n, budget_seconds)
    if pareto is not None and pareto not in COSTS:
        raise NaswotError(f"pareto={pareto!r} is not a cost: use pareto={' or '.join(COSTS)}")
    log = SearchLog(problem, strategy.fitness, n, budget_seconds, strategy.counts_trained)
    strategy.explore(log, np.random.default_rng(seed))
    run = log.finish(strategy.name, {**strategy.settings(), "n": n, "budget_seconds": budget_seconds, "seed": seed,
                                     "counts": "trained" if strategy.counts_trained else "scored",
                                     "space": problem.space.spec(), "dataset": problem.dataset})
    if pareto is not None:
        run.pareto = pareto_front(run, log, pareto)
    return run


def check_limits(problem: SearchProblem, strategy: SearchStrategy, n: int | None, budget_seconds: float | None) -> None:
    if n is None and budget_seconds is None:
        raise NaswotError("a search needs a limit: give n= (evaluations) or budget_seconds= (seconds)")
    if n is not None and n < 1:
        raise NaswotError(f"n={n} evaluates nothing: use n=1 or more")
    if budget_seconds is not None and budget_seconds <= 0:
        raise NaswotError(f"budget_seconds={budget_seconds} leaves no time: give a positive number of seconds")
    if strategy.needs_table and problem.table is None:
        raise NaswotError(f"the {strategy.name} strategy trains networks by looking up their accuracy: "
                          "pass benchmark= the space's accuracy table (or use strategy=evolve)")
    if strategy.needs_table and budget_seconds is not None and not problem.has_training_times():
        raise NaswotError(f"{problem.table.source} has no training times, so {strategy.name}'s budget must be "  # type: ignore[union-attr]
                          "in evaluations: drop budget_seconds= and give n= (the papers' 12,000 s are about 150)")
