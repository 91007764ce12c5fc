"""SynFlow against its closed form: with absolute weights and no biases, each layer contributes R(1)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from naswot.data import Batch
from naswot.scores import compute_score, get_score


def ones_batch(features: int) -> Batch:
    images = torch.randn(4, features)  # only the shape matters: synflow feeds an all-ones input
    return Batch(images, torch.zeros(4, dtype=torch.long), 2, "shape")


def linear_relu_net(widths: list[int], seed: int, batchnorm: bool = False) -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        layers.append(nn.Linear(a, b, bias=False))
        if i < len(widths) - 2:
            layers += [nn.BatchNorm1d(b)] if batchnorm else []
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def closed_form_log(net: nn.Sequential, width_in: int) -> float:
    """log(L * 1^T |W_L| ... |W_1| 1), computed layer by layer in log-space so it never overflows.

    All inputs and weights are non-negative, so every ReLU passes its input and R(1) is the product
    of the absolute weight matrices; R is linear in each layer's weights, so sum |w dR/dw| over one
    layer is R itself (Euler), and L layers give L * R.
    """
    weights = [m.weight.detach().double().abs() for m in net if isinstance(m, nn.Linear)]
    v = torch.ones(width_in, dtype=torch.float64)
    log_scale = 0.0
    for w in weights:
        v = w @ v
        log_scale += math.log(float(v.max()))
        v = v / v.max()
    return math.log(len(weights)) + log_scale + math.log(float(v.sum()))


def test_synflow_of_a_linear_relu_net_equals_the_closed_form():
    net = linear_relu_net([5, 7, 4, 3], seed=0)
    value = compute_score(get_score("synflow"), net, ones_batch(5)).value
    assert math.log(value) == pytest.approx(closed_form_log(net, 5), rel=1e-12)


def test_synflow_ignores_batchnorm_and_keeps_the_network_unchanged():
    net = linear_relu_net([5, 7, 4, 3], seed=1, batchnorm=True)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    value = compute_score(get_score("synflow"), net, ones_batch(5)).value
    assert math.log(value) == pytest.approx(closed_form_log(net, 5), rel=1e-12)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # signs and dtype restored


def test_a_deep_net_whose_float32_flow_overflows_is_scored_in_float64():
    net = linear_relu_net([64] * 41 + [10], seed=2)
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(8.0)  # |w| ~ 0.5: each of 41 layers multiplies the flow by ~ 64 * 0.5
    expected = closed_form_log(net, 64)
    assert expected > math.log(torch.finfo(torch.float32).max)  # float32 would give inf here
    value = compute_score(get_score("synflow"), net, ones_batch(64)).value
    assert math.log(value) == pytest.approx(expected, rel=1e-12)


def test_a_flow_beyond_float64_is_undefined_with_a_reason():
    net = linear_relu_net([64] * 150 + [10], seed=3)
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(40.0)
    result = compute_score(get_score("synflow"), net, ones_batch(64))
    assert result.value == -math.inf and "overflows float64" in result.reason
