"""Binary ReLU codes of a batch, gathered in one forward pass as per-layer Hamming kernels.

For a layer with U units and binary codes c (batch x U), the number of units on which images i and
j agree is (c c^T + (1-c)(1-c)^T)_ij = U - r_i - r_j + 2 (c c^T)_ij, with r_i = (c c^T)_ii the
number of active units: one matrix product per layer. The codes are multiplied as int8 with int32
accumulation (exact for U < 2^31, and several times faster than float32 on CPU); the kernels are
summed in float64. A tensor that feeds several ReLU modules (every edge out of a NAS-Bench-201 node
starts with its own ReLU) is coded once and counted once per module, which gives the same kernel as
hooking each module separately at a fraction of the cost.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import torch
from torch import nn

RECTIFIERS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU)


@dataclass(frozen=True)
class LayerKernel:
    """The agreement counts (N x N, float64) of one ReLU module over ``units`` units."""

    units: int
    agreements: torch.Tensor


def agreement_kernel(codes: torch.Tensor) -> torch.Tensor:
    """N_A - d_H for every pair of rows of a boolean matrix (batch x units), in float64."""
    as_int8 = codes.view(torch.int8) if codes.dtype == torch.bool else codes.to(torch.int8)
    gram = torch._int_mm(as_int8, as_int8.T).to(torch.float64)
    active = torch.diagonal(gram)
    return codes.shape[1] - active[:, None] - active[None, :] + 2.0 * gram


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
