"""How well scores rank a seeded sample of a space against trained accuracy: the library side of `correlate`.

One call scores the sample (through the store), adds the zero-label combinations and, on request, a
learned ensemble fitted on the first ``learned`` architectures, and returns every score's rank
correlations and simulated search result in one ``CorrelationStudy`` that the CLI prints, ``--json``
saves and reports and benchmarks reuse.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from naswot.compute import Compute
from naswot.errors import NaswotError
from naswot.spaces.base import Arch, SearchSpace
from naswot.store import Store
from naswot.tables import AccuracyTable

if TYPE_CHECKING:
    from naswot.data.batch import Batch
    from naswot.evaluate import Correlation
    from naswot.scores.expressions import ScoreExpression

SEARCH_N = 100
"""The search simulated per score (the papers' N = 100), when the sample holds at least twice as many."""


@dataclass(frozen=True)
class ScoreRow:
    """One score's values over the sample and how they rank against accuracy."""

    values: list[float]
    accuracies: list[float]
    correlation: Correlation
    median_seconds: float
    """Median compute seconds per architecture; a combination costs the sum of its members'."""
    search_mean: float | None = None
    """Mean accuracy that random-sampling search with ``SEARCH_N`` picks by this score (500 repetitions)."""
    labelled: int = 0
    """Accuracy labels used to build the score (0 for every zero-label score)."""

    def to_json(self) -> dict[str, Any]:
        return {"kendall_tau": self.correlation.kendall_tau, "spearman_rho": self.correlation.spearman_rho,
                "undefined": self.correlation.undefined, "median_seconds": self.median_seconds, "n": len(self.values),
                "labelled": self.labelled, **({"search_mean": self.search_mean} if self.search_mean is not None else {})}


@dataclass
class CorrelationStudy:
    """Every score's ranking of one seeded sample, with what was computed and what came from the store."""

    space: str
    dataset: str
    data: str
    seed: int
    archs: list[Arch]
    accuracies: list[float]
    rows: dict[str, ScoreRow] = field(default_factory=dict)
    computed: int = 0
    reused: int = 0
    seconds: float = 0.0
    learned_description: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"space": self.space, "dataset": self.dataset, "data": self.data, "seed": self.seed, "n": len(self.archs),
                "scores": {name: row.to_json() for name, row in self.rows.items()}, "computed": self.computed,
                "reused": self.reused, "seconds": self.seconds,
                **({"learned": self.learned_description} if self.learned_description else {})}


def check_study(n: int, learned: int = 0) -> None:
    """Refuse a sample too small to correlate, or a learned ensemble with too few architectures to fit or judge."""
    if n < 2:
        raise NaswotError(f"n={n} is too few to correlate: use n=2 or more (the papers use 1000)")
    if learned and not 10 <= learned <= n - 10:
        raise NaswotError(f"learned={learned} leaves too few architectures to fit or to judge: "
                          f"use learned=10 to {max(10, n - 10)} (and n=20 or more)")


def with_rank_ensembles(expressions: Sequence[ScoreExpression], methods: Sequence[str]) -> list[ScoreExpression]:
    """``expressions`` and, for each method (``rank_mean``, ``rank_product``), that combination of all the plain ones."""
    from naswot.scores.expressions import parse_score

    plain = [e.name for e in expressions if not e.is_combination]
    if methods and len(plain) < 2:
        raise NaswotError("a rank ensemble combines scores: name two or more plain scores with score=")
    return [*expressions, *(parse_score(f"{method}({','.join(plain)})") for method in methods)]


def correlation_sample(space: SearchSpace, table: AccuracyTable, n: int, seed: int) -> list[Arch]:
    """A seeded sample of the space, or of the table's architectures when it covers only part of the space.

    Architectures drawn from a table go through the space's parser, so a table of another space
    (or another NDS space) is refused in one line instead of scoring the wrong networks.
    """
    from naswot.searching import sample_distinct

    rng = np.random.default_rng(seed)
    held = table.archs()
    if held is None:
        return sample_distinct(space, n, rng)
    chosen = rng.choice(len(held), size=min(n, len(held)), replace=False)
    return [space.parse(str(held[i])) for i in sorted(chosen)]


def correlate(
    space: SearchSpace,
    table: AccuracyTable,
    dataset: str,
    batch: Batch,
    expressions: Sequence[ScoreExpression],
    *,
    n: int,
    seed: int = 0,
    store: Store | None = None,
    compute: Compute = Compute(),
    learned: int = 0,
    learned_path: str | None = None,
) -> CorrelationStudy:
    """Score a seeded sample of ``n`` architectures and rank-correlate every expression with ``dataset`` accuracy.

    With ``learned`` > 0 a learned ensemble of every member score (and, for NAS-Bench-201 and -101 cells,
    the cells' zero-cost graph features) is fitted on the first ``learned`` architectures and judged on the
    others only (saved to ``learned_path`` when given).
    """
    from naswot.executor import score_architectures
    from naswot.scores.expressions import member_scores

    check_study(n, learned)
    archs = correlation_sample(space, table, n, seed)
    study = CorrelationStudy(space.spec(), dataset, batch.fingerprint, seed, archs,
                             [table.accuracy(a, dataset) for a in archs])
    members = member_scores(expressions)
    start = time.perf_counter()
    scored = score_architectures(space, archs, members, batch, seed=seed, store=store, compute=compute)
    study.seconds, study.computed, study.reused = time.perf_counter() - start, scored.computed, scored.reused
    columns = {name: scored.values(name, archs) for name in members}
    medians = {name: float(np.median([scored.results[name][str(a)].seconds for a in archs])) for name in members}
    for expression in expressions:
        cost = sum(medians[member] for member in expression.members)
        study.rows[expression.name] = _row(list(expression.combine(columns)), study.accuracies, cost, seed)
    if learned:
        from naswot.graph_features import has_graph_features
        from naswot.learned_ensemble import fit_learned_ensemble, with_graph_features  # scikit-learn: only when asked

        def features(part: slice) -> dict[str, Sequence[float]]:
            scores = {name: columns[name][part] for name in members}
            return with_graph_features(scores, archs[part]) if has_graph_features(archs[0]) else scores

        fitted = fit_learned_ensemble(features(slice(0, learned)), study.accuracies[:learned], dataset=dataset, seed=seed)
        if learned_path:
            fitted.save(learned_path)
        predicted = list(fitted.predict(features(slice(learned, None))))
        cost = sum(medians.values())
        study.rows[f"learned({learned})"] = _row(predicted, study.accuracies[learned:], cost, seed, labelled=learned)
        study.learned_description = fitted.describe()
    return study


def _row(values: list[float], accuracies: list[float], seconds: float, seed: int, labelled: int = 0) -> ScoreRow:
    from naswot.evaluate import rank_correlation, simulate_search

    search = simulate_search(values, accuracies, SEARCH_N, seed=seed).mean if len(values) >= 2 * SEARCH_N else None
    return ScoreRow(values, accuracies, rank_correlation(values, accuracies), seconds, search, labelled)
