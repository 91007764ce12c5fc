"""NASWOT v1 against an independent per-image Jacobian and the paper's own eigen-decomposition."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.func import jacrev, vmap

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.scores.jacob_cov import correlation_score, input_jacobians


def paper_eval_score(jacob: np.ndarray) -> float:
    """The v1 paper's listing, verbatim: corrcoef, eig, -sum(log(v + k) + 1/(v + k))."""
    corrs = np.corrcoef(jacob)
    v, _ = np.linalg.eig(corrs)
    k = 1e-5
    return float(-np.sum(np.log(v + k) + 1.0 / (v + k)).real)


def small_conv_net() -> nn.Module:
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10),
    )


def test_batch_jacobian_equals_per_image_jacobian(cifar_batch):
    net = small_conv_net()
    images = cifar_batch.images[:16]
    ours = input_jacobians(net, images)

    def summed_logits(image: torch.Tensor) -> torch.Tensor:
        return net(image.unsqueeze(0)).sum()

    independent = vmap(jacrev(summed_logits))(images).reshape(16, -1)
    torch.testing.assert_close(ours, independent, rtol=1e-5, atol=1e-7)


def test_score_equals_the_paper_formula_on_real_images(cifar_batch):
    net = small_conv_net()
    images = cifar_batch.images[:16]
    batch = Batch(images, cifar_batch.labels[:16], 10, "first16")
    result = compute_score(get_score("naswot_v1"), net, batch)
    expected = paper_eval_score(input_jacobians(net, images).numpy().astype(np.float64))
    assert result.value == pytest.approx(expected, rel=1e-6)


def test_uncorrelated_jacobians_reach_the_closed_form_maximum():
    # orthogonal, zero-mean rows have the identity as correlation: every eigenvalue is 1
    rows = np.kron(np.eye(4), np.array([1.0, -1.0]))
    assert correlation_score(rows) == pytest.approx(-4 * (np.log(1 + 1e-5) + 1 / (1 + 1e-5)))


def test_a_constant_jacobian_is_undefined_not_nan(cifar_batch):
    net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
    with torch.no_grad():
        net[1].weight.zero_()
    result = compute_score(get_score("naswot_v1"), net, cifar_batch)
    assert result.value == float("-inf") and "constant" in result.reason
