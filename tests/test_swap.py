"""SWAP: distinct sample-wise activation patterns, by hand and against a brute-force count, on the authors' protocol
(16 images, the count averaged over 32 N(0, 1) redraws of the weights)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from torch import nn

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.scores.reinit import weight_generator
from naswot.scores.size import params
from naswot.scores.swap import distinct_rows, sample_wise_patterns
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
    assert sample_wise_patterns(nn.Sequential(linear, nn.ReLU()), images) == 3


@pytest.mark.parametrize("images", [3, 16, 20])
def test_distinct_rows_of_packed_patterns_are_numpy_s_unique_rows(images):
    rng = np.random.default_rng(images)
    rows = rng.integers(0, 2, size=(4000, (images + 7) // 8), dtype=np.uint8)
    expected = len(np.unique(rows, axis=0))
    assert distinct_rows([torch.from_numpy(rows[:1500]), torch.from_numpy(rows[1500:])]) == expected


def authors_swap(net: nn.Module, images: torch.Tensor, generator: torch.Generator) -> float:
    """correlation.py's loop: 32 times network_weight_gaussian_init (N(0, 1) conv and linear weights, zero biases,
    BatchNorm 1 and 0) then the count, averaged; the draws from ``generator`` instead of the global one."""
    counts = []
    for _ in range(32):
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    m.weight.copy_(torch.randn(m.weight.shape, generator=generator))
                    if m.bias is not None:
                        m.bias.zero_()
                elif isinstance(m, nn.BatchNorm2d):
                    m.weight.fill_(1.0)
                    m.bias.zero_()
        counts.append(brute_force_patterns(net, images))
    return float(np.mean(counts))


def test_swap_is_the_authors_mean_count_over_redraws_on_a_real_network(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse(CELL)).train()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    expected = authors_swap(copy.deepcopy(net), cifar_batch.images[:16], weight_generator(net))
    assert compute_score(get_score("swap"), net, cifar_batch).value == pytest.approx(expected, rel=1e-12)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # redrawn on a copy
    assert 1 < expected < 2 ** 16
    # only the first 16 images count
    rest = Batch(torch.cat([cifar_batch.images[:16], -cifar_batch.images[16:]]), cifar_batch.labels, 10, "rest")
    assert compute_score(get_score("swap"), net, rest).value == pytest.approx(expected, rel=1e-12)


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


def test_the_redrawn_swap_does_not_reuse_values_stored_by_the_one_pass_count():
    from naswot.scores.activations import CODES_VERSION
    assert get_score("swap").version == get_score("swap_reg").version == CODES_VERSION + 1
