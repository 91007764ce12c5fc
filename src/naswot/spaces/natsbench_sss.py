"""NATS-Bench's size search space: one fixed cell, a width from {8, 16, ..., 64} for each of 5 layers.

An architecture is written as NATS-Bench writes it, the five widths joined by colons: ``8:16:24:32:40``
(cell, reduction block, cell, reduction block, cell). The 32,768 of them are indexed as NATS-Bench
indexes them (the first layer varies slowest: index 0 is ``8:8:8:8:8``, 32767 is ``64:64:64:64:64``).
The cell is the topology space's best on CIFAR-100 validation, which NATS-Bench's ``main-sss.py`` fixes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from naswot.errors import NaswotError
from naswot.spaces import register_space
from naswot.spaces.base import NetworkCall, SearchSpace, other_choice
from naswot.spaces.nasbench201 import parse_cell

if TYPE_CHECKING:
    from naswot.spaces.nasbench201_ops import TinyNetwork

CHANNELS = (8, 16, 24, 32, 40, 48, 56, 64)
LAYERS = 5
FIXED_CELL = parse_cell("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")


@dataclass(frozen=True)
class Widths:
    """The channel count of each of the five layers."""

    channels: tuple[int, ...]

    def __str__(self) -> str:
        return ":".join(map(str, self.channels))


def parse_widths(text: str) -> Widths:
    """Read ``a:b:c:d:e``, each a width NATS-Bench offers."""
    hint = f"write five widths from {{{','.join(map(str, CHANNELS))}}} joined by ':', e.g. 8:16:24:32:40"
    parts = text.strip().split(":")
    if len(parts) != LAYERS:
        raise NaswotError(f"NATS-Bench size architecture {text!r} has {len(parts)} widths, not {LAYERS}: {hint}")
    try:
        channels = tuple(int(part) for part in parts)
    except ValueError:
        raise NaswotError(f"NATS-Bench size architecture {text!r} has a width that is not a whole number: {hint}") from None
    wrong = [c for c in channels if c not in CHANNELS]
    if wrong:
        raise NaswotError(f"width {wrong[0]} in {text!r} is not one of NATS-Bench's: {hint}")
    return Widths(channels)


class NatsBenchSizeSpace(SearchSpace):
    """All 8^5 width choices of the fixed cell's five-layer network."""

    name = "natsbench_sss"
    build_modules = ("naswot.spaces.nasbench201_ops",)

    def sample(self, rng: np.random.Generator) -> Widths:
        return Widths(tuple(CHANNELS[i] for i in rng.integers(len(CHANNELS), size=LAYERS)))

    def mutate(self, arch: Widths, rng: np.random.Generator) -> Widths:
        layer = int(rng.integers(LAYERS))
        channels = list(arch.channels)
        channels[layer] = other_choice(CHANNELS, channels[layer], rng)
        return Widths(tuple(channels))

    def parse(self, text: str) -> Widths:
        return parse_widths(text)

    def build(self, arch: Widths, num_classes: int = 10) -> TinyNetwork:
        return self.network_call(arch, num_classes)()

    def network_call(self, arch: Widths, num_classes: int = 10) -> NetworkCall:
        return NetworkCall(self.build_modules[0], "TinyNetwork", (FIXED_CELL.node_edges(), arch.channels),
                           (("num_classes", num_classes),))

    def __len__(self) -> int:
        return len(CHANNELS) ** LAYERS

    def __iter__(self) -> Iterator[Widths]:
        return (Widths(channels) for channels in itertools.product(CHANNELS, repeat=LAYERS))

    def index_of(self, arch: Widths) -> int:
        """NATS-Bench's index of ``arch``."""
        index = 0
        for c in arch.channels:
            index = index * len(CHANNELS) + CHANNELS.index(c)
        return index

    def arch_at(self, index: int) -> Widths:
        """The architecture at NATS-Bench's ``index``."""
        if not 0 <= index < len(self):
            raise NaswotError(f"index {index} is outside NATS-Bench's size space 0..{len(self) - 1}")
        digits = []
        for _ in range(LAYERS):
            index, digit = divmod(index, len(CHANNELS))
            digits.append(CHANNELS[digit])
        return Widths(tuple(reversed(digits)))


@register_space("natsbench_sss")
def _make() -> NatsBenchSizeSpace:
    return NatsBenchSizeSpace()
