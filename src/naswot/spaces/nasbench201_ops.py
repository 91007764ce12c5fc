"""The operations and skeleton of NAS-Bench-201 networks, as in the official ``xautodl`` code.

Module names follow the official ``TinyNetwork`` (``stem``, ``cells``, ``lastact``, ``global_pooling``,
``classifier``) so parameter counts and state dicts line up with the benchmark's networks. Control
flow is static, so the networks trace with ``torch.fx``.

The same skeleton with a width per layer is NATS-Bench's size space (xautodl's ``DynamicShapeTinyNet``):
there a cell may widen its input, so edges leaving the cell's input node map ``c_in`` to ``c_out``
channels, exactly as xautodl's ``InferCell`` builds them.
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
    """The ``none`` op: multiplies by zero, keeping the edge in the graph as the official code does.

    When the edge widens (``c_out`` differs from the input's channels) it returns zeros of the wider shape.
    """

    def __init__(self, c_out: int | None = None) -> None:
        super().__init__()
        self.c_out = c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.c_out is None or self.c_out == x.shape[1]:
            return x.mul(0.0)
        return x.new_zeros(x.shape[0], self.c_out, *x.shape[2:])


class ConvBN(nn.Sequential):
    """The widening skip connection (xautodl's stride-1 ``FactorizedReduce``): a 1x1 conv and BatchNorm, no ReLU."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__(nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out))


def make_op(name: str, channels: int, c_out: int | None = None) -> nn.Module:
    """One cell edge at stride 1, from ``channels`` to ``c_out`` (default: the same) channels."""
    c_out = channels if c_out is None else c_out
    widens = c_out != channels
    if name == "none":
        return Zero(c_out if widens else None)
    if name == "skip_connect":
        return ConvBN(channels, c_out) if widens else nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, c_out, 1, 1, 0)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, c_out, 3, 1, 1)
    if name == "avg_pool_3x3":
        pool = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        return nn.Sequential(ReLUConvBN(channels, c_out, 1, 1, 0), pool) if widens else pool
    raise ValueError(f"unknown NAS-Bench-201 op {name!r}")


class InferCell(nn.Module):
    """A cell: node j sums one op applied to every earlier node; the last node is the output.

    Edges out of the input node map ``channels`` to ``c_out`` channels (default: the same); the rest
    stay at ``c_out``.
    """

    def __init__(self, edges: Sequence[Sequence[tuple[str, int]]], channels: int, c_out: int | None = None) -> None:
        super().__init__()
        c_out = channels if c_out is None else c_out
        self.layers = nn.ModuleList()
        self.node_inputs: list[list[tuple[int, int]]] = []  # (layer index, source node) per node
        for node_edges in edges:
            inputs = []
            for op_name, source in node_edges:
                inputs.append((len(self.layers), source))
                self.layers.append(make_op(op_name, channels if source == 0 else c_out, c_out))
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


def layer_channels(channels: int, cells_per_stage: int) -> list[int]:
    """The width of every layer of NAS-Bench-201's skeleton: N cells at C, a reduction to 2C, N at 2C, to 4C, N at 4C."""
    n = cells_per_stage
    return [channels] * n + [2 * channels] * (n + 1) + [4 * channels] * (n + 1)


class TinyNetwork(nn.Module):
    """Stem, three stages of cells with reduction blocks between, BN-ReLU, GAP, linear.

    ``channels`` is either the stem width C (stages of C, 2C, 4C with ``cells_per_stage`` cells each)
    or the width of every layer, 3N + 2 of them (N cells, a reduction block, N cells, a reduction
    block, N cells), as NATS-Bench's size space gives it; ``cells_per_stage`` then follows from it.
    """

    def __init__(
        self,
        edges: Sequence[Sequence[tuple[str, int]]],
        channels: int | Sequence[int] = 16,
        cells_per_stage: int = 5,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        widths = list(channels) if isinstance(channels, Sequence) else layer_channels(channels, cells_per_stage)
        if len(widths) % 3 != 2:
            raise ValueError(f"{len(widths)} layer widths do not make 3 stages with 2 reduction blocks (need 3N + 2)")
        n = len(widths) // 3
        reductions = {n, 2 * n + 1}
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]))
        self.cells = nn.ModuleList()
        c_prev = widths[0]
        for index, c_curr in enumerate(widths):
            self.cells.append(ResNetBasicBlock(c_prev, c_curr) if index in reductions else InferCell(edges, c_prev, c_curr))
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
