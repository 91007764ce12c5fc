"""NASWOT v2: the Hamming kernel against a brute-force count of agreeing ReLU codes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from relu_codes import relu_codes
from torch import nn

from naswot.scores import compute_score, get_score
from naswot.scores.activations import agreement_kernel
from naswot.scores.naswot import hamming_kernel
from naswot.spaces import get_space


def brute_force_kernel(net: nn.Module, images: torch.Tensor) -> np.ndarray:
    """Concatenate the codes of every ReLU call and count agreeing bits pair by pair."""
    bits = np.concatenate([c.numpy() for c in relu_codes(net, images)], axis=1)
    n = len(bits)
    kernel = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            kernel[i, j] = np.sum(bits[i] == bits[j])
    return kernel


def test_kernel_of_a_two_layer_relu_net_equals_hand_count():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2), nn.ReLU())
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        net[0].bias.zero_()
        net[2].weight.copy_(torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0]]))
        net[2].bias.zero_()
    x = torch.tensor([[1.0, 1.0], [-1.0, 2.0], [-1.0, -1.0]])
    # codes: layer 1 (x1>0, x2>0, x1+x2>0), layer 2 (h1>0, -h3>0)
    # x0: 1,1,1 | 1,0   x1: 0,1,1 | 0,0   x2: 0,0,0 | 0,0
    expected = np.array([[5, 3, 1], [3, 5, 3], [1, 3, 5]], dtype=float)
    assert np.array_equal(hamming_kernel(net, x).numpy(), expected)


@pytest.mark.parametrize("cell", [
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
    "|nor_conv_1x1~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|",
    "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|",
])
def test_kernel_of_a_real_network_equals_brute_force_on_real_images(cell, cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse(cell)).train()
    images = cifar_batch.images[:12]
    with torch.no_grad():
        ours = hamming_kernel(net, images).numpy()
    assert np.array_equal(ours, brute_force_kernel(net, images))
    sign, logdet = np.linalg.slogdet(ours)
    result = compute_score(get_score("naswot"), net, cifar_batch.__class__(images, cifar_batch.labels[:12], 10, "x"))
    assert sign > 0 and result.value == pytest.approx(logdet, rel=1e-12)


def test_agreement_kernel_equals_float_arithmetic():
    codes = torch.rand(7, 1000) > 0.5
    as_float = codes.double()
    expected = as_float @ as_float.T + (1 - as_float) @ (1 - as_float).T
    assert torch.equal(agreement_kernel(codes), expected)
    assert torch.all(torch.diagonal(agreement_kernel(codes)) == 1000)


def test_identical_images_make_the_kernel_singular_and_the_score_minus_infinity(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    net = space.build(space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_3x3~2|"))
    twins = cifar_batch.__class__(cifar_batch.images[[0, 0, 1, 2]], cifar_batch.labels[[0, 0, 1, 2]], 10, "twins")
    result = compute_score(get_score("naswot"), net, twins)
    assert result.value == -math.inf and "singular" in result.reason


def test_a_cell_that_zeroes_its_input_has_no_score(cifar_batch):
    # every edge into a node is `none`, so the only ReLU sees zeros and all images share one code
    space = get_space("nasbench201:C=4,N=1")
    net = space.build(space.parse("|none~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|"))
    result = compute_score(get_score("naswot"), net, cifar_batch)
    assert result.value == -math.inf and "singular" in result.reason


def test_a_network_without_relu_has_no_score(cifar_batch):
    net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
    result = compute_score(get_score("naswot"), net, cifar_batch)
    assert result.value == -math.inf and "no ReLU" in result.reason


def test_a_network_that_cannot_take_the_batch_scores_minus_infinity_with_torchs_reason(cifar_batch):
    net = nn.Sequential(nn.Flatten(), nn.Linear(100, 10), nn.ReLU())
    result = compute_score(get_score("naswot"), net, cifar_batch)
    assert result.value == -math.inf and "failed on this batch" in result.reason and "shapes" in result.reason


def test_the_kernel_does_not_depend_on_the_memory_layout(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse("|nor_conv_1x1~0|+|nor_conv_3x3~0|skip_connect~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|"))
    assert cifar_batch.images.is_contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        channels_last = hamming_kernel(net, cifar_batch.images)
        channels_first = hamming_kernel(net, cifar_batch.images.contiguous())
    # the convolutions round differently per layout, so a unit within float error of 0 may flip
    assert (channels_last - channels_first).abs().max() <= 2
