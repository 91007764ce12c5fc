"""EPE-NAS: closed forms for known correlations, and a real network against independently computed Jacobians."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.func import jacrev, vmap

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.scores.epe_nas import epe_score

K = 1e-5
SAME = np.array([1.0, -1.0, 2.0, 0.0])
ORTHOGONAL = np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])  # zero mean, uncorrelated


def test_per_class_terms_sum_as_absolute_values_for_up_to_100_classes():
    # class 0: two identical rows (all |corr| = 1); class 1: uncorrelated rows; class 2: one image
    jacobians = np.vstack([SAME, 3 * SAME, ORTHOGONAL, SAME])
    labels = np.array([0, 0, 1, 1, 2])
    e0, e1, e2 = 4 * math.log(1 + K), 2 * math.log(1 + K) + 2 * math.log(K), math.log(1 + K)
    assert epe_score(jacobians, labels, 10) == pytest.approx(abs(e0) + abs(e1) + abs(e2), rel=1e-12)


def test_with_more_than_100_classes_the_size_normalised_terms_are_compared_pairwise():
    jacobians = np.vstack([SAME, 3 * SAME, ORTHOGONAL])
    labels = np.array([5, 5, 119, 119])
    e5, e119 = 4 * math.log(1 + K) / 2, (2 * math.log(1 + K) + 2 * math.log(K)) / 2
    assert epe_score(jacobians, labels, 120) == pytest.approx(2 * abs(e5 - e119) / 2, rel=1e-12)


def test_a_real_network_scores_its_independently_computed_jacobians(cifar_batch):
    torch.manual_seed(5)
    net = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.Conv2d(6, 6, 3, stride=2), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 10))
    images, labels = cifar_batch.images[:20], cifar_batch.labels[:20]
    jacobians = vmap(jacrev(lambda image: net(image.unsqueeze(0)).sum()))(images).reshape(20, -1).detach().double().numpy()
    expected = 0.0
    for label in np.unique(labels.numpy()):
        rows = jacobians[labels.numpy() == label]
        correlation = np.corrcoef(rows) if len(rows) > 1 else np.ones((1, 1))
        expected += abs(np.log(np.abs(correlation) + K).sum())
    result = compute_score(get_score("epe_nas"), net, Batch(images, labels, 10, "first20"))
    assert len(np.unique(labels.numpy())) > 3 and result.value == pytest.approx(expected, rel=1e-5)
