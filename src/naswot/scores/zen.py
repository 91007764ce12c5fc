"""Zen-score (Lin et al., Zen-NAS): how strongly the pre-pooling features respond to a small input change.

As in the paper's code, the network (a copy) is re-initialised with N(0, 1) weights (BatchNorm scale
1, shift 0) and fed Gaussian images x; the score is log E_n ||f(x) - f(x + g*e)||_1 with g = 0.01 and
e Gaussian, f the features before global pooling, plus the sum over BatchNorm layers of
log sqrt(mean running variance). That term restores the scale train-mode BatchNorm divides out; as
in the paper's code it is read from the running variance after both passes (reset first, so the
value does not depend on the network's history), which stays positive for a layer that only ever
sees zeros. The labelled batch only fixes the input shape. The features are the network's feature map
(``naswot.spaces.network.feature_map``: ``forward_features``, or the input of its last global pooling).

Version 2: a network without ``forward_features`` is read before its last adaptive pooling module (it
was -inf).
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import UndefinedScore, register_score
from naswot.scores.reinit import redraw, unit_std
from naswot.scores.synflow import BATCHNORMS
from naswot.spaces.network import feature_map

MIXUP_GAMMA = 1e-2


def batchnorm_log_scale(net: nn.Module) -> float:
    """Sum over BatchNorm layers of log sqrt(mean of the running variance)."""
    return sum(0.5 * math.log(float(m.running_var.mean()))
               for m in net.modules() if isinstance(m, BATCHNORMS) and m.running_var is not None)


@register_score("zen", version=2)
def zen(net: nn.Module, batch: Batch) -> float:
    """log of the mean L1 change of the pre-GAP features under a 0.01 Gaussian input perturbation, plus BN scales."""
    clone = copy.deepcopy(net)
    redraw(clone, unit_std)  # Zen-NAS's N(0, 1) weights, from the global generator as before
    x = torch.randn_like(batch.images)
    features = feature_map(clone, x)
    if features is None:
        raise UndefinedScore("the network has no forward_features and calls no global pooling module, so it has no "
                             "feature map before global pooling")
    change = features - feature_map(clone, x + MIXUP_GAMMA * torch.randn_like(x))
    mean_change = float(change.abs().flatten(1).sum(1).mean())
    if not mean_change > 0:
        raise UndefinedScore("the features before global pooling do not change with the input")
    return math.log(mean_change) + batchnorm_log_scale(clone)
