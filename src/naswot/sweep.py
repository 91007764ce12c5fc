"""Score every architecture of a space (or of a table that covers part of one): the library side of `sweep`.

Results live in the store, not in memory: the sweep keeps counts only, so its memory does not grow
with the number of architectures scored, and a rerun (after a kill, say) computes only what is missing.
With ``dedupe`` (NAS-Bench-201), one cell of each class of cells that build the same function is
scored and the others are stored as copies of it, each row naming the cell it copies.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from naswot.data.batch import Batch
from naswot.device import resolve_device
from naswot.errors import NaswotError
from naswot.executor import Compute, result_key, score_architectures
from naswot.scores.registry import get_score
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
    classes: int | None = None
    """With dedupe: the classes of equivalent architectures, one scored per class."""
    copies: int = 0
    """With dedupe: rows written as copies of their class's scored member in this run."""

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
    dedupe: bool = False,
) -> SweepResult:
    """Score ``archs`` with every score through ``store``; with ``dedupe``, one per class of equivalent architectures."""
    start = time.perf_counter()
    classes = _classes(space, archs) if dedupe else None
    scored = [members[0] for members in classes] if classes is not None else archs
    table = score_architectures(space, scored, scores, batch, seed=seed, store=store, compute=compute,
                                budget_seconds=budget_seconds, keep_results=False)
    device = resolve_device(compute.device).type
    keys = [result_key(space, get_score(name), batch, seed, device) for name in scores]
    copies = sum(_store_copies(store, key, classes) for key in keys) if classes is not None else 0
    texts = [str(arch) for arch in archs]
    undefined = {key.score: sum(math.isinf(r.value) for r in store.get_many(key, texts, copies=dedupe).values())
                 for key in keys}
    return SweepResult(space.spec(), list(scores), batch.fingerprint, seed, len(archs), table.computed, table.reused,
                       time.perf_counter() - start, table.complete, undefined,
                       len(classes) if classes is not None else None, copies)


def _classes(space: SearchSpace, archs: Sequence[Arch]) -> list[list[Arch]]:
    from naswot.spaces.nasbench201 import NasBench201Space
    from naswot.spaces.nasbench201_classes import equivalence_classes

    if not isinstance(space, NasBench201Space):
        raise NaswotError(f"--dedupe knows the classes of NAS-Bench-201 cells only, not of {space.spec()}: drop --dedupe")
    return list(equivalence_classes(archs).values())  # type: ignore[arg-type]


def _store_copies(store: Store, key: Any, classes: list[list[Arch]]) -> int:
    """Give each member without a row of its own its class's scored value; return how many were written."""
    scored = store.get_many(key, [str(members[0]) for members in classes])
    stored = store.get_many(key, [str(a) for members in classes for a in members[1:]], copies=True)
    rows = [(str(member), scored[str(members[0])], str(members[0])) for members in classes if str(members[0]) in scored
            for member in members[1:] if str(member) not in stored]
    store.put_copies(key, rows)
    return len(rows)
