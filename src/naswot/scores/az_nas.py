"""AZ-NAS's per-network components (Lee & Ham, "AZ-NAS: Assembling Zero-Cost Proxies for NAS", CVPR 2024).

All three read the network's stage features f_0 (the stem's output) and f_1..f_L (each block's
output; ``naswot.spaces.network.stage_modules``), BatchNorm in train mode:
- ``az_expressivity``: for each f_l, the entropy of the normalised eigenvalues of the channels'
  covariance over all images and positions (how evenly the features fill their space), summed;
- ``az_progressivity``: the smallest increase of that entropy from one stage to the next;
- ``az_trainability``: for each pair (f_{l-1}, f_l), sigma = the largest singular value of
  E[g_in g_out^T] for a random +-1 gradient g_out at f_l back-propagated to g_in at f_{l-1}
  (space-to-depth where the resolution halves), scored -sigma - 1/sigma + 2 (0 at sigma = 1, an
  isometry), averaged over the pairs. A block that passes its input through unchanged makes the
  score -inf, as in the code.
AZ-NAS's fourth component is complexity, the ``flops`` score; ``az_nas`` combines the four by the
rank product over a scored population (see the composite scores).

Follows the paper and the authors' NAS-Bench-201 code (``NB201/ZeroShotProxy/compute_az_nas_score.py``):
stages = stem and every cell, reduction blocks included; the network re-initialised Kaiming-normal
(fan in) and fed one batch of 64 standard-normal images of the data's size (lines 124-127: AZ-NAS is
not among the authors' real-input metrics), so the run's batch only fixes the image shape; 1e-8 in the
entropy's log; the +-1 gradient from a fixed seed. The redraw is made on a copy, seeded by the run's
weights (``naswot.scores.reinit``). The redraw matters: not every convolution is followed by BatchNorm
(a reduction block's shortcut is average pooling and a bare 1x1 convolution), so the weights' scale
reaches the features. Spectra are taken in float64 (the code's float32 can give negative eigenvalues
of a near-singular covariance, and so a NaN entropy).

Version 2: the authors' Gaussian input and Kaiming redraw (version 1 scored the run's network on the
real batch).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import UndefinedScore, register_score
from naswot.scores.reinit import gaussian_images, kaiming_normal_copy
from naswot.spaces.network import run_with_hooks, stage_modules

GRADIENT_SEED = 0
GAUSSIAN_IMAGES = 64
"""The authors' batch size (their NAS-Bench-201 config, ``batch_size`` 64)."""


def stage_features(net: nn.Module, batch: Batch, *, authors_input: bool = True) -> list[torch.Tensor]:
    """The stage features of ``net`` redrawn as the authors do, on their Gaussian batch (keeping the autograd
    graph when it is enabled); with ``authors_input=False``, of the run's network on the run's batch."""
    clone = kaiming_normal_copy(net) if authors_input else net
    stages = stage_modules(clone)
    if stages is None:
        raise UndefinedScore("the network has no stem and cells (nor a features sequence) to read stage features from")
    features: list[torch.Tensor] = []
    images = gaussian_images(GAUSSIAN_IMAGES, batch) if authors_input else batch.images
    run_with_hooks(clone, images, stages, lambda module, inputs, output: features.append(output))
    if len(features) < 2:
        raise UndefinedScore("the network has fewer than two stages to compare")
    return features


def spectral_entropy(feature: torch.Tensor) -> float:
    """Entropy of the normalised eigenvalues of the channel covariance over images and positions."""
    rows = feature.detach().permute(0, 2, 3, 1).reshape(-1, feature.shape[1]).double()
    rows = rows - rows.mean(dim=0, keepdim=True)
    eigenvalues = torch.linalg.eigvalsh(rows.T @ rows / rows.shape[0])
    probabilities = eigenvalues / eigenvalues.sum()
    return float(-(probabilities * torch.log(probabilities + 1e-8)).sum())


def stage_entropies(net: nn.Module, batch: Batch, *, authors_input: bool = True) -> list[float]:
    values = [spectral_entropy(f) for f in stage_features(net, batch, authors_input=authors_input)]
    if any(math.isnan(v) for v in values):
        raise UndefinedScore("a stage's features are constant, so their spectrum has no entropy")
    return values


@register_score("az_expressivity", version=2)
def az_expressivity(net: nn.Module, batch: Batch) -> float:
    """Sum over stages of the entropy of the feature covariance's normalised eigenvalues (AZ-NAS, Gaussian input)."""
    return sum(stage_entropies(net, batch))


@register_score("az_expressivity_real")
def az_expressivity_real(net: nn.Module, batch: Batch) -> float:
    """AZ-NAS's expressivity of the run's own network on the real batch (az_expressivity version 1; zero_label's member).

    The recommended ``zero_label`` was chosen, on a choosing half of the cells and before the authors' input
    was adopted, with this member; it keeps it until a new choice is made on the same protocol.
    """
    return sum(stage_entropies(net, batch, authors_input=False))


@register_score("az_progressivity", version=2)
def az_progressivity(net: nn.Module, batch: Batch) -> float:
    """The smallest stage-to-stage increase of the feature spectrum's entropy (AZ-NAS, Gaussian input)."""
    entropies = stage_entropies(net, batch)
    return min(b - a for a, b in zip(entropies, entropies[1:]))


def sign_gradient(like: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    return torch.randint(0, 2, like.shape, generator=generator).to(like.device, like.dtype).mul(2).sub(1)


def jacobian_isometry(f_in: torch.Tensor, f_out: torch.Tensor, generator: torch.Generator) -> float:
    """-sigma - 1/sigma + 2 for sigma the top singular value of E[g_in g_out^T] (one block, random g_out)."""
    g_out = sign_gradient(f_out, generator)
    g_in = torch.autograd.grad(f_out, f_in, g_out, retain_graph=True, allow_unused=True)[0]
    if g_in is None:  # the block ignores its input: no gradient reaches it
        g_in = torch.zeros_like(f_in)
    if g_in.shape == g_out.shape and torch.equal(g_in, g_out):
        raise UndefinedScore("a block passes its input through unchanged, which AZ-NAS scores -inf")
    if g_in.shape[2:] != g_out.shape[2:]:
        g_in = nn.functional.pixel_unshuffle(g_in, g_in.shape[2] // g_out.shape[2])
    rows_in = g_in.permute(0, 2, 3, 1).reshape(-1, g_in.shape[1]).double()
    rows_out = g_out.permute(0, 2, 3, 1).reshape(-1, g_out.shape[1]).double()
    sigma = float(torch.linalg.svdvals(rows_in.T @ rows_out / rows_out.shape[0])[0])
    return -sigma - 1.0 / (sigma + 1e-6) + 2.0


@register_score("az_trainability", needs_grad=True, version=2)
def az_trainability(net: nn.Module, batch: Batch) -> float:
    """Mean over blocks of -sigma - 1/sigma + 2, sigma the block's top Jacobian singular value (AZ-NAS, Gaussian input)."""
    features = stage_features(net, batch)
    generator = torch.Generator().manual_seed(GRADIENT_SEED)
    scores = [jacobian_isometry(features[i - 1], features[i], generator) for i in reversed(range(1, len(features)))]
    return sum(scores) / len(scores)
