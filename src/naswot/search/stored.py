"""A search whose scores go through the result store: what ``naswot search`` runs.

Every score is stored the moment it is computed and reused by a rerun, so an interrupted search
resumes where it stopped and repeats its trajectory exactly (the budget counts stored seconds). The run
opens one compute session, so every chunk and every child of the search goes through one backend, and one
progress display counts the whole search.
"""

from __future__ import annotations

from naswot.compute import Compute
from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.executor import ComputeSession
from naswot.progress import progress_bar
from naswot.search.budget import Budget
from naswot.search.evaluators import ExecutorEvaluator, LookupEvaluator
from naswot.search.problem import SearchProblem
from naswot.search.run import SearchRun
from naswot.search.strategy import SearchStrategy, run_search
from naswot.spaces.base import SearchSpace
from naswot.store import Store
from naswot.tables.base import AccuracyTable


def search_with_store(
    space: SearchSpace,
    strategy: SearchStrategy,
    batch: Batch | None,
    *,
    table: AccuracyTable | None = None,
    dataset: str | None = None,
    n: int | None = None,
    budget_seconds: float | None = None,
    seed: int = 0,
    store: Store | None = None,
    compute: Compute = Compute(),
    budget: Budget | None = None,
    pareto: str | None = None,
) -> SearchRun:
    """Run ``strategy`` seeded with ``seed`` (which also seeds the networks' initialisation).

    ``budget`` limits the networks it may evaluate; ``pareto`` names the cost of the trade-off front to add.
    ``batch`` may be None only for a strategy that scores nothing (``rea`` trains by lookup alone) and needs
    no cost measured.
    """
    measures = bool(budget) or pareto is not None
    if strategy.fitness is None and not measures:
        return run_search(SearchProblem(space, LookupEvaluator({}), table, dataset), strategy, n=n,
                          budget_seconds=budget_seconds, seed=seed)
    if batch is None:
        needs = "scores networks" if strategy.fitness is not None else "measures the networks' costs"
        raise NaswotError(f"the {strategy.name} search {needs}: give it a batch of images")
    networks = strategy.networks_to_score(n) if budget_seconds is None else None
    members = strategy.fitness.members if strategy.fitness is not None else ()
    with (ComputeSession(space, batch, members, seed=seed, store=store, compute=compute, planned=networks) as session,
          progress_bar("scoring", networks * len(members) if networks else None,
                       compute.show_progress and bool(members)) as advance):
        problem = SearchProblem(space, ExecutorEvaluator(session, advance, members), table, dataset, budget=budget)
        return run_search(problem, strategy, n=n, budget_seconds=budget_seconds, seed=seed, pareto=pareto)
