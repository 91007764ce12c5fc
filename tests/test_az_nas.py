"""AZ-NAS components against independent computations: SVD spectra, hand-propagated gradients, and the authors'
compute_nas_score re-implemented line by line on a real NAS-Bench-201 network, all on their input (a Kaiming
redraw and one Gaussian batch of 64)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.scores.az_nas import GRADIENT_SEED
from naswot.scores.reinit import kaiming_normal_copy
from naswot.spaces import get_space


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


def authors_input() -> torch.Tensor:
    """torch.randn(size=[64, 3, 32, 32]) of the authors' lines 126-127, from a fixed seed."""
    return torch.randn((64, 3, 32, 32), generator=torch.Generator().manual_seed(0))


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
    redrawn = kaiming_normal_copy(net)
    with torch.no_grad():
        stem = redrawn.stem(authors_input())
        first = redrawn.cells[0](stem)
        second = redrawn.cells[1](first)
    entropies = [entropy_by_svd(f) for f in (stem, first, second)]
    assert compute_score(get_score("az_expressivity"), net, cifar_batch).value == pytest.approx(sum(entropies), rel=1e-9)
    progress = min(b - a for a, b in zip(entropies, entropies[1:]))
    assert compute_score(get_score("az_progressivity"), net, cifar_batch).value == pytest.approx(progress, rel=1e-7)


def test_trainability_of_linear_blocks_uses_their_weights_as_jacobians(cifar_batch):
    torch.manual_seed(0)
    net = LinearStages()
    redrawn = kaiming_normal_copy(net)
    n, h, w = 64, 32, 32
    generator = torch.Generator().manual_seed(GRADIENT_SEED)
    scores = []
    for cell in reversed(redrawn.cells):  # the score walks the blocks from the last to the first
        weight = cell.weight[:, :, 0, 0].detach().double()  # out x in
        g_out = torch.randint(0, 2, (n, weight.shape[0], h, w), generator=generator).double() * 2 - 1
        rows_out = g_out.permute(0, 2, 3, 1).reshape(-1, weight.shape[0])
        rows_in = rows_out @ weight  # g_in = W^T g_out at every position
        sigma = np.linalg.svd((rows_in.T @ rows_out / len(rows_out)).numpy(), compute_uv=False)[0]
        scores.append(-sigma - 1 / (sigma + 1e-6) + 2)
    value = compute_score(get_score("az_trainability"), net, cifar_batch).value
    assert value == pytest.approx(float(np.mean(scores)), rel=1e-6)


def authors_components(model: nn.Module, input_: torch.Tensor) -> dict[str, float]:
    """compute_nas_score of NB201/ZeroShotProxy/compute_az_nas_score.py after init_model and input_, line for line
    (float32), but for the +-1 gradient: drawn from the score's seeded generator instead of torch.bernoulli."""
    model.train()
    layer_features = [model.stem(input_)]
    for cell in model.cells:
        layer_features.append(cell(layer_features[-1]))
    expressivity_scores = []
    for feat in layer_features:
        feat = feat.detach().clone()
        b, c, h, w = feat.size()
        feat = feat.permute(0, 2, 3, 1).contiguous().view(b * h * w, c)
        feat = feat - feat.mean(dim=0, keepdim=True)
        s = torch.linalg.eigvalsh(torch.mm(feat.transpose(1, 0), feat) / feat.size(0))
        prob_s = s / s.sum()
        expressivity_scores.append(((-prob_s) * torch.log(prob_s + 1e-8)).sum().item())
    expressivity_scores = np.array(expressivity_scores)
    generator = torch.Generator().manual_seed(GRADIENT_SEED)
    scores = []
    for i in reversed(range(1, len(layer_features))):
        f_out, f_in = layer_features[i], layer_features[i - 1]
        g_out = torch.randint(0, 2, f_out.shape, generator=generator).float() * 2 - 1
        g_in = torch.autograd.grad(outputs=f_out, inputs=f_in, grad_outputs=g_out, retain_graph=True)[0]
        if g_out.size(2) != g_in.size(2):
            g_in = nn.PixelUnshuffle(int(g_in.size(2) / g_out.size(2)))(g_in)
        bo, co, ho, wo = g_out.size()
        g_out = g_out.permute(0, 2, 3, 1).contiguous().view(bo * ho * wo, co)
        g_in = g_in.permute(0, 2, 3, 1).contiguous().view(-1, g_in.size(1))
        mat = torch.mm(g_in.transpose(1, 0), g_out) / (bo * ho * wo)
        s = torch.linalg.svdvals(mat)
        scores.append(-s.max().item() - 1 / (s.max().item() + 1e-6) + 2)
    return {"az_expressivity": float(np.sum(expressivity_scores)),
            "az_progressivity": float(np.min(expressivity_scores[1:] - expressivity_scores[:-1])),
            "az_trainability": float(np.mean(scores))}


def test_the_components_are_the_authors_on_a_real_network(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|"))
    expected = authors_components(kaiming_normal_copy(net), authors_input())
    for name, value in expected.items():
        assert compute_score(get_score(name), net, cifar_batch).value == pytest.approx(value, rel=1e-4, abs=1e-4)
    # the run's batch fixes only the image shape; the run's weights seed the redraw
    zeros = Batch(torch.zeros_like(cifar_batch.images), cifar_batch.labels, 10, "zeros")
    assert compute_score(get_score("az_expressivity"), net, zeros).value == pytest.approx(expected["az_expressivity"],
                                                                                          rel=1e-4)
    torch.manual_seed(1)
    other = space.build(space.parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|"))
    assert compute_score(get_score("az_expressivity"), other, cifar_batch).value != pytest.approx(
        expected["az_expressivity"], rel=1e-6)


def test_a_block_that_passes_its_input_through_makes_trainability_minus_infinity(cifar_batch):
    net = LinearStages()
    net.cells[0] = nn.Identity()
    net.cells[1] = nn.Conv2d(3, 5, 1)
    result = compute_score(get_score("az_trainability"), net, cifar_batch)
    assert result.value == -math.inf and "unchanged" in result.reason


def test_a_network_without_stages_has_no_az_score(cifar_batch):
    result = compute_score(get_score("az_expressivity"), nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10)), cifar_batch)
    assert result.value == -math.inf and "stem and cells" in result.reason
