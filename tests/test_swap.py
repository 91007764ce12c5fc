"""SWAP: distinct sample-wise activation patterns, by hand and against a brute-force count."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.scores.size import params
from naswot.spaces import get_space

CELL = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def brute_force_patterns(net: nn.Module, images: torch.Tensor) -> int:
    """Every ReLU call's sign bits as (units x images) rows, stacked, counted with numpy's unique rows."""
    rows = []
    hooks = [m.register_forward_hook(lambda m, i, o: rows.append((o > 0).reshape(len(o), -1).T.numpy()))
             for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net(images)
    for hook in hooks:
        hook.remove()
    return len(np.unique(np.concatenate(rows), axis=0))


def test_hand_built_units_with_equal_patterns_count_once():
    # units 0 and 2 fire on the same images (x0 > 0), unit 1 on x1 > 0, unit 3 never: 3 distinct patterns
    linear = nn.Linear(2, 4, bias=False)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [-1.0, -1.0]]))
    images = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]])
    batch = Batch(images, torch.zeros(3, dtype=torch.long), 2, "hand")
    assert compute_score(get_score("swap"), nn.Sequential(linear, nn.ReLU()), batch).value == 3


def test_swap_equals_brute_force_on_a_real_network(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse(CELL)).train()
    expected = brute_force_patterns(net, cifar_batch.images)
    assert compute_score(get_score("swap"), net, cifar_batch).value == expected
    assert 1 < expected < 2 ** len(cifar_batch)


def test_swap_reg_is_swap_times_the_gaussian_size_factor(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse(CELL))
    swap = compute_score(get_score("swap"), net, cifar_batch).value
    factor = math.exp(-((params(net, cifar_batch) / 1e6 - 1.5) ** 2) / 1.5)
    assert math.isclose(compute_score(get_score("swap_reg"), net, cifar_batch).value, swap * factor, rel_tol=1e-12)


def test_a_network_without_relu_has_no_swap(cifar_batch):
    result = compute_score(get_score("swap"), nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10)), cifar_batch)
    assert result.value == -math.inf and "no ReLU" in result.reason
