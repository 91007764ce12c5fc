"""Size baselines: any training-free score should beat simply counting the network."""

from __future__ import annotations

import math

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import register_score
from naswot.spaces import network


@register_score("params")
def params(net: nn.Module, batch: Batch) -> float:
    """The number of trainable parameters."""
    return float(sum(p.numel() for p in net.parameters() if p.requires_grad))


@register_score("parameter_tensors")
def parameter_tensors(net: nn.Module, batch: Batch) -> float:
    """ℵ: the number of parameter tensors, VKDNW's "number of trainable layers" (len of named_parameters)."""
    return float(network.parameter_tensors(net))


COUNTED = (nn.Conv1d, nn.Conv2d, nn.Linear)


def multiply_accumulates(net: nn.Module, images: torch.Tensor) -> int:
    """Multiply-accumulates of one image of ``images``' shape, counted as NAS-Bench-201 counts its FLOPs.

    NAS-Bench-201 / NATS-Bench (``xautodl.utils.flop_benchmark.get_model_infos``) count only convolution
    and linear layers: per output element, ``C_in / groups * kernel volume`` (a conv) or ``in_features``
    (a linear layer), plus one for a bias. Pooling, BatchNorm, activations, additions and skip or zero
    edges count nothing (its pooling counter exists but is left out of the sum), so cells that differ only
    in parameter-free edges tie, in its table as here.
    """
    total = 0

    def count(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Linear):
            per_output = module.in_features
        else:
            per_output = module.in_channels // module.groups * math.prod(module.kernel_size)
        total += output[0].numel() * (per_output + (module.bias is not None))

    network.run_with_hooks(net, images[:1], (m for m in net.modules() if isinstance(m, COUNTED)), count)
    return total


@register_score("flops", train_bn=False, version=2)
def flops(net: nn.Module, batch: Batch) -> float:
    """Multiply-accumulates per image as NAS-Bench-201 counts FLOPs: conv and linear layers, biases included.

    Version 2 adds the bias terms (version 1 left them out); see ``multiply_accumulates``.
    """
    return float(multiply_accumulates(net, batch.images))


def network_sizes(net: nn.Module, batch: Batch | None) -> dict[str, float | None]:
    """Parameters and multiply-accumulates of ``net`` as the ``params`` and ``flops`` scores count them.

    FLOPs need the input's shape, which a search without images (rea) does not have: None then.
    """
    return {"params": params(net, batch), "flops": flops(net, batch) if batch is not None else None}  # type: ignore[arg-type]
