"""Regularised evolution (Real et al., 2019), shared by REA, AREA and the training-free ``evolve``.

Each cycle draws ``sample_size`` members of the population at random (with replacement, as Real et
al.'s and NAS-Bench-201's code do), mutates the fittest of them in one choice, evaluates the child,
adds it and removes the oldest member: the population keeps its size and ages out old networks
whatever their fitness. Only the fitness differs between the strategies.
"""

from __future__ import annotations

from abc import ABC
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from naswot.searching.log import SearchLog
from naswot.searching.problem import SearchProblem
from naswot.searching.strategy import SearchStrategy
from naswot.searching.validation import check_positive
from naswot.spaces.base import Arch

MUTATION_TRIES = 50


@dataclass(frozen=True)
class EvolutionStrategy(SearchStrategy, ABC):
    """The options every regularised evolution shares: population P and tournament sample S.

    P = 10 and S = 3 are NAS-Bench-201's REA settings (Dong & Yang, 2020), which the NASWOT papers quote.
    """

    population: int = 10
    sample: int = 3

    def __post_init__(self) -> None:
        check_positive(population=self.population, sample=self.sample)


class TrainedEvolution(EvolutionStrategy, ABC):
    """An evolution that trains its networks by table lookup (``rea``, ``area``): it needs the accuracy table, and
    ``n`` and a budget count trained networks."""

    needs_table: ClassVar[bool] = True
    counts_trained: ClassVar[bool] = True


def regularised_evolution(
    log: SearchLog,
    rng: np.random.Generator,
    population: Sequence[int],
    sample_size: int,
    evaluate: Callable[[Sequence[Arch]], list[int]],
    fitness: Callable[[Sequence[int]], np.ndarray],
    admissible: Callable[[Arch], bool],
) -> None:
    """Evolve ``population`` (indices into ``log.history``) until the log's limits end it.

    ``evaluate`` scores or trains architectures through the log and returns the admitted indices;
    ``fitness`` gives the fitness of history indices (ties go to the first drawn contender);
    ``admissible`` says whether a child can be evaluated at all (is in the table, or in the scored pool).
    """
    members = deque(population)
    while members and not log.done:
        contenders = [members[i] for i in rng.integers(len(members), size=sample_size)]
        parent = contenders[int(np.argmax(fitness(contenders)))]
        child = mutate_within(log.problem, log.history[parent].arch, rng, admissible)
        admitted = evaluate([child]) if child is not None else []
        if not admitted:
            return
        members.append(admitted[0])
        members.popleft()


def mutate_within(problem: SearchProblem, arch: Arch, rng: np.random.Generator,
                  admissible: Callable[[Arch], bool]) -> Arch | None:
    """A one-choice mutation of ``arch`` that can be evaluated, or None when none can be found.

    A child outside a partial table (NAS-Bench-101's sample, an NDS file), a scored pool or the resource
    budget is drawn again, up to ``MUTATION_TRIES`` times, then replaced by a random admissible architecture:
    there evolution degrades towards random sampling, because the neighbours of a sparse sample, or of a
    network at the edge of a tight budget, are rarely admissible.
    """
    for _ in range(MUTATION_TRIES):
        child = problem.space.mutate(arch, rng)
        if admissible(child):
            return child
    for _ in range(MUTATION_TRIES):
        if problem.candidates is not None:
            child = problem.candidates[int(rng.integers(len(problem.candidates)))]
        else:
            child = problem.space.sample(rng)
        if admissible(child):
            return child
    return None


def accuracy_fitness(log: SearchLog) -> Callable[[Sequence[int]], np.ndarray]:
    """REA's fitness: the trained (looked-up) accuracy."""
    return lambda indices: np.array([log.history[i].accuracy for i in indices], dtype=np.float64)
