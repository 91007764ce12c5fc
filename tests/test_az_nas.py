"""AZ-NAS components against independent computations: SVD spectra and hand-propagated gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from naswot.scores import compute_score, get_score
from naswot.scores.az_nas import GRADIENT_SEED


class LinearStages(nn.Module):
    """A stem and two 1x1-convolution cells without non-linearity: each block's Jacobian is its weight."""

    def __init__(self, widths: tuple[int, ...] = (3, 4, 5)) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, widths[0], 1, bias=False)
        self.cells = nn.ModuleList(nn.Conv2d(a, b, 1, bias=False) for a, b in zip(widths, widths[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        return x.mean(dim=(2, 3))


def entropy_by_svd(feature: torch.Tensor) -> float:
    """The same spectrum from the singular values of the centred (images * positions) x channels matrix."""
    rows = feature.permute(0, 2, 3, 1).reshape(-1, feature.shape[1]).double().numpy()
    rows = rows - rows.mean(axis=0)
    spectrum = np.linalg.svd(rows, compute_uv=False) ** 2 / len(rows)
    p = spectrum / spectrum.sum()
    return float(-(p * np.log(p + 1e-8)).sum())


def test_expressivity_and_progressivity_match_svd_spectra(cifar_batch):
    torch.manual_seed(0)
    net = LinearStages()
    with torch.no_grad():
        stem = net.stem(cifar_batch.images)
        first = net.cells[0](stem)
        second = net.cells[1](first)
    entropies = [entropy_by_svd(f) for f in (stem, first, second)]
    assert compute_score(get_score("az_expressivity"), net, cifar_batch).value == pytest.approx(sum(entropies), rel=1e-9)
    progress = min(b - a for a, b in zip(entropies, entropies[1:]))
    assert compute_score(get_score("az_progressivity"), net, cifar_batch).value == pytest.approx(progress, rel=1e-7)


def test_trainability_of_linear_blocks_uses_their_weights_as_jacobians(cifar_batch):
    torch.manual_seed(0)
    net = LinearStages()
    images = cifar_batch.images
    n, h, w = len(images), images.shape[2], images.shape[3]
    generator = torch.Generator().manual_seed(GRADIENT_SEED)
    scores = []
    for cell in reversed(net.cells):  # the score walks the blocks from the last to the first
        weight = cell.weight[:, :, 0, 0].detach().double()  # out x in
        g_out = torch.randint(0, 2, (n, weight.shape[0], h, w), generator=generator).double() * 2 - 1
        rows_out = g_out.permute(0, 2, 3, 1).reshape(-1, weight.shape[0])
        rows_in = rows_out @ weight  # g_in = W^T g_out at every position
        sigma = np.linalg.svd((rows_in.T @ rows_out / len(rows_out)).numpy(), compute_uv=False)[0]
        scores.append(-sigma - 1 / (sigma + 1e-6) + 2)
    value = compute_score(get_score("az_trainability"), net, cifar_batch).value
    assert value == pytest.approx(float(np.mean(scores)), rel=1e-6)


def test_a_block_that_passes_its_input_through_makes_trainability_minus_infinity(cifar_batch):
    net = LinearStages()
    net.cells[0] = nn.Identity()
    net.cells[1] = nn.Conv2d(3, 5, 1)
    result = compute_score(get_score("az_trainability"), net, cifar_batch)
    assert result.value == -math.inf and "unchanged" in result.reason


def test_a_network_without_stages_has_no_az_score(cifar_batch):
    result = compute_score(get_score("az_expressivity"), nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10)), cifar_batch)
    assert result.value == -math.inf and "stem and cells" in result.reason
