"""The training images' augmentation and normalisation, on whole batches of pixels (no torchvision)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.nn import functional as F


def crop_and_flip(pixels: torch.Tensor, padding: int, flip: bool, generator: torch.Generator) -> torch.Tensor:
    """Each image of ``pixels`` (N x C x H x W) cropped back to H x W at a random offset of its zero-padded copy,
    then mirrored left-right with probability 1/2: torchvision's ``RandomCrop(H, padding)`` and
    ``RandomHorizontalFlip()``, as NAS-Bench-201 trains. The draws come from ``generator`` (on the CPU)."""
    n, channels, height, width = pixels.shape
    device = pixels.device
    padded = F.pad(pixels, (padding,) * 4)
    dy, dx = (torch.randint(0, 2 * padding + 1, (n, 1), generator=generator) for _ in range(2))
    mirrored = torch.rand(n, 1, generator=generator) < 0.5 if flip else torch.zeros(n, 1, dtype=torch.bool)
    rows = dy + torch.arange(height)
    cols = dx + torch.where(mirrored, torch.arange(width - 1, -1, -1), torch.arange(width))
    index_n = torch.arange(n, device=device).view(n, 1, 1, 1)
    index_c = torch.arange(channels, device=device).view(1, channels, 1, 1)
    return padded[index_n, index_c, rows.to(device).view(n, 1, height, 1), cols.to(device).view(n, 1, 1, width)]


def normalise(pixels: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 pixels as float images scaled to [0, 1] and standardised per channel, channels-last (faster convolutions)."""
    shape = (1, len(mean), 1, 1)
    images = pixels.float().div_(255.0)
    images = (images - torch.tensor(mean, device=pixels.device).view(shape)) / torch.tensor(std, device=pixels.device).view(shape)
    return images.contiguous(memory_format=torch.channels_last)
