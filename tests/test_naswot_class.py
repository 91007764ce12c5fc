"""naswot_class: the class contrast of the NASWOT kernel, against pairwise Hamming distances counted by hand."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch
from torch import nn

from naswot.data import Batch
from naswot.errors import NaswotError
from naswot.scores import compute_score, get_score
from naswot.spaces import get_space


def brute_force_contrast(net: nn.Module, images: torch.Tensor, labels: np.ndarray) -> float:
    bits = []
    hooks = [m.register_forward_hook(lambda m, i, o: bits.append((i[0] > 0).reshape(len(i[0]), -1).numpy()))
             for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net(images)
    for hook in hooks:
        hook.remove()
    codes = np.concatenate(bits, axis=1)
    same, different = [], []
    for i in range(len(codes)):
        for j in range(len(codes)):
            if i != j:
                (same if labels[i] == labels[j] else different).append(np.mean(codes[i] != codes[j]))
    return float(np.mean(different) - np.mean(same))


def test_hand_built_codes_give_the_hand_computed_contrast():
    # identity codes on 2 units: images 0,1 (class 0) agree on both units, image 2 (class 1) differs on one
    images = torch.tensor([[1.0, 1.0], [2.0, 1.0], [1.0, -1.0]])
    batch = Batch(images, torch.tensor([0, 0, 1]), 2, "hand")
    value = compute_score(get_score("naswot_class"), nn.ReLU(), batch).value
    assert value == pytest.approx(0.5 - 0.0)  # different-class pairs differ on 1 of 2 units, same-class on none


def test_contrast_equals_pairwise_hamming_distances_on_a_real_network(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|"))
    net.train()
    expected = brute_force_contrast(net, cifar_batch.images, cifar_batch.labels.numpy())
    assert compute_score(get_score("naswot_class"), net, cifar_batch).value == pytest.approx(expected, abs=1e-12)


def test_one_class_only_is_undefined_and_missing_labels_are_refused(cifar_batch):
    net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 8), nn.ReLU())
    one_class = dataclasses.replace(cifar_batch, labels=torch.zeros(len(cifar_batch), dtype=torch.long))
    result = compute_score(get_score("naswot_class"), net, one_class)
    assert result.value == -math.inf and "same-class pair" not in result.reason and "two images" in result.reason
    with pytest.raises(NaswotError, match="needs labelled images"):
        compute_score(get_score("naswot_class"), net, dataclasses.replace(cifar_batch, labels=None))
