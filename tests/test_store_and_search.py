"""The result store and the random-sampling search built on it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from naswot.compute import Compute, score_network
from naswot.errors import NaswotError
from naswot.executor import score_architectures
from naswot.scores import ScoreResult, get_score
from naswot.search import get_strategy, sample_distinct
from naswot.search.stored import search_with_store
from naswot.spaces import get_space
from naswot.store import ResultKey, Store


def test_results_survive_reopening_and_keys_separate_them(tmp_path):
    key = ResultKey("nasbench201", "naswot", "cifar10:train:n=2", 0, ResultKey.settings_text({"b": 1, "a": 2}))
    with Store(tmp_path / "r.db") as store:
        store.put(key, "x", ScoreResult(-math.inf, 0.5, "singular"))
        store.put(key, "y", ScoreResult(3.25, 0.1))
    same_settings = ResultKey(key.space, key.score, key.data, key.seed, ResultKey.settings_text({"a": 2, "b": 1}))
    with Store(tmp_path / "r.db") as store:
        assert store.get_many(same_settings, ["x", "y", "z"]) == {
            "x": ScoreResult(-math.inf, 0.5, "singular"), "y": ScoreResult(3.25, 0.1)}
        assert store.get_many(ResultKey(key.space, key.score, key.data, 1, key.settings), ["x"]) == {}


def test_scores_do_not_depend_on_order_or_process(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    archs = sample_distinct(space, 6, np.random.default_rng(5))
    pooled = score_architectures(space, archs, ["naswot"], cifar_batch, seed=2, compute=Compute(workers=2, show_progress=False))
    alone = [score_network(space, arch, get_score("naswot"), cifar_batch, seed=2).value for arch in reversed(archs)]
    assert pooled.values("naswot", archs) == alone[::-1]


def test_search_returns_the_highest_scoring_sample_and_reuses_the_store(cifar_batch):
    space, store, compute = get_space("nasbench201:C=4,N=1"), Store(), Compute(workers=1, show_progress=False)
    random = get_strategy("random")()
    first = search_with_store(space, random, cifar_batch, n=8, seed=1, store=store, compute=compute)
    assert [e.arch for e in first.history] == sample_distinct(space, 8, np.random.default_rng(1))
    values = [value for _, value in first.ranked()]
    assert values == sorted(values, reverse=True) and len(values) == 8 and first.best_score == values[0]
    again = search_with_store(space, random, cifar_batch, n=8, seed=1, store=store, compute=compute)
    assert again.reused == 8 and again.computed == 0 and again.history == first.history


def test_distinct_samples_and_a_spent_budget(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    archs = sample_distinct(space, 500, np.random.default_rng(0))
    assert len(set(archs)) == 500
    with pytest.raises(NaswotError, match="raise budget_seconds="):
        search_with_store(space, get_strategy("random")(), cifar_batch, n=4, budget_seconds=1e-9,
                          compute=Compute(workers=1, show_progress=False))
