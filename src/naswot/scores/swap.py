"""SWAP (Peng et al., "SWAP-Score: Sample-Wise Activation Patterns for Ultra-Fast NAS", ICLR 2024).

NASWOT reads the binary ReLU codes image by image; SWAP reads them unit by unit: each ReLU unit's
pattern is the vector of its on/off states across the N images of the batch, and the score is the
number of distinct patterns over every unit of the network (at most 2^N, and at most the number
of units). More distinct patterns mean the network carves the batch in more different ways.

Follows the authors' code (github.com/pym1024/SWAP, ``correlation.py`` and ``src/metrics/swap.py``):
the first 16 images of the batch (their ``input_samples``: with many more images nearly every unit's
pattern is distinct and the count drifts towards the number of units), codes the signs of the ReLU
outputs of every ReLU call (other rectifier-like activations are read alike, see ``rectifiers``),
BatchNorm in train mode, and the count averaged over 32 redraws of the
weights from N(0, 1) (BatchNorm scale 1, shift 0; their ``repeats`` and ``network_weight_gaussian_init``),
made on a copy from a generator seeded by the run's weights (``naswot.scores.reinit``).

``swap_reg`` multiplies by the paper's size regulariser exp(-(P - mu)^2 / sigma). Its mu = sigma = 1.5
with P in millions of parameters are this package's choice (a Gaussian centred on NAS-Bench-201's
largest cells), not the authors': their code counts P in thousands and its correlation script runs
unregularised.

Version: one above the codes' (``CODES_VERSION``): 16 images and 32 redraws, where the codes' versions
counted the run's network once on the whole batch.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.activations import CODES_VERSION, relu_unit_patterns
from naswot.scores.rectifiers import RECTIFIER_NAMES
from naswot.scores.registry import UndefinedScore, register_score
from naswot.scores.reinit import redraw, unit_std, weight_generator
from naswot.scores.size import params

IMAGES = 16
REDRAWS = 32
VERSION = CODES_VERSION + 1
REGULARISER_MU = 1.5
REGULARISER_SIGMA = 1.5


def distinct_rows(patterns: list[torch.Tensor]) -> int:
    """How many different rows the packed pattern matrices hold together."""
    rows = np.ascontiguousarray(torch.cat(patterns).cpu().numpy())
    if rows.shape[1] <= 2:  # up to 16 images: each row is a 16-bit number, counted in one pass
        values = rows[:, 0].astype(np.int64) << 8 | (rows[:, 1] if rows.shape[1] == 2 else 0)
        return int(np.count_nonzero(np.bincount(values, minlength=1 << 16)))
    return len(np.unique(rows.view(np.dtype((np.void, rows.shape[1])))))


def sample_wise_patterns(net: nn.Module, images: torch.Tensor) -> int:
    """The number of distinct activation patterns of ``net``'s rectifier units on ``images``."""
    patterns = relu_unit_patterns(net, images)
    if not patterns:
        raise UndefinedScore(f"the network calls no ReLU or other rectifier ({RECTIFIER_NAMES}): no activation patterns")
    return distinct_rows(patterns)


def mean_patterns_over_redraws(net: nn.Module, batch: Batch) -> float:
    """The pattern count on the first ``IMAGES`` images, averaged over ``REDRAWS`` N(0, 1) redraws of a copy."""
    clone, generator = copy.deepcopy(net), weight_generator(net)
    images = batch.images[:IMAGES]
    counts = []
    for _ in range(REDRAWS):
        redraw(clone, unit_std, generator)
        counts.append(sample_wise_patterns(clone, images))
    return sum(counts) / len(counts)


def size_regulariser(parameters: float) -> float:
    """exp(-(P - mu)^2 / sigma) with P in millions of parameters."""
    return math.exp(-((parameters / 1e6 - REGULARISER_MU) ** 2) / REGULARISER_SIGMA)


@register_score("swap", version=VERSION)
def swap(net: nn.Module, batch: Batch) -> float:
    """The number of distinct sample-wise activation patterns of the ReLU units, 16 images, 32 N(0,1) redraws (SWAP)."""
    return mean_patterns_over_redraws(net, batch)


@register_score("swap_reg", version=VERSION)
def swap_reg(net: nn.Module, batch: Batch) -> float:
    """SWAP times our size regulariser exp(-(P - 1.5)^2 / 1.5), P in millions of parameters (mu, sigma: our choice)."""
    return mean_patterns_over_redraws(net, batch) * size_regulariser(params(net, batch))
