"""Size baselines: any training-free score should beat simply counting the network."""

from __future__ import annotations

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import register_score


@register_score("params")
def params(net: nn.Module, batch: Batch) -> float:
    """The number of trainable parameters."""
    return float(sum(p.numel() for p in net.parameters() if p.requires_grad))


def multiply_accumulates(net: nn.Module, images: torch.Tensor) -> int:
    """Multiply-accumulates of every convolution and linear layer for one image of ``images``' shape."""
    total = 0

    def count(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
        else:
            per_output = module.in_features
        total += output[0].numel() * per_output

    hooks = [m.register_forward_hook(count) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        net(images[:1])
    finally:
        for hook in hooks:
            hook.remove()
    return total


@register_score("flops", train_bn=False)
def flops(net: nn.Module, batch: Batch) -> float:
    """Multiply-accumulates of the conv and linear layers per image (the benchmarks' "FLOPs")."""
    return float(multiply_accumulates(net, batch.images))
