"""REA, AREA and evolve on a scored pool: the papers' evolution baselines, simulated with table lookups.

REA and AREA count trained networks (each a table lookup, as the papers' simulations do); AREA first
scores M pool members without training and seeds REA with the best P; their children may be any
architecture the table holds. ``evolve`` evolves on the training-free score alone, within the pool.
The shipped NAS-Bench-201 table has no training times, so budgets are in evaluations, not the papers'
12,000 simulated seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from naswot.reproduce.common import Quoted, Row
from naswot.reproduce.pools import ScoredPool
from naswot.score_result import ScoreResult
from naswot.scores.expressions import parse_score
from naswot.searching import LookupEvaluator, SearchProblem, SearchStrategy, get_strategy
from naswot.searching.repeat import RepeatedSearch, repeat_search

AREA_M = 1000  # the strategy's default: 1,000 architectures scored before evolving
RUNS, QUICK_RUNS = 500, 10  # the papers average 500 runs


def lookup(pool: ScoredPool) -> LookupEvaluator:
    """The pool's stored scores, so a repeated search computes nothing."""
    results = {str(a): ScoreResult(float(v), float(s)) for a, v, s in zip(pool.archs, pool.scores, pool.seconds)}
    return LookupEvaluator({pool.score: results})


def strategies(pool: ScoredPool) -> dict[str, SearchStrategy]:
    fitness = parse_score(pool.score)
    return {"REA": get_strategy("rea")(),
            "AREA": get_strategy("area")(m=min(AREA_M, len(pool)), fitness=fitness),
            "evolve": get_strategy("evolve")(fitness=fitness)}


def repeated_searches(pool: ScoredPool, dataset: str, *, budget: int, runs: int,
                      labels: Sequence[str] = ("REA", "AREA", "evolve")) -> dict[str, RepeatedSearch]:
    """Each strategy ``runs`` times (seeds 0..runs-1) with ``budget`` evaluations, drawing only from the pool."""
    problem = SearchProblem(pool.space, lookup(pool), pool.table, dataset, candidates=pool.archs)
    chosen = strategies(pool)
    return {label: repeat_search(problem, chosen[label], runs, n=budget, label=label) for label in labels}


def evolution_rows(pool: ScoredPool, columns: Mapping[str, str], *, budget: int, runs: int,
                   paper: Mapping[str, Mapping[str, Quoted]]) -> tuple[list[Row], list[str]]:
    """Rows for REA, AREA and evolve on each data set (``columns``: data set -> column label), and notes."""
    rows = []
    for dataset, column in columns.items():
        for label, repeated in repeated_searches(pool, dataset, budget=budget, runs=runs).items():
            accuracies = repeated.accuracies()
            counted = ("scored networks (no training), all from the pool" if label == "evolve" else
                       "trained networks (table lookups: any cell of the table)")
            rows.append(Row(label, column, float(accuracies.mean()), float(accuracies.std()), paper[dataset].get(label),
                            f"{runs} runs, {budget} {counted}; scores from the pool of {len(pool):,}"))
    settings = {label: strategy.settings() for label, strategy in strategies(pool).items()}
    notes = [f"REA/AREA/evolve: budgets in evaluations ({budget}), not the papers' 12,000 simulated GPU seconds "
             f"(the shipped table has no training times); settings {settings}. Children that cannot be evaluated "
             "(outside the table; for evolve, outside the pool) are redrawn, so on a sparse table or pool evolution "
             "degrades towards random sampling."]
    return rows, notes
