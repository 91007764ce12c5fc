"""Zen-score on a one-channel conv-BN network, where every step of the definition can be written out."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from naswot.data import Batch
from naswot.scores import compute_score, get_score


class ConvBN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(1)
        self.head = nn.Linear(1, 2)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x).mean((2, 3)))


def by_hand(seed: int, shape: tuple[int, ...]) -> float:
    """Draw what zen draws, in its order (conv weight, head weights, images, perturbation), and apply the definition."""
    torch.manual_seed(seed)
    w = float(torch.randn(1))
    torch.randn(2)  # the head's N(0, 1) weights: drawn, but the features never reach the head
    x = torch.randn(shape).double()
    e = torch.randn(shape).double()

    def train_bn(z: torch.Tensor) -> torch.Tensor:
        return (z - z.mean()) / torch.sqrt(z.var(unbiased=False) + 1e-5)

    clean, perturbed = w * x, w * (x + 0.01 * e)
    change = (train_bn(clean) - train_bn(perturbed)).abs().flatten(1).sum(1).mean()
    running_var = 0.9 * (0.9 * 1.0 + 0.1 * clean.var()) + 0.1 * perturbed.var()  # momentum 0.1, unbiased
    return math.log(float(change)) + 0.5 * math.log(float(running_var))


def test_zen_of_a_conv_bn_net_equals_the_definition_written_out():
    net = ConvBN()
    batch = Batch(torch.zeros(6, 1, 4, 4), torch.zeros(6, dtype=torch.long), 2, "shape")
    before = {k: v.clone() for k, v in net.state_dict().items()}
    torch.manual_seed(11)
    value = compute_score(get_score("zen"), net, batch).value
    assert value == pytest.approx(by_hand(11, (6, 1, 4, 4)), rel=1e-5)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # scored on a copy


def test_a_network_without_forward_features_has_no_zen_score():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    result = compute_score(get_score("zen"), net, Batch(torch.randn(2, 3, 8, 8), torch.zeros(2, dtype=torch.long), 2, "x"))
    assert result.value == -math.inf and "forward_features" in result.reason
