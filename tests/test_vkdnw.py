"""VKDNW: the Fisher information by closed form on a linear model, and the fast Jacobians against torch.func."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.scores.vkdnw import decile_entropy, fisher_information, functorch_logit_jacobians, logit_jacobians
from naswot.spaces import get_space


def test_fisher_of_a_linear_model_has_its_closed_form():
    # logits = W x + b; probed: W[0,0] and b[0], which move only logit 0: J_n = [[x_n0, 1], 0, 0]
    torch.manual_seed(0)
    linear = nn.Linear(4, 3)
    x = torch.randn(6, 4)
    net = nn.Sequential(linear).eval()
    with torch.no_grad():
        logits = net(x).double()
    fisher = fisher_information(logit_jacobians(net, x), logits).numpy()
    p = torch.softmax(logits, dim=1).numpy() * 0.95 + 0.05 / 3
    v = p[:, 0] * (1 - p[:, 0])
    x0 = x[:, 0].double().numpy()
    expected = np.array([[np.mean(v * x0 * x0), np.mean(v * x0)], [np.mean(v * x0), np.mean(v)]])
    np.testing.assert_allclose(fisher, expected, rtol=1e-6)


def test_an_even_spectrum_has_entropy_log_9():
    assert decile_entropy(torch.eye(20, dtype=torch.float64) * 3.0) == pytest.approx(math.log(9), rel=1e-9)


def test_fast_jacobians_equal_torch_func_on_a_real_network(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+"
                                  "|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"))
    net.eval()
    images = cifar_batch.images[:8]
    fast = logit_jacobians(net, images)
    reference = functorch_logit_jacobians(net, images)
    assert fast.shape == reference.shape and fast.shape[2] == min(128, len(list(net.parameters())))
    torch.testing.assert_close(fast, reference, rtol=1e-4, atol=1e-6)
    value = compute_score(get_score("vkdnw"), net, Batch(images, cifar_batch.labels[:8], 10, "eight"))
    assert 0 < value.value <= math.log(9)


def test_weights_are_rescaled_to_kaiming_fan_in_scale_on_a_copy():
    from naswot.scores.vkdnw import kaiming_scaled_copy
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 64, 3), nn.BatchNorm2d(64), nn.Flatten(), nn.Linear(10, 5))
    before = net[0].weight.clone()
    scaled = kaiming_scaled_copy(net)
    assert torch.equal(net[0].weight, before)  # the run's network is left alone
    assert scaled[0].weight.std().item() == pytest.approx(math.sqrt(2 / 27), rel=1e-5)
    torch.testing.assert_close(scaled[0].weight / scaled[0].weight.std(), before / before.std())  # the same draw, rescaled
    assert scaled[0].bias.abs().sum() == 0 and scaled[3].bias.abs().sum() == 0
