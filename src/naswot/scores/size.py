"""Size baselines: any training-free score should beat simply counting the network."""

from __future__ import annotations

from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import register_score


@register_score("params")
def params(net: nn.Module, batch: Batch) -> float:
    """The number of trainable parameters."""
    return float(sum(p.numel() for p in net.parameters() if p.requires_grad))
