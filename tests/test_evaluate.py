"""Rank correlations and simulated searches on hand-made pools."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from naswot.evaluate import rank_correlation, simulate_search


def test_correlations_match_scipy_and_closed_forms():
    rng = np.random.default_rng(0)
    scores, accuracies = rng.normal(size=50), rng.normal(size=50)
    corr = rank_correlation(scores, accuracies)
    assert corr.kendall_tau == pytest.approx(stats.kendalltau(scores, accuracies).statistic)
    assert corr.spearman_rho == pytest.approx(stats.spearmanr(scores, accuracies).statistic)
    assert rank_correlation([1, 2, 3, 4], [10, 20, 30, 40]).kendall_tau == 1.0
    # one discordant pair of six: tau = (5 - 1) / 6
    assert rank_correlation([1, 2, 4, 3], [1, 2, 3, 4]).kendall_tau == pytest.approx(4 / 6)


def test_minus_infinity_ranks_last_and_is_counted():
    corr = rank_correlation([-math.inf, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0])
    assert corr.kendall_tau == 1.0 and corr.undefined == 1


def test_nan_never_enters_a_ranking():
    with pytest.raises(ValueError, match="NaN"):
        rank_correlation([1.0, math.nan], [1.0, 2.0])


def test_a_perfect_score_finds_the_optimum_and_a_constant_one_picks_the_first_drawn():
    accuracies = np.random.default_rng(1).uniform(50, 95, size=300)
    perfect = simulate_search(accuracies, accuracies, sample_size=10, repetitions=200, seed=0)
    assert perfect.mean == pytest.approx(perfect.optimal_mean)
    constant = simulate_search(np.zeros(300), accuracies, sample_size=10, repetitions=200, seed=0)
    rng = np.random.default_rng(0)
    first = [accuracies[rng.choice(300, size=10, replace=False)[0]] for _ in range(200)]
    assert constant.mean == pytest.approx(np.mean(first))
    assert constant.mean < perfect.mean
