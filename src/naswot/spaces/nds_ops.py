"""The operations and CIFAR network of the NDS cell spaces, as pycls builds them (``pycls/models/nas``).

pycls ported these from DARTS and added the ops the NASNet, Amoeba and PNAS spaces need. A cell
takes the outputs of the two previous cells (through 1x1 ReLU-conv-BN preprocessing, or a factorized
reduction after a reduction cell), each node sums two ops applied to earlier states, and the cell
concatenates the nodes its genotype lists. Reduction cells apply stride 2 to the ops on their inputs.
The network is a 3x3 conv-BN stem of 3w channels, ``depth`` cells (width doubled and a reduction
cell at depth//3 and 2*depth//3), global average pooling and a linear classifier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn


def relu_conv_bn(c_in: int, c_out: int, kernel_size: int, stride: int = 1, padding: int = 0) -> nn.Sequential:
    return nn.Sequential(
        nn.ReLU(inplace=False),
        nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
        nn.BatchNorm2d(c_out),
    )


def dil_conv(c: int, kernel_size: int, stride: int, padding: int, dilation: int) -> nn.Sequential:
    """ReLU, depthwise (dilated) conv, pointwise conv, BatchNorm."""
    return nn.Sequential(
        nn.ReLU(inplace=False),
        nn.Conv2d(c, c, kernel_size, stride=stride, padding=padding, dilation=dilation, groups=c, bias=False),
        nn.Conv2d(c, c, 1, bias=False),
        nn.BatchNorm2d(c),
    )


def sep_conv(c: int, kernel_size: int, stride: int, padding: int, dilation: int = 1) -> nn.Sequential:
    """Two depthwise-separable blocks, the first with the stride (pycls ``SepConv`` / ``DilSepConv``)."""
    return nn.Sequential(*dil_conv(c, kernel_size, stride, padding, dilation),
                         *dil_conv(c, kernel_size, 1, padding, dilation))


def factorized_conv(c: int, length: int, stride: int) -> nn.Sequential:
    """ReLU, a 1 x n then an n x 1 convolution, BatchNorm (``conv_3x1_1x3``, ``conv_7x1_1x7``)."""
    half = length // 2
    return nn.Sequential(
        nn.ReLU(inplace=False),
        nn.Conv2d(c, c, (1, length), stride=(1, stride), padding=(0, half), bias=False),
        nn.Conv2d(c, c, (length, 1), stride=(stride, 1), padding=(half, 0), bias=False),
        nn.BatchNorm2d(c),
    )


class Zero(nn.Module):
    """The ``none`` op: zeros at the output resolution."""

    def __init__(self, stride: int) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, :: self.stride, :: self.stride].mul(0.0)


class FactorizedReduce(nn.Module):
    """Halve the resolution with two 1x1 stride-2 convs on offset grids, concatenated, then BatchNorm."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        if c_out % 2:
            raise ValueError(f"a factorized reduction needs an even width, got {c_out}")
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.pad = nn.ConstantPad2d((0, 1, 0, 1), 0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = self.pad(x)[:, :, 1:, 1:]
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


OPS: dict[str, Callable[[int, int], nn.Module]] = {
    "none": lambda c, stride: Zero(stride),
    "skip_connect": lambda c, stride: nn.Identity() if stride == 1 else FactorizedReduce(c, c),
    "avg_pool_3x3": lambda c, stride: nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False),
    "max_pool_3x3": lambda c, stride: nn.MaxPool2d(3, stride=stride, padding=1),
    "max_pool_5x5": lambda c, stride: nn.MaxPool2d(5, stride=stride, padding=2),
    "max_pool_7x7": lambda c, stride: nn.MaxPool2d(7, stride=stride, padding=3),
    "conv_1x1": lambda c, stride: relu_conv_bn(c, c, 1, stride, 0),
    "conv_3x3": lambda c, stride: relu_conv_bn(c, c, 3, stride, 1),
    "sep_conv_3x3": lambda c, stride: sep_conv(c, 3, stride, 1),
    "sep_conv_5x5": lambda c, stride: sep_conv(c, 5, stride, 2),
    "sep_conv_7x7": lambda c, stride: sep_conv(c, 7, stride, 3),
    "dil_conv_3x3": lambda c, stride: dil_conv(c, 3, stride, 2, 2),
    "dil_conv_5x5": lambda c, stride: dil_conv(c, 5, stride, 4, 2),
    "dil_sep_conv_3x3": lambda c, stride: sep_conv(c, 3, stride, 2, 2),
    "conv_3x1_1x3": lambda c, stride: factorized_conv(c, 3, stride),
    "conv_7x1_1x7": lambda c, stride: factorized_conv(c, 7, stride),
}


class Cell(nn.Module):
    """One normal or reduction cell: ``nodes`` lists (op, input state) pairs, two per node."""

    def __init__(self, nodes: Sequence[tuple[str, int]], concat: Sequence[int], c_prev_prev: int, c_prev: int,
                 channels: int, reduction: bool, reduction_prev: bool) -> None:
        super().__init__()
        self.preprocess0 = FactorizedReduce(c_prev_prev, channels) if reduction_prev else relu_conv_bn(c_prev_prev, channels, 1)
        self.preprocess1 = relu_conv_bn(c_prev, channels, 1)
        self.ops = nn.ModuleList(OPS[op](channels, 2 if reduction and index < 2 else 1) for op, index in nodes)
        self.indices = [index for _, index in nodes]
        self.concat = list(concat)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for i in range(0, len(self.ops), 2):
            states.append(self.ops[i](states[self.indices[i]]) + self.ops[i + 1](states[self.indices[i + 1]]))
        return torch.cat([states[i] for i in self.concat], dim=1)


class NdsNetwork(nn.Module):
    """pycls's ``NetworkCIFAR`` without the auxiliary head (which only training uses)."""

    def __init__(self, normal: Sequence[tuple[str, int]], normal_concat: Sequence[int],
                 reduce: Sequence[tuple[str, int]], reduce_concat: Sequence[int],
                 width: int, depth: int, num_classes: int = 10) -> None:
        super().__init__()
        stem = 3 * width
        self.stem = nn.Sequential(nn.Conv2d(3, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem))
        c_prev_prev, c_prev, channels = stem, stem, width
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(depth):
            reduction = i in (depth // 3, 2 * depth // 3)
            if reduction:
                channels *= 2
            nodes, concat = (reduce, reduce_concat) if reduction else (normal, normal_concat)
            self.cells.append(Cell(nodes, concat, c_prev_prev, c_prev, channels, reduction, reduction_prev))
            reduction_prev = reduction
            c_prev_prev, c_prev = c_prev, len(concat) * channels
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.global_pooling(self.forward_features(x)), 1))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The last cell's output (pycls pools it directly, with no final activation)."""
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return s1
