"""Scored pools: architectures with their score, scoring time and trained accuracies, drawn from the store.

The papers' repeated-search tables (500 runs) draw from a whole scored space; a pool is either that
(all 15,625 NAS-Bench-201 cells, in the table's order) or a seeded sample, and always says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from naswot.data import Batch, load_batch
from naswot.evaluate import simulate_search
from naswot.executor import score_architectures
from naswot.reproduce.common import Quoted, Row, Settings
from naswot.searching import sample_distinct
from naswot.spaces.base import Arch, SearchSpace
from naswot.tables import AccuracyTable, load_table

SEED = 0


LISTED_MEMBERS = 1000
"""Pools up to this size list their architectures, scores and accuracies in an item's JSON."""


@dataclass(frozen=True)
class ScoredPool:
    space: SearchSpace
    archs: list[Arch]
    score: str
    scores: np.ndarray
    seconds: np.ndarray
    """Seconds each score took when it was computed (one thread), stored beside it."""
    accuracies: dict[str, np.ndarray]
    batch: str
    description: str
    table: AccuracyTable

    def __len__(self) -> int:
        return len(self.archs)

    def to_json(self) -> dict[str, object]:
        """The pool's settings, and its members when there are few: a whole scored space stays in the store."""
        summary: dict[str, object] = {"description": self.description, "size": len(self), "score": self.score,
                                      "batch": self.batch}
        if len(self) > LISTED_MEMBERS:
            return {**summary, "members": "in the store: naswot results --store STORE --score " + self.score}
        return {**summary, "archs": [str(a) for a in self.archs], "scores": self.scores.tolist(),
                "accuracies": {name: values.tolist() for name, values in self.accuracies.items()}}


def cifar10_batch(settings: Settings, batch_size: int, seed: int = SEED) -> Batch:
    return load_batch("cifar10", settings.cifar10, batch_size=batch_size, seed=seed)


def scored_pool(
    settings: Settings,
    table: AccuracyTable,
    archs: Sequence[Arch],
    score: str,
    batch: Batch,
    description: str,
    space: SearchSpace | None = None,
) -> ScoredPool:
    """Score ``archs`` through the store (reusing what it holds) and attach every accuracy the table has."""
    space = space or table.space()
    table_scores = score_architectures(space, archs, [score], batch, seed=SEED, store=settings.store,
                                       compute=settings.compute)
    results = [table_scores.results[score][str(a)] for a in archs]
    accuracies = {name: np.array([table.accuracy(a, name) for a in archs]) for name in table.datasets}
    return ScoredPool(space, list(archs), score, np.array([r.value for r in results]),
                      np.array([r.seconds for r in results]), accuracies, batch.fingerprint, description, table)


def nasbench201_pool(settings: Settings, score: str, *, sample: int | None, batch_size: int) -> ScoredPool:
    """All 15,625 cells (``sample=None``) or the benchmarks' seeded sample of ``sample`` cells."""
    table = load_table("nasbench201", settings.nasbench201)
    space = table.space()
    if sample is None:
        archs, description = list(space), f"all {len(space):,} NAS-Bench-201 cells"
    else:
        archs = sample_distinct(space, sample, np.random.default_rng(SEED))
        description = f"a seeded sample of {sample:,} NAS-Bench-201 cells (seed {SEED})"
    batch = cifar10_batch(settings, batch_size)
    return scored_pool(settings, table, archs, score, batch, f"{description}, {score} on {batch.fingerprint}", space)


def search_rows(
    pool: ScoredPool,
    dataset: str,
    sizes: Sequence[int],
    paper: dict[str, Quoted],
    column: str,
    repetitions: int = 500,
) -> list[Row]:
    """The random-sampling search with each N (``Ours (N=…)``), optimal of N, and random choice.

    Ours and optimal repeat the search ``repetitions`` times on the pool (the papers: 500 runs);
    random choice is exact: the mean and spread of the pool's accuracies.
    """
    accuracies = pool.accuracies[dataset]
    rows = []
    for n in sizes:
        ours = simulate_search(pool.scores, accuracies, n, repetitions, seed=SEED)
        rows.append(Row(f"Ours (N={n})", column, ours.mean, ours.std, paper.get(f"Ours (N={n})"),
                        f"{repetitions} runs from a pool of {len(pool):,}"))
    for n in sizes:
        label = f"Optimal (N={n})"
        if label in paper:
            best = simulate_search(accuracies, accuracies, n, repetitions, seed=SEED)
            rows.append(Row(label, column, best.mean, best.std, paper[label], f"{repetitions} runs from a pool of {len(pool):,}"))
    rows.append(Row("Random", column, float(accuracies.mean()), float(accuracies.std()), paper.get("Random"),
                    f"exact over the pool of {len(pool):,}"))
    return rows


def search_seconds_rows(pool: ScoredPool, sizes: Sequence[int], paper: dict[str, Quoted]) -> list[Row]:
    """Seconds a search of N takes here: N times the mean seconds of one score (CPU, one thread)."""
    per_arch = float(pool.seconds.mean())
    return [Row(f"Ours (N={n})", "search s", n * per_arch, None, paper.get(f"Ours (N={n})"),
                f"CPU s here (N x {per_arch:.3f} s); paper: GPU s") for n in sizes]
