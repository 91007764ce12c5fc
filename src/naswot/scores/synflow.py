"""SynFlow (Tanaka et al.): the synaptic flow of an all-ones input through the absolute weights.

With every parameter replaced by its absolute value and BatchNorm removed, the network is a
positive map R(1) of an all-ones input; the score sums |w * dR/dw| over all conv and linear weights.
R is a product over layers, so it grows geometrically with depth: the whole computation runs in
float64, whose range (1e308) holds deep networks whose float32 value would overflow (3e38).
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.gradients import WEIGHTED
from naswot.scores.registry import UndefinedScore, register_score

BATCHNORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def linearised_copy(net: nn.Module) -> nn.Module:
    """A float64 copy of ``net`` with absolute parameters and every BatchNorm replaced by the identity."""
    clone = copy.deepcopy(net).double()
    for name, module in list(clone.named_modules()):
        if isinstance(module, BATCHNORMS):
            parent_name, _, child = name.rpartition(".")
            setattr(clone.get_submodule(parent_name), child, nn.Identity())
    with torch.no_grad():
        for parameter in clone.parameters():
            parameter.abs_()
    return clone


@register_score("synflow", needs_grad=True, train_bn=False)
def synflow(net: nn.Module, batch: Batch) -> float:
    """Sum over conv and linear weights of |w * dR/dw|, R the summed output for an all-ones input (float64)."""
    clone = linearised_copy(net)
    weights = [m.weight for m in clone.modules() if isinstance(m, WEIGHTED)]
    ones = torch.ones((1, *batch.images.shape[1:]), dtype=torch.float64, device=batch.images.device)
    grads = torch.autograd.grad(clone(ones).sum(), weights, allow_unused=True)
    with torch.no_grad():
        value = float(sum((w * g).abs().sum() for w, g in zip(weights, grads) if g is not None))
    if not math.isfinite(value):
        raise UndefinedScore("the synaptic flow overflows float64: the network is too deep for this score")
    return value
