"""Properties every registered score shares: defined or -inf with a reason, never NaN, never +inf."""

from __future__ import annotations

import math

import pytest
import torch

from naswot.evaluate import rank_correlation
from naswot.scores import compute_score, get_score, score_names
from naswot.scores.catalog import catalog, live_catalog
from naswot.spaces import get_space

ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
ORDINARY = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|"
NOT_SCORES = {"latency": "a cost in ms, timed on this machine: higher is not better and it is not reproducible"}
SUITE = [name for name in score_names() if name not in NOT_SCORES and not name.startswith("llo:")]
"""Every registered score; the LLO's settings grid (llo:*) shares llo's code and is covered by its own tests."""


def test_the_suite_covers_the_builtin_scores_the_papers_name():
    assert {"naswot", "naswot_v1", "jacov", "synflow", "snip", "grad_norm", "zico", "meco", "swap", "vkdnw", "llo",
            "az_expressivity", "az_progressivity", "az_trainability", "epe_nas", "zen", "fisher", "grasp",
            "vkdnw_single", "vkdnw_single_paper", "parameter_tensors", "meco_real"} <= set(SUITE)


def test_the_catalog_that_lists_scores_without_torch_is_the_registry():
    assert catalog() == live_catalog(), "a score changed: run python -m naswot.scores.catalog"


def test_jacov_and_naswot_v1_are_one_implementation():
    assert get_score("jacov").function is get_score("naswot_v1").function


@pytest.mark.parametrize("name", SUITE)
def test_every_score_of_an_all_none_cell_is_defined_or_minus_infinity_with_a_reason(name, cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    result = compute_score(get_score(name), space.build(space.parse(ALL_NONE)), cifar_batch)
    assert not math.isnan(result.value) and result.value != math.inf
    assert math.isfinite(result.value) or result.reason
    torch.manual_seed(0)
    ordinary = compute_score(get_score(name), space.build(space.parse(ORDINARY)), cifar_batch)
    assert math.isfinite(ordinary.value) and ordinary.reason is None
    # the dead network ranks below a working one: a ranking against their accuracies is perfect, and a -inf
    # is counted as undefined instead of breaking the arithmetic
    assert result.value < ordinary.value
    ranking = rank_correlation([result.value, ordinary.value], [10.0, 90.0])
    assert ranking.kendall_tau == 1.0 and ranking.spearman_rho == pytest.approx(1.0)
    assert ranking.undefined == (1 if result.value == -math.inf else 0)
