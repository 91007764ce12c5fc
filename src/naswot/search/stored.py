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
from naswot.search.evaluators import ExecutorEvaluator, LookupEvaluator
from naswot.search.run import SearchProblem, SearchRun
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
) -> SearchRun:
    """Run ``strategy`` seeded with ``seed`` (which also seeds the networks' initialisation).

    ``batch`` may be None only for a strategy that scores nothing (``rea`` trains by lookup alone).
    """
    if strategy.fitness is None:
        return run_search(SearchProblem(space, LookupEvaluator({}), table, dataset), strategy, n=n,
                          budget_seconds=budget_seconds, seed=seed)
    if batch is None:
        raise NaswotError(f"the {strategy.name} strategy scores networks: give it a batch of images")
    networks = strategy.networks_to_score(n) if budget_seconds is None else None
    members = strategy.fitness.members
    with (ComputeSession(space, batch, members, seed=seed, store=store, compute=compute, planned=networks) as session,
          progress_bar("scoring", networks * len(members) if networks else None, compute.show_progress) as advance):
        problem = SearchProblem(space, ExecutorEvaluator(session, advance), table, dataset)
        return run_search(problem, strategy, n=n, budget_seconds=budget_seconds, seed=seed)
