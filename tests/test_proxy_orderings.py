"""The proxies made faithful to their authors' code, on real NAS-Bench-201 networks (the full skeleton) whose
trained accuracies are far apart: each ranks them as their accuracies do."""

from __future__ import annotations

import pytest
import torch

from naswot.scores import compute_score, get_score
from naswot.spaces import get_space
from naswot.tables.nasbench201 import NasBench201Table

STRONG, MIDDLE, WEAK = (  # CIFAR-10 test accuracy about 94.4, 81.6 and 52.1
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
    "|avg_pool_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|avg_pool_3x3~2|",
    "|avg_pool_3x3~0|+|avg_pool_3x3~0|skip_connect~1|+|avg_pool_3x3~0|skip_connect~1|skip_connect~2|",
)


@pytest.fixture(scope="module")
def networks():
    space = get_space("nasbench201")
    built = {}
    for cell in (STRONG, MIDDLE, WEAK):
        torch.manual_seed(0)
        built[cell] = (space.parse(cell), space.build(space.parse(cell)))
    return built


def test_the_cells_accuracies_are_far_apart(networks, nb201_csv):
    table = NasBench201Table(nb201_csv)
    strong, middle, weak = (table.accuracy(networks[cell][0], "cifar10") for cell in (STRONG, MIDDLE, WEAK))
    assert strong > middle + 10 > weak + 20


@pytest.mark.parametrize("name, cells", [
    ("az_expressivity", (STRONG, MIDDLE, WEAK)),
    ("meco_real", (STRONG, MIDDLE, WEAK)),
    ("parameter_tensors", (STRONG, MIDDLE, WEAK)),
    ("az_trainability", (STRONG, WEAK)),  # the costlier ones on the two cells furthest apart
    ("swap", (STRONG, WEAK)),
    ("vkdnw", (STRONG, WEAK)),
    ("vkdnw_single", (STRONG, WEAK)),
])
def test_the_score_ranks_the_cells_as_their_accuracies(name, cells, networks, cifar_batch):
    values = [compute_score(get_score(name), networks[cell][1], cifar_batch).value for cell in cells]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values), values
