"""How well a score ranks architectures: rank correlations and simulated searches against a table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Correlation:
    kendall_tau: float
    spearman_rho: float
    n: int
    undefined: int
    """How many scores were -inf (ranked last, tied with each other)."""


def rank_correlation(scores: Sequence[float], accuracies: Sequence[float]) -> Correlation:
    """Kendall tau-b and Spearman rho of scores against accuracies; -inf scores rank below all others."""
    scores = np.asarray(scores, dtype=np.float64)
    accuracies = np.asarray(accuracies, dtype=np.float64)
    if scores.shape != accuracies.shape or scores.ndim != 1:
        raise ValueError("scores and accuracies must be two lists of the same length")
    if np.isnan(scores).any():
        raise ValueError("a NaN score reached a ranking; scores must turn NaN into -inf with a reason")
    ranks = stats.rankdata(scores)  # rank, so -inf ties at the bottom instead of breaking arithmetic
    tau = stats.kendalltau(ranks, accuracies).statistic if len(scores) > 1 else math.nan
    rho = stats.spearmanr(ranks, accuracies).statistic if len(scores) > 1 else math.nan
    return Correlation(float(tau), float(rho), len(scores), int(np.isneginf(scores).sum()))


@dataclass(frozen=True)
class SearchSimulation:
    """The accuracy the best-scoring of ``sample_size`` architectures achieves, over many repetitions."""

    sample_size: int
    repetitions: int
    mean: float
    std: float
    optimal_mean: float
    """The mean accuracy of the truly best architecture of each sample: the ceiling for any score."""


def simulate_search(
    scores: Sequence[float],
    accuracies: Sequence[float],
    sample_size: int,
    repetitions: int = 500,
    seed: int = 0,
) -> SearchSimulation:
    """Repeat the seeds' random-sampling search on a pool of scored architectures.

    Each repetition draws ``sample_size`` distinct architectures from the pool and keeps the one with
    the highest score (ties go to the first drawn), exactly as Algorithm 1 would have on that sample.
    """
    scores = np.asarray(scores, dtype=np.float64)
    accuracies = np.asarray(accuracies, dtype=np.float64)
    if sample_size > len(scores):
        raise ValueError(f"a sample of {sample_size} needs a pool of at least that many scored architectures")
    rng = np.random.default_rng(seed)
    picked, best = np.empty(repetitions), np.empty(repetitions)
    for r in range(repetitions):
        sample = rng.choice(len(scores), size=sample_size, replace=False)
        picked[r] = accuracies[sample[np.argmax(scores[sample])]]
        best[r] = accuracies[sample].max()
    return SearchSimulation(sample_size, repetitions, float(picked.mean()), float(picked.std()), float(best.mean()))
