"""A search's log: evaluates through the problem while its limits allow, and keeps every evaluation in order.

Two kinds of evaluation exist. Scoring an untrained network costs the stored compute seconds of its
scores. "Training" one is a lookup of its accuracy in the benchmark table, as the papers simulate
REA; it costs the table's training seconds, or an unknown time when the table has none (then budgets
are in evaluations). Under a resource budget, every architecture a strategy takes or breeds is first
checked against it (its costs measured through the store); rejected ones are counted and never evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from naswot.errors import NaswotError
from naswot.scores.expressions import ScoreExpression
from naswot.search.problem import SearchProblem
from naswot.search.run import Evaluation, SearchRun, TrajectoryPoint
from naswot.spaces.base import Arch

REJECTION_LIMIT = 10_000
"""Rejected draws after which a budget that has admitted nothing is declared to admit nothing."""


@dataclass
class SearchLog:
    """Evaluates through the problem while the limits allow and records each evaluation in order.

    ``n`` counts the evaluations of the kind the strategy spends (trained networks for REA and AREA,
    scored ones otherwise); ``budget_seconds`` counts every evaluation's seconds, and an evaluation
    is kept only if it ends within the budget. What is computed beyond a limit stays in the store.
    """

    problem: SearchProblem
    fitness: ScoreExpression | None
    n: int | None
    budget_seconds: float | None
    counts_trained: bool = False
    history: list[Evaluation] = field(default_factory=list)
    stopped_by_budget: bool = False
    rejected: int = 0
    """Draws and children refused by the resource budget."""
    costs: dict[str, dict[str, float]] = field(default_factory=dict)
    """Architecture text -> the costs measured for it (score name -> value)."""
    cost_seconds: float = 0.0
    """Compute seconds of the cost measurements (not part of ``budget_seconds``)."""
    _spent: float = 0.0
    _counted: int = 0

    @property
    def remaining(self) -> int | None:
        """How many more evaluations of the counted kind the limits allow: None without ``n``, 0 once spent."""
        if self.stopped_by_budget:
            return 0
        return None if self.n is None else self.n - self._counted

    @property
    def done(self) -> bool:
        return self.remaining == 0

    def take(self, archs: Iterable[Arch], k: int | None) -> list[Arch]:
        """The first ``k`` (all, for None) of ``archs`` within the resource budget, in their order."""
        archs = iter(archs)
        if not self.problem.budget:
            return list(islice(archs, k))
        taken: list[Arch] = []
        while k is None or len(taken) < k:
            chunk = list(islice(archs, 16 if k is None else k - len(taken)))
            if not chunk:
                break
            taken += [arch for arch, ok in zip(chunk, self.within_budget(chunk)) if ok]
        return taken

    def can_score(self, arch: Arch) -> bool:
        """Whether a strategy may score ``arch``: among the candidates and within the budget."""
        return self.problem.can_score(arch) and self.within_budget([arch])[0]

    def can_train(self, arch: Arch) -> bool:
        """Whether a strategy may "train" ``arch``: the table holds its accuracy and it is within the budget."""
        return self.problem.can_train(arch) and self.within_budget([arch])[0]

    def within_budget(self, archs: Sequence[Arch]) -> list[bool]:
        """For each architecture, whether every cost the budget limits is within it (measured cheapest first,
        each only while the others pass); a cost that cannot be measured is outside it."""
        budget = self.problem.budget
        allowed = [True] * len(archs)
        if not budget:
            return allowed
        pending = list(range(len(archs)))
        for score, limit in budget.limits.items():
            self._measure([archs[i] for i in pending], score)
            allowed_now = {i for i in pending if self.costs[str(archs[i])][score] <= limit}
            for i in pending:
                allowed[i] = i in allowed_now
            pending = [i for i in pending if i in allowed_now]
        self.rejected += allowed.count(False)
        if self.rejected >= REJECTION_LIMIT and not self.history and not any(allowed):
            raise NaswotError(self._nothing_within())
        return allowed

    def cost(self, archs: Sequence[Arch], score: str) -> list[float]:
        """The cost ``score`` (``params``, ``flops``, ``latency``) of each architecture, measured through the store."""
        self._measure(archs, score)
        return [self.costs[str(arch)][score] for arch in archs]

    def _measure(self, archs: Sequence[Arch], score: str) -> None:
        todo = list({str(arch): arch for arch in archs if score not in self.costs.get(str(arch), {})}.values())
        if not todo:
            return
        for arch, found in zip(todo, self.problem.evaluator.evaluate(todo, [score])):
            value = found[score].value
            self.costs.setdefault(str(arch), {})[score] = value if math.isfinite(value) else math.inf
            self.cost_seconds += found[score].seconds

    def _nothing_within(self) -> str:
        assert self.problem.budget is not None
        return (f"no architecture within the budget ({self.problem.budget.describe()}) among the {self.rejected:,} "
                "drawn: raise it")

    def score(self, archs: Sequence[Arch]) -> list[int]:
        """Score ``archs`` without training; the indices in ``history`` of those the limits admitted."""
        if self.fitness is None:
            raise NaswotError("this strategy has no training-free fitness to score with")
        archs = list(archs)[: self.remaining] if not self.counts_trained else list(archs)
        if not archs or self.stopped_by_budget:
            return []
        results = self.problem.evaluator.evaluate(archs, self.fitness.members)
        return self._admit(Evaluation(arch, {name: r.value for name, r in found.items()}, self.problem.accuracy(arch),
                                      sum(r.seconds for r in found.values()), trained=False)
                           for arch, found in zip(archs, results))

    def train(self, archs: Sequence[Arch]) -> list[int]:
        """"Train" ``archs``: look up their accuracies, each counting as one trained network."""
        archs = list(archs)[: self.remaining] if self.counts_trained else list(archs)
        evaluations = []
        for arch in archs:
            accuracy = self.problem.accuracy(arch)
            if accuracy is None:
                raise NaswotError(f"{arch} has no {self.problem.dataset} accuracy in the benchmark table: "
                                  "give a table that covers the space")
            evaluations.append(Evaluation(arch, {}, accuracy, self.problem.training_seconds(arch), trained=True))
        return self._admit(evaluations)

    def _admit(self, evaluations: Iterable[Evaluation]) -> list[int]:
        admitted = []
        for evaluation in evaluations:
            if self.budget_seconds is not None and self._spent + (evaluation.seconds or 0.0) > self.budget_seconds:
                self.stopped_by_budget = True
                break
            self._spent += evaluation.seconds or 0.0
            self._counted += evaluation.trained == self.counts_trained
            admitted.append(len(self.history))
            self.history.append(evaluation)
        return admitted

    def fitness_of(self, indices: Sequence[int]) -> np.ndarray:
        """The training-free fitness of the scored evaluations ``indices``, judged among all scored so far."""
        assert self.fitness is not None
        scored = [i for i, e in enumerate(self.history) if not e.trained]
        values = self.fitness.combine({name: [self.history[i].scores[name] for i in scored]
                                      for name in self.fitness.members})
        position = {i: k for k, i in enumerate(scored)}
        return values[[position[i] for i in indices]]

    def finish(self, strategy: str, settings: dict[str, Any]) -> SearchRun:
        if not self.history:
            if self.rejected:
                raise NaswotError(self._nothing_within())
            if self.budget_seconds is not None:
                raise NaswotError(f"the budget of {self.budget_seconds:g} s ended before one evaluation: raise budget_seconds=")
            raise NaswotError("nothing to evaluate: the space (or its table) holds no architecture the search can use")
        trajectory, best, best_score = self._trajectory()
        scored = [i for i, e in enumerate(self.history) if not e.trained]
        fitness: list[float | None] = [None] * len(self.history)
        for i, value in zip(scored, self.fitness_of(scored) if scored else []):
            fitness[i] = float(value)
        evaluator = self.problem.evaluator
        return SearchRun(strategy, settings, self.history, trajectory, self.history[best], best_score,
                         complete=self.n is None or not self.stopped_by_budget, fitness=fitness,
                         computed=evaluator.computed, reused=evaluator.reused, budget=self.problem.budget,
                         rejected=self.rejected, costs=self.costs, cost_seconds=self.cost_seconds)

    def _trajectory(self) -> tuple[list[TrajectoryPoint], int, float | None]:
        points: list[TrajectoryPoint] = []
        seconds: float | None = 0.0
        trained = 0
        best_trained: int | None = None
        scored: list[int] = []
        best, best_score = 0, None
        for index, evaluation in enumerate(self.history):
            seconds = None if seconds is None or evaluation.seconds is None else seconds + evaluation.seconds
            if evaluation.trained:
                trained += 1
                if best_trained is None or evaluation.accuracy > self.history[best_trained].accuracy:  # type: ignore[operator]
                    best_trained = index
            else:
                scored.append(index)
            if best_trained is not None:
                best, best_score = best_trained, None
            else:
                best, best_score = self._best_scored(scored, best, best_score)
            points.append(TrajectoryPoint(index + 1, trained, seconds, best_score, self.history[best].accuracy))
        return points, best, best_score

    def _best_scored(self, scored: list[int], best: int, best_score: float | None) -> tuple[int, float]:
        """Algorithm 1's pick among the scored so far: the first of the highest fitness."""
        assert self.fitness is not None
        latest = scored[-1]
        if not self.fitness.is_combination:
            value = self.history[latest].scores[self.fitness.members[0]]
            return (latest, value) if best_score is None or value > best_score else (best, best_score)
        values = self.fitness.combine({name: [self.history[i].scores[name] for i in scored] for name in self.fitness.members})
        top = int(np.argmax(values))
        return scored[top], float(values[top])
