"""Zen-score on a conv-BN network against its definition in expectation."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from naswot.data import Batch
from naswot.scores import compute_score, get_score


class ConvBN(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.head = nn.Linear(channels, 2)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x).mean((2, 3)))


def expected_zen(channels: int, pixels: int) -> float:
    """Zen's definition in expectation, from Gaussian facts alone (no replay of the score's random draws).

    With N(0, 1) weights w_k and inputs, conv output channel k has variance |w_k|^2 (mean ``channels``).
    Train-mode BatchNorm divides it out, so each feature changes by 0.01 (w_k . e) / |w_k| ~ N(0, 0.01^2),
    whose mean absolute value is 0.01 sqrt(2 / pi): the L1 change of one image is ``channels * pixels``
    times that. The running variance starts at 1 and takes two momentum-0.1 steps towards |w_k|^2:
    0.81 + 0.19 * channels on average over k.
    """
    change = channels * pixels * 0.01 * math.sqrt(2 / math.pi)
    return math.log(change) + 0.5 * math.log(0.81 + 0.19 * channels)


def test_zen_of_a_conv_bn_net_is_its_definition_in_expectation():
    net = ConvBN(64)
    batch = Batch(torch.zeros(32, 64, 4, 4), torch.zeros(32, dtype=torch.long), 2, "shape")
    before = {k: v.clone() for k, v in net.state_dict().items()}
    values = []
    for seed in range(3):
        torch.manual_seed(seed)
        values.append(compute_score(get_score("zen"), net, batch).value)
    # 32 images x 1,024 features make the first term exact to ~0.5%; 64 channels the second to ~1%
    assert all(value == pytest.approx(expected_zen(64, 16), abs=0.05) for value in values)
    assert len(set(values)) == 3  # the draws differ: agreement is not one lucky seed
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # scored on a copy


class PooledConvBN(ConvBN):
    """ConvBN without forward_features: its feature map is what its AdaptiveAvgPool2d receives."""

    forward_features = None  # type: ignore[assignment]

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(self.bn(self.conv(x))).flatten(1))


def test_a_network_without_forward_features_is_read_before_its_global_pooling():
    batch = Batch(torch.zeros(32, 64, 4, 4), torch.zeros(32, dtype=torch.long), 2, "shape")
    offered, pooled = ConvBN(64), PooledConvBN(64)
    pooled.load_state_dict(offered.state_dict(), strict=False)
    torch.manual_seed(0)
    expected = compute_score(get_score("zen"), offered, batch).value
    torch.manual_seed(0)
    assert compute_score(get_score("zen"), pooled, batch).value == pytest.approx(expected, rel=1e-12)


def test_a_network_without_forward_features_or_global_pooling_has_no_zen_score():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    result = compute_score(get_score("zen"), net, Batch(torch.randn(2, 3, 8, 8), torch.zeros(2, dtype=torch.long), 2, "x"))
    assert result.value == -math.inf and "forward_features" in result.reason
