"""Binary ReLU codes of a batch, gathered in one forward pass as per-layer summaries.

For a layer with U units and binary codes c (batch x U), the number of units on which images i and
j agree is (c c^T + (1-c)(1-c)^T)_ij = U - r_i - r_j + 2 (c c^T)_ij, with r_i = (c c^T)_ii the
number of active units: one matrix product per layer. The codes are multiplied as int8 with int32
accumulation (exact for U < 2^31, and several times faster than float32 on CPU), and as the formula
is linear, layers are summed exactly in integers before it is applied once. A tensor that feeds
several ReLU modules (every edge out of a NAS-Bench-201 node starts with its own ReLU) is coded once
and counted once per module: the same kernel as hooking each module on its own, at a fraction of the cost.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import torch
from torch import nn

from naswot.spaces.network import run_with_hooks

RECTIFIERS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU)


@dataclass(frozen=True)
class LayerCodes:
    """What one ReLU module's binary codes say about the batch.

    ``gram`` (N x N, int32) counts the units active for both images i and j; its diagonal counts
    the units active per image. Keeping grams (not agreement kernels) lets layers be summed exactly
    in integers before the one float conversion.
    """

    units: int
    gram: torch.Tensor

    def agreements(self) -> torch.Tensor:
        """N_A - d_H over this layer's units (float64)."""
        return agreements_from_gram(self.gram, self.units)


EXACT_FLOAT32 = 2**24
"""float32 holds every integer below 2^24 exactly, so a 0/1 product over fewer units is an exact count."""


def code_gram(codes: torch.Tensor) -> torch.Tensor:
    """c c^T of a boolean matrix (batch x units): on the CPU an int8 product with int32 accumulation (int32).

    Elsewhere (CUDA's int8 product needs shapes in multiples of 8 and more) the units are taken in blocks
    of fewer than 2^24, whose float32 products are exact counts, summed in int64.
    """
    if codes.device.type == "cpu":
        as_int8 = codes.view(torch.int8) if codes.dtype == torch.bool else codes.to(torch.int8)
        return torch._int_mm(as_int8, as_int8.T)
    return float_code_gram(codes)


def float_code_gram(codes: torch.Tensor) -> torch.Tensor:
    """c c^T (int64) from float32 products over blocks of fewer than 2^24 units: each block's counts are exact."""
    blocks = (block.to(torch.float32) for block in codes.split(EXACT_FLOAT32 - 1, dim=1))
    return sum((block @ block.T).to(torch.int64) for block in blocks)  # type: ignore[return-value]


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
    """Run ``net`` once on ``images`` and summarise the codes of every ReLU module call, in execution order."""
    layers: list[LayerCodes] = []
    seen: dict[int, tuple[weakref.ref, LayerCodes]] = {}

    def record(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        x = inputs[0]
        cached = seen.get(id(x))
        if cached is not None and cached[0]() is x:
            layers.append(cached[1])
            return
        codes = units_in_memory_order(x.detach() > 0)
        layer = LayerCodes(codes.shape[1], code_gram(codes))
        seen[id(x)] = (weakref.ref(x), layer)
        layers.append(layer)

    run_with_hooks(net, images, rectifiers(net), record)
    return layers


def relu_unit_patterns(net: nn.Module, images: torch.Tensor) -> list[torch.Tensor]:
    """Each ReLU module's binary codes read the other way round: one row per unit, its bits across the images.

    Rows are packed 8 images to a byte (units x ceil(N / 8), uint8), so a network of millions of units
    fits in memory; two units with equal rows fire on exactly the same images.
    """
    patterns: list[torch.Tensor] = []

    def record(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        codes = units_in_memory_order(inputs[0].detach() > 0).T  # units x images
        weights = 2 ** torch.arange(7, -1, -1, dtype=torch.uint8, device=codes.device)
        padded = torch.nn.functional.pad(codes.to(torch.uint8), (0, -codes.shape[1] % 8))
        patterns.append((padded.reshape(codes.shape[0], -1, 8) * weights).sum(dim=2, dtype=torch.uint8))

    run_with_hooks(net, images, rectifiers(net), record)
    return patterns


def rectifiers(net: nn.Module) -> list[nn.Module]:
    """Every rectifier module of ``net``: the units whose on/off codes these summaries read."""
    return [m for m in net.modules() if isinstance(m, RECTIFIERS)]
