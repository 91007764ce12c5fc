"""Binary codes of a batch (the sign of every rectifier's input), gathered in one forward pass as per-layer summaries.

For a layer with U units and binary codes c (batch x U), the number of units on which images i and
j agree is (c c^T + (1-c)(1-c)^T)_ij = U - r_i - r_j + 2 (c c^T)_ij, with r_i = (c c^T)_ii the
number of active units: one matrix product per layer, an exact integer count by the kernel this
machine runs fastest (``kernels``), and as the formula is linear, layers are summed exactly in
integers before it is applied once. Every rectifier-like call is a layer, module or function
(``rectifiers``). A tensor that feeds several rectifiers unchanged (every edge out of a NAS-Bench-201
node starts with its own ReLU) is coded once and counted once per call: the same kernel as reading
each call on its own, at a fraction of the cost.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import torch
from torch import nn

from naswot.scores.kernels import code_gram, positive_gram
from naswot.scores.rectifiers import run_reading_rectifiers

CODES_VERSION = 2
"""The version of every score read from these codes. 2 reads every rectifier-like call, module or function; 1
read only ReLU, ReLU6 and LeakyReLU modules (a network calling F.relu, say, had no or fewer codes)."""


@dataclass(frozen=True)
class LayerCodes:
    """What one rectifier call's binary codes say about the batch.

    ``gram`` (N x N, int64) counts the units active for both images i and j; its diagonal counts
    the units active per image. Keeping grams (not agreement kernels) lets layers be summed exactly
    in integers before the one float conversion.
    """

    units: int
    gram: torch.Tensor

    def agreements(self) -> torch.Tensor:
        """N_A - d_H over this layer's units (float64)."""
        return agreements_from_gram(self.gram, self.units)


def agreements_from_gram(gram: torch.Tensor, units: int) -> torch.Tensor:
    """N_A - d_H = U - r_i - r_j + 2 (c c^T)_ij, with r the diagonal of the gram (float64)."""
    gram = gram.to(torch.float64)
    active = torch.diagonal(gram)
    return units - active[:, None] - active[None, :] + 2.0 * gram


def agreement_kernel(codes: torch.Tensor) -> torch.Tensor:
    """N_A - d_H for every pair of rows of a boolean matrix (batch x units), in float64."""
    return agreements_from_gram(code_gram(codes), codes.shape[1])


def units_in_memory_order(x: torch.Tensor) -> torch.Tensor:
    """View a (batch, ...) tensor as (batch, units) without copying, whatever its layout.

    The kernel does not depend on the order of the units, so a channels-last activation is read in
    its own memory order rather than copied into channels-first order.
    """
    inner = sorted(range(1, x.dim()), key=lambda dim: -x.stride(dim))
    return x.permute(0, *inner).reshape(x.shape[0], -1)


def relu_layer_codes(net: nn.Module, images: torch.Tensor) -> list[LayerCodes]:
    """Run ``net`` once on ``images`` and summarise the codes of every rectifier call, in call order."""
    layers: list[LayerCodes] = []
    seen: dict[tuple[int, int], tuple[weakref.ref, LayerCodes]] = {}

    def record(x: torch.Tensor) -> None:
        key = (id(x), -1 if x.is_inference() else x._version)  # unchanged in place since (inference keeps no version)
        cached = seen.get(key)
        if cached is not None and cached[0]() is x:
            layers.append(cached[1])
            return
        values = units_in_memory_order(x.detach())
        layer = LayerCodes(values.shape[1], positive_gram(values))
        seen[key] = (weakref.ref(x), layer)
        layers.append(layer)

    run_reading_rectifiers(net, images, record)
    return layers


def relu_unit_patterns(net: nn.Module, images: torch.Tensor) -> list[torch.Tensor]:
    """Each rectifier call's binary codes read the other way round: one row per unit, its bits across the images.

    Rows are packed 8 images to a byte (units x ceil(N / 8), uint8), so a network of millions of units
    fits in memory; two units with equal rows fire on exactly the same images.
    """
    patterns: list[torch.Tensor] = []

    def record(x: torch.Tensor) -> None:
        codes = units_in_memory_order(x.detach() > 0).T  # units x images
        weights = 2 ** torch.arange(7, -1, -1, dtype=torch.uint8, device=codes.device)
        padded = torch.nn.functional.pad(codes.to(torch.uint8), (0, -codes.shape[1] % 8))
        patterns.append((padded.reshape(codes.shape[0], -1, 8) * weights).sum(dim=2, dtype=torch.uint8))

    run_reading_rectifiers(net, images, record)
    return patterns
