"""Zen-score (Lin et al., Zen-NAS): how strongly the pre-pooling features respond to a small input change.

As in the paper's code, the network (a copy) is re-initialised with N(0, 1) weights (BatchNorm scale
1, shift 0) and fed Gaussian images x; the score is log E_n ||f(x) - f(x + g*e)||_1 with g = 0.01 and
e Gaussian, f the features before global pooling, plus the sum over BatchNorm layers of
log sqrt(mean running variance). That term restores the scale train-mode BatchNorm divides out; as
in the paper's code it is read from the running variance after both passes (reset first, so the
value does not depend on the network's history), which stays positive for a layer that only ever
sees zeros. The labelled batch only fixes the input shape.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import UndefinedScore, register_score
from naswot.scores.synflow import BATCHNORMS

MIXUP_GAMMA = 1e-2


def gaussian_initialise(net: nn.Module) -> None:
    """Zen-NAS's initialisation: N(0, 1) conv and linear weights, zero biases, BatchNorm scale 1 and shift 0."""
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, BATCHNORMS):
                module.reset_running_stats()
                if module.affine:
                    nn.init.ones_(module.weight)
                    nn.init.zeros_(module.bias)


def batchnorm_log_scale(net: nn.Module) -> float:
    """Sum over BatchNorm layers of log sqrt(mean of the running variance)."""
    return sum(0.5 * math.log(float(m.running_var.mean()))
               for m in net.modules() if isinstance(m, BATCHNORMS) and m.running_var is not None)


@register_score("zen")
def zen(net: nn.Module, batch: Batch) -> float:
    """log of the mean L1 change of the pre-GAP features under a 0.01 Gaussian input perturbation, plus BN scales."""
    if not callable(getattr(net, "forward_features", None)):
        raise UndefinedScore("the network exposes no forward_features (the features before global pooling)")
    clone = copy.deepcopy(net)
    gaussian_initialise(clone)
    x = torch.randn_like(batch.images)
    change = clone.forward_features(x) - clone.forward_features(x + MIXUP_GAMMA * torch.randn_like(x))
    mean_change = float(change.abs().flatten(1).sum(1).mean())
    if not mean_change > 0:
        raise UndefinedScore("the features before global pooling do not change with the input")
    return math.log(mean_change) + batchnorm_log_scale(clone)
