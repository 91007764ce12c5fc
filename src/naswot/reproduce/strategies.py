"""REA and AREA rows: the papers' evolution baselines, simulated on a scored pool with table lookups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from naswot.reproduce.common import Quoted, Row
from naswot.reproduce.pools import ScoredPool

STRATEGIES = ("REA", "AREA")


@dataclass
class EvolutionRows:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def evolution_rows(pool: ScoredPool, datasets: Sequence[str], *, budget: int,
                   paper: dict[str, dict[str, Quoted]], quick: bool) -> EvolutionRows:
    """REA and AREA with ``budget`` evaluations, once naswot.search provides them."""
    rows = [Row(name, f"{dataset} test", None, None, paper[dataset].get(name), "not run: the strategies are not in this build")
            for name in STRATEGIES for dataset in datasets]
    return EvolutionRows(rows, ["REA/AREA rows wait for naswot.search's evolution strategies."])
