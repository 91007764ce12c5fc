"""The NAS-Bench-101 network, as the official ``model_builder`` builds it (in PyTorch).

A 3x3 conv-BN-ReLU stem of 128 channels, then 3 stacks of 3 cells; each stack after the first starts
with a 2x2 max-pool and doubles the channels; then global average pooling and a dense layer. Inside
a cell the output channels are split among the vertices that feed the output (concatenated there),
earlier vertices take the widest width they feed, a wider tensor is truncated to a narrower vertex,
and the cell input reaches a vertex only through a 1x1 conv-BN-ReLU projection. BatchNorm uses the
official epsilon 1e-5 and decay 0.997 (PyTorch momentum 0.003).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

BN_MOMENTUM = 1 - 0.997
BN_EPSILON = 1e-5


class ConvBnRelu(nn.Sequential):
    """The official ``conv_bn_relu``: a bias-free 'same' convolution, BatchNorm, ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int) -> None:
        super().__init__(
            nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(c_out, eps=BN_EPSILON, momentum=BN_MOMENTUM),
            nn.ReLU(inplace=False),
        )


def make_op(name: str, channels: int) -> nn.Module:
    """A vertex op on ``channels`` channels (max-pooling keeps whatever it is given)."""
    if name == "conv3x3":
        return ConvBnRelu(channels, channels, 3)
    if name == "conv1x1":
        return ConvBnRelu(channels, channels, 1)
    if name == "maxpool3x3":
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise ValueError(f"unknown NAS-Bench-101 op {name!r}")


def vertex_channels(c_in: int, c_out: int, matrix: np.ndarray) -> list[int]:
    """The official ``compute_vertex_channels``: the output width split among the vertices feeding it.

    Vertices feeding the output get ``c_out // k`` channels (the first ``c_out % k`` of them one
    more); every other interior vertex gets the largest width among the interior vertices it feeds.
    """
    size = len(matrix)
    channels = [0] * size
    channels[0], channels[-1] = c_in, c_out
    if size == 2:
        return channels
    fan_in = int(matrix[1:, -1].sum())
    share, extra = divmod(c_out, fan_in)
    for v in range(1, size - 1):
        if matrix[v, -1]:
            channels[v] = share + (1 if extra > 0 else 0)
            extra -= 1
    for v in range(size - 3, 0, -1):
        if not matrix[v, -1]:
            channels[v] = max(channels[dst] for dst in range(v + 1, size - 1) if matrix[v, dst])
    return channels


class Cell(nn.Module):
    """One NAS-Bench-101 module (``build_module``) for an adjacency matrix and the interior ops."""

    def __init__(self, matrix: np.ndarray, ops: Sequence[str], c_in: int, c_out: int) -> None:
        super().__init__()
        size = len(matrix)
        self.widths = vertex_channels(c_in, c_out, matrix)
        self.sources = [[s for s in range(1, t) if matrix[s, t]] for t in range(size - 1)]
        self.from_input = [bool(matrix[0, t]) for t in range(size)]
        self.to_output = [t for t in range(1, size - 1) if matrix[t, -1]]
        self.projections = nn.ModuleDict(
            {str(t): ConvBnRelu(c_in, self.widths[t], 1) for t in range(1, size) if self.from_input[t]}
        )
        self.ops = nn.ModuleList(make_op(op, self.widths[t]) for t, op in enumerate(ops, start=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = len(self.widths)
        tensors = [x]
        for t in range(1, size - 1):
            width = self.widths[t]
            inputs = [tensors[s][:, :width] for s in self.sources[t]]
            if self.from_input[t]:
                inputs.append(self.projections[str(t)](x))
            total = inputs[0]
            for extra in inputs[1:]:
                total = total + extra
            tensors.append(self.ops[t - 1](total))
        if not self.to_output:
            return self.projections[str(size - 1)](x)
        out = torch.cat([tensors[t] for t in self.to_output], dim=1) if len(self.to_output) > 1 else tensors[self.to_output[0]]
        if self.from_input[size - 1]:
            out = out + self.projections[str(size - 1)](x)
        return out


def parameter_count(
    matrix: np.ndarray, ops: Sequence[str], num_classes: int = 10, stem: int = 128, stacks: int = 3, cells: int = 3
) -> int:
    """The trainable parameters of the built network by closed form, without building it.

    Each conv-BN-ReLU of k x k from a to b channels holds k*k*a*b weights and 2b BatchNorm
    parameters; a cell has one per conv vertex, one projection per edge out of its input.
    """

    def conv(a: int, b: int, k: int) -> int:
        return k * k * a * b + 2 * b

    kernels = {"conv3x3": 3, "conv1x1": 1, "maxpool3x3": 0}
    total = conv(3, stem, 3)
    c_in = channels = stem
    for stack in range(stacks):
        if stack > 0:
            channels *= 2
        for _ in range(cells):
            widths = vertex_channels(c_in, channels, matrix)
            total += sum(conv(c_in, widths[t], 1) for t in range(1, len(matrix)) if matrix[0, t])
            total += sum(conv(widths[t], widths[t], kernels[op]) for t, op in enumerate(ops, start=1) if kernels[op])
            c_in = channels
    return total + channels * num_classes + num_classes


class NasBench101Network(nn.Module):
    """Stem, ``stacks`` stacks of ``cells`` cells (max-pool and doubled width between stacks), GAP, dense."""

    def __init__(
        self,
        matrix: np.ndarray,
        ops: Sequence[str],
        num_classes: int = 10,
        stem: int = 128,
        stacks: int = 3,
        cells: int = 3,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [ConvBnRelu(3, stem, 3)]
        c_in = channels = stem
        for stack in range(stacks):
            if stack > 0:
                layers.append(nn.MaxPool2d(2, stride=2))
                channels *= 2
            for _ in range(cells):
                layers.append(Cell(matrix, ops, c_in, channels))
                c_in = channels
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.forward_features(x).mean(dim=(2, 3)))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The last cell's output (non-negative: every vertex ends in a ReLU or a max-pool of one)."""
        return self.features(x)
