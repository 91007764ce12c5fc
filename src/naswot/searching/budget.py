"""Resource budgets: the most parameters, multiply-accumulates or latency a practitioner's network may have.

Each cost is a registered score of the network (``params``, ``flops``, ``latency``), so it goes through the
store like any score: measured once per network (latency once per network and machine) and reused by every
later search. A search under a budget evaluates only networks within it; the ones it drew and rejected are
counted, never scored and never in its results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from naswot.costs import COSTS
from naswot.errors import NaswotError


@dataclass(frozen=True)
class Budget:
    """The limits a network must meet: millions of parameters, millions of multiply-accumulates per image at the
    data's resolution, milliseconds of the shortest forward pass on the run's device (None: no limit)."""

    max_params: float | None = None
    max_flops: float | None = None
    max_latency: float | None = None

    def __post_init__(self) -> None:
        for name, value in self.to_json().items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value) or value <= 0):
                raise NaswotError(f"{name}={value!r} is not a positive number: give the limit in "
                                  f"{COSTS[name.removeprefix('max_')].unit}, or leave it out")

    @property
    def limits(self) -> dict[str, float]:
        """Score name -> the largest value allowed, in the score's own units, cheapest cost first."""
        given = {"params": self.max_params, "flops": self.max_flops, "latency": self.max_latency}
        return {COSTS[name].score: value * COSTS[name].scale for name, value in given.items() if value is not None}

    def __bool__(self) -> bool:
        return bool(self.limits)

    def admits(self, costs: Mapping[str, float]) -> bool:
        return all(costs[score] <= limit for score, limit in self.limits.items())

    def describe(self) -> str:
        return ", ".join(f"{name}={value:g}" for name, value in self.to_json().items() if value is not None)

    def to_json(self) -> dict[str, Any]:
        return {"max_params": self.max_params, "max_flops": self.max_flops, "max_latency": self.max_latency}
