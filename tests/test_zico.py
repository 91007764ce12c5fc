"""ZiCo: with two mini-batches, mean|g| / std g = (|g1| + |g2|) / |g1 - g2| per weight, from .grad of each half."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from naswot.errors import NaswotError
from naswot.scores import compute_score, get_score
from naswot.spaces import get_space


def half_gradients(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> list[np.ndarray]:
    """The .grad of every conv and linear weight after loss.backward() on this half."""
    net.zero_grad()
    F.cross_entropy(net(images), labels).backward()
    return [m.weight.grad.flatten().double().numpy().copy() for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def test_zico_equals_the_two_batch_closed_form(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+"
                                  "|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"))
    half = len(cifar_batch) // 2
    value = compute_score(get_score("zico"), net, cifar_batch).value
    net.train()
    first = half_gradients(net, cifar_batch.images[:half], cifar_batch.labels[:half])
    second = half_gradients(net, cifar_batch.images[half:], cifar_batch.labels[half:])
    expected = 0.0
    for g1, g2 in zip(first, second):
        varying = g1 != g2
        if varying.any():
            expected += math.log(np.sum((np.abs(g1) + np.abs(g2))[varying] / np.abs(g1 - g2)[varying]))
    assert value == pytest.approx(expected, rel=1e-6)


def test_a_batch_too_small_to_split_is_refused_with_the_fix(cifar_batch):
    tiny = dataclasses.replace(cifar_batch, images=cifar_batch.images[:3], labels=cifar_batch.labels[:3])
    net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
    with pytest.raises(NaswotError, match="batch_size=4"):
        compute_score(get_score("zico"), net, tiny)
