"""MeCo (Jiang et al., "Zero-shot NAS via the Minimum Eigenvalue of Pearson Correlation", NeurIPS 2023).

For the feature map of every layer (C channels x H x W positions of one image), the C x C Pearson
correlation of the channels across positions; the score sums each layer's smallest eigenvalue. A
channel that is constant over the positions has no correlation: its entries count as 0, as in
the authors' code.

Follows the authors' code where the paper is loose: one image of standard-normal pixels at 64 x 64
(drawn from a fixed seed, so every network sees the same one; the paper's "a single random data
sample"), the output of every module (containers included, so a tensor that two modules return is
counted twice, exactly as the code's hooks count it), BatchNorm in train mode.
"""

from __future__ import annotations

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import register_score

RESOLUTION = 64
INPUT_SEED = 0


def random_image(channels: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(INPUT_SEED)
    return torch.randn((1, channels, RESOLUTION, RESOLUTION), generator=generator)


def min_channel_correlation_eigenvalue(feature: torch.Tensor) -> float:
    """Smallest eigenvalue of the channels' correlation over positions (C x H x W tensor of one image)."""
    correlation = torch.corrcoef(feature.reshape(feature.shape[0], -1).double())
    correlation = torch.nan_to_num(correlation, nan=0.0, posinf=0.0, neginf=0.0)
    return float(torch.linalg.eigvalsh(correlation)[0])


def module_features(net: nn.Module, images: torch.Tensor) -> list[torch.Tensor]:
    """The first image's output of every module that returns a tensor, in call order."""
    features: list[torch.Tensor] = []

    def record(module: nn.Module, inputs: tuple, output: object) -> None:
        if isinstance(output, torch.Tensor):
            features.append(output[0].detach())

    handles = [m.register_forward_hook(record) for m in net.modules()]
    try:
        net(images)
    finally:
        for handle in handles:
            handle.remove()
    return features


@register_score("meco")
def meco(net: nn.Module, batch: Batch) -> float:
    """Sum over layers of the minimum eigenvalue of the channels' Pearson correlation on one random image."""
    features = module_features(net, random_image(batch.images.shape[1]))
    # a feature with one position per channel (pooled, or logits) has an all-undefined correlation: 0 in the code
    return sum(min_channel_correlation_eigenvalue(f) for f in features if f.dim() >= 2 and f[0].numel() > 1)
