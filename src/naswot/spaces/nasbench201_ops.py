"""The operations and skeleton of NAS-Bench-201 networks, as in the official ``xautodl`` code.

Module names follow the official ``TinyNetwork`` (``stem``, ``cells``, ``lastact``, ``global_pooling``,
``classifier``) so parameter counts and state dicts line up with the benchmark's networks. Control
flow is static, so the networks trace with ``torch.fx``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class ReLUConvBN(nn.Sequential):
    """ReLU, then a bias-free convolution, then BatchNorm: the benchmark's ``nor_conv`` ops."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int, padding: int) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out),
        )


class Zero(nn.Module):
    """The ``none`` op: multiplies by zero, keeping the edge in the graph as the official code does."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


def make_op(name: str, channels: int) -> nn.Module:
    """One cell edge; inside a cell input and output channels are equal and the stride is 1."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1, 1, 0)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3, 1, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"unknown NAS-Bench-201 op {name!r}")


class InferCell(nn.Module):
    """A cell: node j sums one op applied to every earlier node; the last node is the output."""

    def __init__(self, edges: Sequence[Sequence[tuple[str, int]]], channels: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList()
        self.node_inputs: list[list[tuple[int, int]]] = []  # (layer index, source node) per node
        for node_edges in edges:
            inputs = []
            for op_name, source in node_edges:
                inputs.append((len(self.layers), source))
                self.layers.append(make_op(op_name, channels))
            self.node_inputs.append(inputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for inputs in self.node_inputs:
            total = self.layers[inputs[0][0]](nodes[inputs[0][1]])
            for layer, source in inputs[1:]:
                total = total + self.layers[layer](nodes[source])
            nodes.append(total)
        return nodes[-1]


class ResNetBasicBlock(nn.Module):
    """The fixed reduction block between stages: two ReLU-conv-BN plus an avg-pool/1x1 shortcut."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = nn.Sequential(
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(c_in, c_out, kernel_size=1, stride=1, padding=0, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class TinyNetwork(nn.Module):
    """Stem, three stages of ``cells_per_stage`` cells with reduction blocks between, BN-ReLU, GAP, linear."""

    def __init__(
        self,
        edges: Sequence[Sequence[tuple[str, int]]],
        channels: int = 16,
        cells_per_stage: int = 5,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))
        self.cells = nn.ModuleList()
        c_prev = channels
        for stage, c_curr in enumerate((channels, 2 * channels, 4 * channels)):
            if stage > 0:
                self.cells.append(ResNetBasicBlock(c_prev, c_curr))
            self.cells.extend(InferCell(edges, c_curr) for _ in range(cells_per_stage))
            c_prev = c_curr
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=False))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.global_pooling(self.forward_features(x)), 1))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The activated feature map before global pooling."""
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        return self.lastact(x)
