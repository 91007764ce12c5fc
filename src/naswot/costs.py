"""The costs a budget or a Pareto front can be about (params, FLOPs, latency), in one torch-free place that the
search and the report both read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cost:
    """One cost a budget or a Pareto front can be about: the score that measures it and its unit."""

    score: str
    scale: float
    """Score units per budget unit (a budget of 0.4 M parameters is 400,000 of the ``params`` score)."""
    unit: str
    """The budget's unit."""
    measured_in: str
    """The score's own unit, in which a Pareto front reports the cost ("": a plain count)."""


COSTS = {
    "params": Cost("params", 1e6, "M parameters", ""),
    "flops": Cost("flops", 1e6, "M multiply-accumulates per image", "MACs per image"),
    "latency": Cost("latency", 1.0, "ms per forward pass", "ms"),
}
"""Cheapest to measure first: a budget checks costs in this order and stops at the first one exceeded."""

__all__ = ["COSTS", "Cost"]
