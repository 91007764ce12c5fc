"""NASWOT variants against codes gathered independently, one ReLU module at a time (as the naswot test does)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from relu_codes import relu_codes

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.spaces import get_space

CELL = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def log_det_of_agreements(codes: list[torch.Tensor]) -> float:
    bits = np.concatenate([c.numpy() for c in codes], axis=1)
    kernel = (bits[:, None, :] == bits[None, :, :]).sum(-1).astype(np.float64)
    sign, logdet = np.linalg.slogdet(kernel)
    assert sign > 0
    return float(logdet)


@pytest.fixture()
def net_and_batch(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(2)
    net = space.build(space.parse(CELL)).train()
    return net, Batch(cifar_batch.images[:16], cifar_batch.labels[:16], 10, "first16")


def test_normalised_kernel_divides_by_the_number_of_relu_units(net_and_batch):
    net, batch = net_and_batch
    codes = relu_codes(net, batch.images)
    units = sum(c.shape[1] for c in codes)
    expected = log_det_of_agreements(codes) - len(batch) * math.log(units)
    assert compute_score(get_score("naswot_norm"), net, batch).value == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("k", [1, 3])
def test_last_k_keeps_the_codes_of_the_last_k_relu_calls(net_and_batch, k):
    net, batch = net_and_batch
    codes = relu_codes(net, batch.images)
    assert len(codes) > k
    value = compute_score(get_score(f"naswot_last{k}"), net, batch).value
    assert value == pytest.approx(log_det_of_agreements(codes[-k:]), rel=1e-10)
    assert value < compute_score(get_score("naswot"), net, batch).value  # K_all = K_last + a PSD rest
