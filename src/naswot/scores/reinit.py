"""The weight redraws and Gaussian inputs that the authors' code scores with, instead of the run's network and batch.

Several authors re-initialise every network before scoring it (AZ-NAS and VKDNW: Kaiming-normal fan-in;
SWAP and Zen-NAS: N(0, 1)) and feed it standard-normal images. Here a redraw is made on a copy (the run's
network is left alone) from a generator seeded by a digest of the network's own weights: the same built
network always gets the same redraw, and the run's seed, which drew those weights, still decides it.
Gaussian inputs come from a fixed seed, so every network sees the same images.
"""

from __future__ import annotations

import copy
import hashlib
import math
from collections.abc import Callable

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.synflow import BATCHNORMS

INPUT_SEED = 0


def kaiming_std(fan_in: int) -> float:
    """Kaiming-normal fan-in with the ReLU gain: sqrt(2 / fan_in)."""
    return math.sqrt(2.0 / fan_in)


def unit_std(fan_in: int) -> float:
    """N(0, 1) whatever the fan-in (SWAP, Zen-NAS)."""
    return 1.0


def weight_generator(net: nn.Module) -> torch.Generator:
    """A CPU generator seeded by a digest of every parameter of ``net`` (the same weights, the same draws)."""
    digest = hashlib.blake2b(digest_size=8)
    for parameter in net.parameters():
        digest.update(parameter.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return torch.Generator().manual_seed(int.from_bytes(digest.digest(), "little") >> 1)


def _normal_(tensor: torch.Tensor, std: float, generator: torch.Generator | None) -> None:
    """Fill ``tensor`` with N(0, std^2): from the device's global generator, or drawn on the CPU from ``generator``."""
    if generator is None:
        tensor.normal_(0.0, std)
    else:
        tensor.copy_(torch.randn(tensor.shape, generator=generator).mul_(std))


def redraw(net: nn.Module, std: Callable[[int], float], generator: torch.Generator | None = None) -> None:
    """Redraw conv and linear weights in place from N(0, std(fan_in)^2); zero biases, BatchNorm scale 1, shift 0
    and fresh running statistics (as in an unused network)."""
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                _normal_(module.weight, std(module.weight[0].numel()), generator)
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, BATCHNORMS):
                module.reset_running_stats()
                if module.affine:
                    module.weight.fill_(1.0)
                    module.bias.zero_()


def kaiming_normal_copy(net: nn.Module) -> nn.Module:
    """A copy of ``net`` redrawn Kaiming-normal (fan in, ReLU gain), seeded by its weights: AZ-NAS's and VKDNW's init."""
    clone = copy.deepcopy(net)
    redraw(clone, kaiming_std, weight_generator(net))
    return clone


def gaussian_images(count: int, like: Batch, resolution: int | None = None) -> torch.Tensor:
    """``count`` standard-normal images with ``like``'s channels and size (or ``resolution`` squared), fixed seed,
    on ``like``'s device."""
    channels, height, width = like.images.shape[1:]
    if resolution is not None:
        height = width = resolution
    images = torch.randn((count, channels, height, width), generator=torch.Generator().manual_seed(INPUT_SEED))
    return images.to(like.images.device)
