"""MeCo (Jiang et al., "Zero-shot NAS via the Minimum Eigenvalue of Pearson Correlation", NeurIPS 2023).

For the feature map of every layer (C channels x H x W positions of one image), the C x C Pearson
correlation of the channels across positions; the score sums each layer's smallest eigenvalue. A
channel that is constant over the positions has no correlation: its entries count as 0, as in
the authors' code.

The authors' code feeds two different images, so there are two scores:
- ``meco``: their measure file (``correlation/foresight/pruners/measures/meco.py``): one image of
  standard-normal pixels at 64 x 64 (from a fixed seed, so every network sees the same one; the
  paper's "a single random data sample");
- ``meco_real``: their NAS-Bench-201 correlation script (``correlation/NAS_Bench_201.py``, batch size
  1): one real training image at the data's own size (32 x 32 on CIFAR), the first of the run's batch.
Both read the output of every module (containers included, so a tensor that two modules return is
counted twice, exactly as the code's hooks count it), BatchNorm in train mode, the run's weights.
"""

from __future__ import annotations

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import register_score
from naswot.scores.reinit import gaussian_images
from naswot.spaces.network import run_with_hooks

RESOLUTION = 64


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

    run_with_hooks(net, images, net.modules(), record)
    return features


def min_eigenvalue_sum(net: nn.Module, image: torch.Tensor) -> float:
    """The MeCo sum over every module's output on one image."""
    features = module_features(net, image)
    # a feature with one position per channel (pooled, or logits) has an all-undefined correlation: 0 in the code
    return sum(min_channel_correlation_eigenvalue(f) for f in features if f.dim() >= 2 and f[0].numel() > 1)


@register_score("meco")
def meco(net: nn.Module, batch: Batch) -> float:
    """Sum over layers of the minimum eigenvalue of the channels' Pearson correlation on one 64-px Gaussian image."""
    return min_eigenvalue_sum(net, gaussian_images(1, batch, RESOLUTION))


@register_score("meco_real")
def meco_real(net: nn.Module, batch: Batch) -> float:
    """MeCo on one real image (the batch's first), as the authors' NAS-Bench-201 script scores."""
    return min_eigenvalue_sum(net, batch.images[:1])
