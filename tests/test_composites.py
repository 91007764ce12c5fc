"""The named combinations: AZ-NAS's and VKDNW's aggregations as their authors compute them, and zero_label."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from naswot.scores.expressions import COMBINATIONS, parse_score


@pytest.mark.parametrize("name, members", [
    ("az_nas", ("az_expressivity", "az_progressivity", "az_trainability", "flops")),
    ("vkdnw_agg", ("vkdnw", "az_expressivity", "az_trainability", "flops", "jacov")),
    ("vkdnw_agg_mbv2", ("flops", "az_expressivity", "az_progressivity", "vkdnw_single", "az_trainability")),
])
def test_author_aggregations_are_sums_of_log_normalised_ranks(name, members):
    rng = np.random.default_rng(0)
    columns = {m: rng.normal(size=40) for m in members}
    columns[members[0]][3] = -np.inf  # an undefined score ranks at the bottom
    expression = parse_score(name)
    assert set(expression.members) == set(members) and expression.method == "rank_product"
    # the authors' notebook: rank_agg = sum over components of np.log(stats.rankdata(values) / l)
    expected = sum(np.log(stats.rankdata(columns[m]) / 40) for m in members)
    np.testing.assert_allclose(expression.combine(columns), expected)


def test_zero_label_is_a_registered_combination_of_registered_scores():
    expression = parse_score("zero_label")
    assert expression.is_combination and len(expression.members) >= 2
    assert COMBINATIONS.get("zero_label") == f"{expression.method}({','.join(expression.members)})"


def test_a_user_combination_is_usable_by_name_and_a_clashing_one_is_refused():
    from naswot.errors import NaswotError
    from naswot.scores.expressions import register_combination

    register_combination("my_pair", "rank_mean(naswot, params)")
    expression = parse_score("my_pair")
    assert (expression.name, expression.members, expression.method) == ("my_pair", ("naswot", "params"), "rank_mean")
    register_combination("my_pair", "rank_mean(naswot,params)")  # the same definition again is fine
    with pytest.raises(NaswotError, match="named combination 'my_pair' is defined twice: by rank_mean\\(naswot,params\\) "
                                          "and by rank_product\\(naswot,params\\)"):
        register_combination("my_pair", "rank_product(naswot,params)")
    with pytest.raises(NaswotError, match="'synflow' is a score's name"):
        register_combination("synflow", "rank_mean(naswot,params)")
