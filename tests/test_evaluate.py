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


def test_a_perfect_score_finds_the_expected_maximum_and_a_constant_one_an_average_draw():
    # independent expectations: the best of 10 distinct draws from 300 is the k-th smallest accuracy with
    # probability C(k-1, 9) / C(300, 10); a constant score keeps one draw, uniform over the pool
    accuracies = np.random.default_rng(1).uniform(50, 95, size=300)
    repetitions = 2000
    ordered = np.sort(accuracies)
    weights = np.array([math.comb(k - 1, 9) for k in range(1, 301)], dtype=float) / math.comb(300, 10)
    expected_best = float(ordered @ weights)
    perfect = simulate_search(accuracies, accuracies, sample_size=10, repetitions=repetitions, seed=0)
    assert perfect.mean == pytest.approx(perfect.optimal_mean)
    assert abs(perfect.mean - expected_best) < 4 * perfect.std / math.sqrt(repetitions)
    constant = simulate_search(np.zeros(300), accuracies, sample_size=10, repetitions=repetitions, seed=0)
    assert abs(constant.mean - accuracies.mean()) < 4 * accuracies.std() / math.sqrt(repetitions)
    assert constant.mean < perfect.mean
