"""Rank ensembles by hand, and a learned ensemble that must find a relation no single score shows."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from scipy import stats

from naswot.ensemble import combine_by_rank, rank_mean, rank_product
from naswot.errors import NaswotError
from naswot.learned_ensemble import LearnedEnsemble, fit_learned_ensemble


def test_rank_mean_and_rank_product_by_hand():
    columns = {"a": [0.1, 5.0, 3.0], "b": [30.0, 10.0, 20.0]}  # ranks a: 1 3 2, b: 3 1 2
    np.testing.assert_allclose(rank_mean(columns), [2 / 3, 2 / 3, 2 / 3])
    np.testing.assert_allclose(rank_product(columns), [math.log(1 / 3 * 3 / 3), math.log(3 / 3 * 1 / 3), math.log(4 / 9)])


def test_rank_product_punishes_one_low_rank_that_the_mean_forgives():
    columns = {"a": [4.0, 2.0, 3.0, 1.0], "b": [1.0, 3.0, 2.0, 4.0]}  # arch 0: ranks 4 and 1; arch 2: 3 and 2
    assert rank_mean(columns)[0] == rank_mean(columns)[2]
    assert rank_product(columns)[0] < rank_product(columns)[2]


def test_undefined_scores_rank_at_the_bottom_and_tie():
    columns = {"a": [-math.inf, 1.0, -math.inf, 2.0], "b": [3.0, 1.0, 2.0, 4.0]}
    ensemble = rank_mean(columns)
    assert ensemble[3] == ensemble.max() and ensemble[0] > ensemble[2]  # a ties 0 and 2 at rank 1.5; b splits them
    np.testing.assert_allclose(ensemble[[0, 2]], [(1.5 + 3) / 8, (1.5 + 2) / 8])


def test_rank_combinations_refuse_unknown_methods_and_single_scores():
    with pytest.raises(NaswotError, match="unknown rank combination method 'rank_median' \\(did you mean 'rank_mean'"):
        combine_by_rank("rank_median", {"a": [1.0], "b": [2.0]})
    with pytest.raises(NaswotError, match="two or more"):
        combine_by_rank("rank_mean", {"a": [1.0, 2.0]})


def synthetic_population(n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Accuracy depends on score a only where score b is high: a relation no rank average can express."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    accuracy = np.where(b > 0, 90 + 3 * np.tanh(a), 60 + 0.1 * rng.normal(size=n))
    b[rng.random(n) < 0.05] = -np.inf  # some networks have no value for b: they are missing values
    accuracy[np.isneginf(b)] = 10.0
    return {"a": a, "b": b}, accuracy


def test_learned_ensemble_beats_its_scores_and_every_rank_ensemble_on_held_out_architectures():
    train, train_acc = synthetic_population(200, seed=1)
    test, test_acc = synthetic_population(800, seed=2)
    ensemble = fit_learned_ensemble(train, train_acc, dataset="toy", seed=0)
    assert ensemble.labelled == 200 and "200 labelled architectures" in ensemble.describe()

    def tau(values: np.ndarray) -> float:
        return stats.kendalltau(values, test_acc).statistic

    learned = tau(ensemble.predict(test))
    assert ensemble.cv_kendall_tau > 0.7 and learned > 0.75
    assert learned > max(tau(test["a"]), tau(test["b"]), tau(rank_mean(test)), tau(rank_product(test))) + 0.1


def test_learned_ensemble_is_seeded_and_survives_a_save_and_load(tmp_path):
    train, train_acc = synthetic_population(120, seed=3)
    test, _ = synthetic_population(50, seed=4)
    first = fit_learned_ensemble(train, train_acc, dataset="toy", seed=7)
    second = fit_learned_ensemble(train, train_acc, dataset="toy", seed=7)
    np.testing.assert_array_equal(first.predict(test), second.predict(test))
    first.save(tmp_path / "ensemble.pkl")
    loaded = LearnedEnsemble.load(tmp_path / "ensemble.pkl")
    np.testing.assert_array_equal(loaded.predict(test), first.predict(test))
    assert (loaded.labelled, loaded.score_names, loaded.dataset) == (120, ("a", "b"), "toy")
    with pytest.raises(NaswotError, match="needs the score"):
        loaded.predict({"a": test["a"]})


def test_a_file_that_is_not_a_learned_ensemble_is_refused_in_one_line(tmp_path):
    (tmp_path / "junk.pkl").write_bytes(b"not a pickle at all")
    with pytest.raises(NaswotError, match="not a naswot learned-ensemble file"):
        LearnedEnsemble.load(tmp_path / "junk.pkl")
    (tmp_path / "other.pkl").write_bytes(pickle.dumps({"format": "something else"}))
    with pytest.raises(NaswotError, match="not a naswot learned-ensemble file"):
        LearnedEnsemble.load(tmp_path / "other.pkl")
    with pytest.raises(NaswotError, match="cannot read"):
        LearnedEnsemble.load(tmp_path / "missing.pkl")


def test_too_few_labelled_architectures_are_refused():
    train, train_acc = synthetic_population(6, seed=5)
    with pytest.raises(NaswotError, match="too few"):
        fit_learned_ensemble(train, train_acc, dataset="toy")
