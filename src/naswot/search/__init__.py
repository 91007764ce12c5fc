"""Search strategies over a space, scored without training (and, for the baselines, trained by table lookup).

``run_search(problem, get_strategy(name)(...), n=..., budget_seconds=..., seed=...)`` returns a
``SearchRun``; the problem says where scores come from (``ExecutorEvaluator`` through the store,
``LookupEvaluator`` from a scored pool) and which accuracy table, if any, stands in for training.
"""

from naswot.search.evaluators import Evaluator, ExecutorEvaluator, LookupEvaluator
from naswot.search.problem import SearchProblem
from naswot.search.run import Evaluation, SearchRun, TrajectoryPoint
from naswot.search.sampling import sample_distinct
from naswot.search.strategy import SearchStrategy, get_strategy, register_strategy, run_search, strategy_names

__all__ = [
    "Evaluation", "Evaluator", "ExecutorEvaluator", "LookupEvaluator", "SearchProblem", "SearchRun", "SearchStrategy",
    "TrajectoryPoint", "get_strategy", "register_strategy", "run_search", "sample_distinct", "strategy_names",
]
