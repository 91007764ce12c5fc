"""Zero-label ensembles: combine several scores of the same architectures by their ranks.

Scores live on incomparable scales (a log-determinant, a gradient norm, a parameter count), so
they are combined through their ranks within the scored population. ``rank_mean`` averages the
ranks; ``rank_product`` sums log(rank / n), the non-linear aggregation of AZ-NAS (Lee & Ham, 2024),
which punishes an architecture that any one score ranks low far more than the mean does. A ``-inf``
score (undefined for that network) ranks below every defined one. Both need no accuracy labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy import stats

from naswot.errors import NaswotError
from naswot.registry import Registry


def ascending_ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks 1..n with the highest score ranked n; ties share their mean rank, -inf ties at the bottom."""
    values = np.asarray(values, dtype=np.float64)
    if np.isnan(values).any():
        raise ValueError("a NaN score reached an ensemble; scores must turn NaN into -inf with a reason")
    return stats.rankdata(values)


def rank_mean(columns: Mapping[str, Sequence[float]]) -> np.ndarray:
    """The mean over scores of each architecture's rank, divided by the population size (in (0, 1])."""
    ranks = np.stack([ascending_ranks(v) for v in columns.values()])
    return ranks.mean(axis=0) / ranks.shape[1]


def rank_product(columns: Mapping[str, Sequence[float]]) -> np.ndarray:
    """sum over scores of log(rank / n): the log of the product of the normalised ranks (AZ-NAS)."""
    ranks = np.stack([ascending_ranks(v) for v in columns.values()])
    return np.log(ranks / ranks.shape[1]).sum(axis=0)


RankMethod = Callable[[Mapping[str, Sequence[float]]], np.ndarray]
RANK_METHODS: Registry[RankMethod] = Registry("rank combination method")
"""How several scores' ranks become one: ``rank_mean(a,b)``, ``rank_product(a,b)``."""
RANK_METHODS.register("rank_mean", rank_mean)
RANK_METHODS.register("rank_product", rank_product)


def combine_by_rank(method: str, columns: Mapping[str, Sequence[float]]) -> np.ndarray:
    """Every architecture's combined score (higher is better) under ``method``, from two or more score columns."""
    combine = RANK_METHODS.get(method)
    if len(columns) < 2:
        raise NaswotError(f"{method} combines scores: name two or more")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError("every score must cover the same architectures")
    return combine(columns)
