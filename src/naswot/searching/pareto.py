"""The accuracy/cost trade-off of a search: the non-dominated architectures among everything it evaluated.

An architecture is on the front when no other one evaluated has a score at least as high and a cost at
most as low, one of them strictly. The score is the search's own fitness (judged among all it scored) or,
for a network "trained" by table lookup, its accuracy; the cost is ``params``, ``flops`` or ``latency``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from naswot.costs import COSTS
from naswot.outputs import finite_or_none
from naswot.searching.log import SearchLog
from naswot.searching.run import SearchRun


@dataclass(frozen=True)
class ParetoPoint:
    arch: str
    score: float
    cost: float
    accuracy: float | None


@dataclass(frozen=True)
class ParetoFront:
    cost: str
    """``params``, ``flops`` or ``latency``."""
    unit: str
    """The cost's unit as its score measures it (a count of parameters, not millions)."""
    points: list[ParetoPoint]
    """The front, cheapest first (so scores rise along it)."""
    considered: int

    def to_json(self) -> dict[str, Any]:
        return {"cost": self.cost, "unit": self.unit, "considered": self.considered,
                "points": [{"arch": p.arch, "score": finite_or_none(p.score), "cost": p.cost, "accuracy": p.accuracy}
                           for p in self.points]}


def non_dominated(points: list[ParetoPoint]) -> list[ParetoPoint]:
    """The points no other point beats on score without costing more (ties in both: the first kept), cheapest first."""
    ordered = sorted(points, key=lambda p: (p.cost, -p.score))
    front: list[ParetoPoint] = []
    for point in ordered:
        if not front or point.score > front[-1].score:
            front.append(point)
    return front


def pareto_front(run: SearchRun, log: SearchLog, cost: str) -> ParetoFront:
    """The front of ``run`` on ``cost``, measuring through ``log`` the costs the search did not need for its budget."""
    if cost not in COSTS:
        raise ValueError(f"unknown cost {cost!r}")
    ranked = [(evaluation, value if not evaluation.trained else evaluation.accuracy) for evaluation, value in run.ranked()]
    defined = [(evaluation, value) for evaluation, value in ranked if value is not None and math.isfinite(value)]
    costs = log.cost([evaluation.arch for evaluation, _ in defined], COSTS[cost].score)
    points = [ParetoPoint(str(evaluation.arch), float(value), value_cost, evaluation.accuracy)
              for (evaluation, value), value_cost in zip(defined, costs) if math.isfinite(value_cost)]
    return ParetoFront(cost, COSTS[cost].measured_in, non_dominated(points), len(points))
