"""Binary ReLU codes of a batch, gathered in one forward pass as per-layer Hamming kernels.

For a layer with U units and binary codes c (batch x U), the number of units on which images i and
j agree is (c c^T + (1-c)(1-c)^T)_ij = U - r_i - r_j + 2 (c c^T)_ij with r the row sums: one matrix
product per layer. c holds 0/1 and each column block stays below 2^24, so float32 products are
exact; the kernels are summed in float64. A tensor that feeds several ReLU modules (every edge out
of a NAS-Bench-201 node starts with its own ReLU) is coded once and counted once per module, which
gives the same kernel as hooking each module separately at a fraction of the cost.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import torch
from torch import nn

RECTIFIERS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU)
_EXACT_COLUMNS = 1 << 23  # below float32's 2^24 integer limit


@dataclass(frozen=True)
class LayerKernel:
    """The agreement counts (N x N, float64) of one ReLU module over ``units`` units."""

    units: int
    agreements: torch.Tensor


def agreement_kernel(codes: torch.Tensor) -> torch.Tensor:
    """N_A - d_H for every pair of rows of a 0/1 matrix (batch x units), in float64."""
    codes = codes.to(torch.float32)
    gram = torch.zeros(codes.shape[0], codes.shape[0], dtype=torch.float64)
    for start in range(0, codes.shape[1], _EXACT_COLUMNS):
        block = codes[:, start : start + _EXACT_COLUMNS]
        gram += (block @ block.T).to(torch.float64)
    ones = codes.sum(dim=1, dtype=torch.float64)
    return codes.shape[1] - ones[:, None] - ones[None, :] + 2.0 * gram


def relu_layer_kernels(net: nn.Module, images: torch.Tensor) -> list[LayerKernel]:
    """Run ``net`` once on ``images`` and return one kernel per ReLU module call, in execution order."""
    kernels: list[LayerKernel] = []
    seen: dict[int, tuple[weakref.ref, LayerKernel]] = {}

    def record(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        x = inputs[0]
        cached = seen.get(id(x))
        if cached is not None and cached[0]() is x:
            kernels.append(cached[1])
            return
        flat = x.detach().reshape(x.shape[0], -1)
        kernel = LayerKernel(flat.shape[1], agreement_kernel(flat > 0))
        seen[id(x)] = (weakref.ref(x), kernel)
        kernels.append(kernel)

    handles = [m.register_forward_hook(record) for m in net.modules() if isinstance(m, RECTIFIERS)]
    try:
        net(images)
    finally:
        for handle in handles:
            handle.remove()
    return kernels
