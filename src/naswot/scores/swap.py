"""SWAP (Peng et al., "SWAP-Score: Sample-Wise Activation Patterns for Ultra-Fast NAS", ICLR 2024).

NASWOT reads the binary ReLU codes image by image; SWAP reads them unit by unit: each ReLU unit's
pattern is the vector of its on/off states across the N images of the batch, and the score is the
number of distinct patterns over every unit of the network (at most 2^N, and at most the number
of units). More distinct patterns mean the network carves the batch in more different ways.

Follows the paper and the authors' code: codes are the signs of the ReLU outputs (on = positive
input) of every ReLU call, BatchNorm in train mode, one forward pass (other rectifier-like activations are read
alike, see ``rectifiers``). ``swap_reg`` multiplies by
the paper's size regulariser exp(-(P - mu)^2 / sigma), P the parameter count in millions; the
paper leaves mu and sigma to the user per space, so they are this module's constants (mu = 1.5,
sigma = 1.5: a Gaussian centred on NAS-Bench-201's largest cells, the values in the public SWAP
code we could read).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.activations import CODES_VERSION, relu_unit_patterns
from naswot.scores.rectifiers import RECTIFIER_NAMES
from naswot.scores.registry import UndefinedScore, register_score
from naswot.scores.size import params

REGULARISER_MU = 1.5
REGULARISER_SIGMA = 1.5


def distinct_rows(patterns: list[torch.Tensor]) -> int:
    """How many different rows the packed pattern matrices hold together."""
    rows = np.ascontiguousarray(torch.cat(patterns).numpy())
    return len(np.unique(rows.view(np.dtype((np.void, rows.shape[1])))))


def sample_wise_patterns(net: nn.Module, images: torch.Tensor) -> int:
    patterns = relu_unit_patterns(net, images)
    if not patterns:
        raise UndefinedScore(f"the network calls no ReLU or other rectifier ({RECTIFIER_NAMES}): no activation patterns")
    return distinct_rows(patterns)


def size_regulariser(parameters: float) -> float:
    """exp(-(P - mu)^2 / sigma) with P in millions of parameters."""
    return math.exp(-((parameters / 1e6 - REGULARISER_MU) ** 2) / REGULARISER_SIGMA)


@register_score("swap", version=CODES_VERSION)
def swap(net: nn.Module, batch: Batch) -> float:
    """The number of distinct sample-wise activation patterns of the ReLU units (SWAP)."""
    return float(sample_wise_patterns(net, batch.images))


@register_score("swap_reg", version=CODES_VERSION)
def swap_reg(net: nn.Module, batch: Batch) -> float:
    """SWAP times the size regulariser exp(-(P - 1.5)^2 / 1.5), P in millions of parameters."""
    return float(sample_wise_patterns(net, batch.images)) * size_regulariser(params(net, batch))
