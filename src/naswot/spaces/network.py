"""What a built network offers the scores, with a default for any ``nn.Module``.

``SearchSpace.build`` promises one thing: an ``nn.Module`` whose ``forward`` maps a batch of images to
logits. Some scores read more than the logits; they read it only through the functions here, so a
space (or a user's own network) knows what to offer, and any other module gets the default:

- the feature map before global pooling (Zen-NAS): ``forward_features(x)`` where the network defines
  it; by default the input of the last adaptive pooling module its forward pass calls (what torchvision
  and timm models pool); none when it calls no such module;
- its stages (AZ-NAS): a ``stem`` module and a ``cells`` ``ModuleList`` (NAS-Bench-201, NATS-Bench,
  NDS), or a ``features`` ``Sequential`` (NAS-Bench-101) whose children are the stages; by default none;
- the inputs and outputs of any of its modules (AZ-NAS, MeCo, VKDNW, FLOPs): ``run_with_hooks``, the one
  forward-hook loop of the package (the rectifier codes of NASWOT and SWAP are read per call, module or
  function, by ``naswot.scores.rectifiers``);
- its number of parameter tensors (VKDNW's ℵ): ``len(list(net.named_parameters()))``, any module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

GLOBAL_POOLS = (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
"""The modules whose input is taken as the feature map of a network without ``forward_features``."""

Record = Callable[[nn.Module, tuple, object], None]
"""A forward hook: (module, inputs, output)."""


def run_with_hooks(net: nn.Module, images: torch.Tensor, modules: Iterable[nn.Module], record: Record) -> object:
    """One forward pass with ``record`` hooked on each of ``modules``, the hooks removed however it ends; the output."""
    handles = [module.register_forward_hook(record) for module in modules]
    try:
        return net(images)
    finally:
        for handle in handles:
            handle.remove()


def feature_map(net: nn.Module, images: torch.Tensor) -> torch.Tensor | None:
    """The features before global pooling: ``forward_features`` if offered, else the last global pool's input."""
    if callable(getattr(net, "forward_features", None)):
        return net.forward_features(images)
    pooled: list[torch.Tensor] = []
    run_with_hooks(net, images, (m for m in net.modules() if isinstance(m, GLOBAL_POOLS)),
                   lambda module, inputs, output: pooled.append(inputs[0]))
    return pooled[-1] if pooled else None


def stage_modules(net: nn.Module) -> list[nn.Module] | None:
    """The modules whose outputs are the network's stage features, in order, or None if it names none."""
    stem, cells = getattr(net, "stem", None), getattr(net, "cells", None)
    if isinstance(stem, nn.Module) and isinstance(cells, nn.ModuleList):
        return [stem, *cells]
    features = getattr(net, "features", None)
    if isinstance(features, nn.Sequential):
        return list(features)
    return None


def parameter_tensors(net: nn.Module) -> int:
    """How many parameter tensors the network has (shared ones once): VKDNW's ℵ, "the number of trainable layers"."""
    return len(list(net.named_parameters()))
