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

from naswot.compute import Compute
from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.executor import ComputeSession
from naswot.spaces.base import Arch, SearchSpace
from naswot.store import ResultKey, Store


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
    time_limit: float | None = None,
    dedupe: bool = False,
) -> SweepResult:
    """Score ``archs`` with every score through ``store``; with ``dedupe``, one per class of equivalent architectures.

    ``time_limit`` is in wall-clock seconds: no network starts after it (a rerun goes on from the store).
    """
    start = time.perf_counter()
    classes = space.equivalence_classes(archs) if dedupe else None
    if dedupe and classes is None:
        raise NaswotError(f"dedupe=True: the {space.spec()} space knows no classes of networks that compute the same "
                          "function: drop dedupe=True")
    scored = [members[0] for members in classes] if classes is not None else archs
    with ComputeSession(space, batch, scores, seed=seed, store=store, compute=compute, planned=len(scored)) as session:
        table = session.score(scored, budget_seconds=time_limit, keep_results=False)
        by_key = _group_by_key(session, archs, scores)
    copies = sum(_store_copies(store, key, classes) for key in by_key) if classes is not None else 0
    undefined = dict.fromkeys(scores, 0)
    for key, texts in by_key.items():
        undefined[key.score] += sum(math.isinf(r.value) for r in store.get_many(key, texts, copies=dedupe).values())
    return SweepResult(space.spec(), list(scores), batch.fingerprint, seed, len(archs), table.computed, table.reused,
                       time.perf_counter() - start, table.complete, undefined,
                       len(classes) if classes is not None else None, copies)


def _group_by_key(session: ComputeSession, archs: Sequence[Arch], scores: Sequence[str]) -> dict[ResultKey, list[str]]:
    """The architectures' texts under each store key (one per score, unless their network code differs, as a zoo's)."""
    groups: dict[ResultKey, list[str]] = {}
    for arch in archs:
        for name in scores:
            groups.setdefault(session.key(arch, name), []).append(str(arch))
    return groups


def _store_copies(store: Store, key: ResultKey, classes: list[list[Arch]]) -> int:
    """Give each member without a row of its own its class's scored value; return how many were written."""
    scored = store.get_many(key, [str(members[0]) for members in classes])
    stored = store.get_many(key, [str(a) for members in classes for a in members[1:]], copies=True)
    rows = [(str(member), scored[str(members[0])], str(members[0])) for members in classes if str(members[0]) in scored
            for member in members[1:] if str(member) not in stored]
    store.put_copies(key, rows)
    return len(rows)
