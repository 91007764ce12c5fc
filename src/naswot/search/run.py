"""A search's record: every evaluation in order, the best-so-far trajectory, and the limits that end it.

Two kinds of evaluation exist. Scoring an untrained network costs the stored compute seconds of its
scores. "Training" one is a lookup of its accuracy in the benchmark table, as the papers simulate
REA; it costs the table's training seconds, or an unknown time when the table has none (then budgets
are in evaluations). The best-so-far is what the strategy would answer at that moment: the most
accurate trained network once any is trained, before that the best by training-free fitness.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from naswot.errors import NaswotError
from naswot.outputs import finite_or_none
from naswot.scores.expressions import ScoreExpression
from naswot.search.evaluators import Evaluator
from naswot.spaces.base import Arch, SearchSpace
from naswot.tables.base import AccuracyTable


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
class SearchProblem:
    """What a strategy searches: the space, where scores come from, and (optionally) the accuracy table.

    ``candidates`` restricts the search to a set of architectures: a partial table's (NAS-Bench-101's
    sample, an NDS file) by default, or a scored pool.
    """

    space: SearchSpace
    evaluator: Evaluator
    table: AccuracyTable | None = None
    dataset: str | None = None
    candidates: Sequence[Arch] | None = None

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
            "history": [{"arch": str(e.arch), "scores": {k: finite_or_none(v) for k, v in e.scores.items()},
                         "fitness": finite_or_none(f), "accuracy": e.accuracy, "seconds": e.seconds, "trained": e.trained}
                        for e, f in zip(self.history, self.fitness)],
            "trajectory": [{"evaluations": p.evaluations, "trained": p.trained, "seconds": p.seconds,
                            "best_score": finite_or_none(p.best_score), "best_accuracy": p.best_accuracy}
                           for p in self.trajectory],
        }


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
                         computed=evaluator.computed, reused=evaluator.reused)

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
