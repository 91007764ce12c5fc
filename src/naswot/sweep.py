"""Score every architecture of a space (or of a table that covers part of one): the library side of `sweep`."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.executor import Compute, score_architectures
from naswot.spaces.base import Arch, SearchSpace
from naswot.store import Store


@dataclass
class SweepResult:
    """What a sweep covered, computed and took from the store; the values themselves stay in the store."""

    space: str
    scores: list[str]
    data: str
    seed: int
    total: int
    computed: int
    reused: int
    seconds: float
    complete: bool
    undefined: dict[str, int] = field(default_factory=dict)
    """How many architectures each score is -inf for (reasons are in the store)."""

    def to_json(self) -> dict[str, Any]:
        return {"command": "sweep", **self.__dict__}


def sweep_architectures(space: SearchSpace, held: Sequence[Arch] | None = None) -> list[Arch]:
    """Every architecture to sweep: the space's own, or those a partial table holds when the space is too big."""
    if held is not None:
        return [space.parse(str(arch)) for arch in held]
    try:
        return list(space)
    except TypeError:
        raise NaswotError(f"the {space.spec()} space cannot be listed: sweep the architectures of its table instead") from None


def sweep(
    space: SearchSpace,
    scores: Sequence[str],
    batch: Batch,
    archs: Sequence[Arch],
    *,
    seed: int = 0,
    store: Store,
    compute: Compute = Compute(),
    budget_seconds: float | None = None,
) -> SweepResult:
    """Score ``archs`` with every score through ``store``: a rerun (after a kill, say) computes only what is missing."""
    start = time.perf_counter()
    table = score_architectures(space, archs, scores, batch, seed=seed, store=store, compute=compute,
                                budget_seconds=budget_seconds)
    undefined = {name: sum(math.isinf(r.value) for r in table.results[name].values()) for name in scores}
    return SweepResult(space.spec(), list(scores), batch.fingerprint, seed, len(archs), table.computed, table.reused,
                       time.perf_counter() - start, table.complete, undefined)
