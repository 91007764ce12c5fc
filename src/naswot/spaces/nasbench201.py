"""The NAS-Bench-201 (NATS-Bench topology) space: 5 ops on the 6 edges of a 4-node cell, 15,625 cells.

Cells are written in the field's standard form, node by node, each node listing ``op~source`` for
every earlier node: ``|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from naswot.errors import NaswotError
from naswot.spaces import register_space
from naswot.spaces.base import NetworkCall, SearchSpace

if TYPE_CHECKING:
    from naswot.spaces.nasbench201_ops import TinyNetwork

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
EDGES = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
"""(target node, source node) of each edge, in the order the standard string lists them."""


@dataclass(frozen=True)
class Cell:
    """One NAS-Bench-201 cell: the op on each edge, in the order of ``EDGES``."""

    ops: tuple[str, ...]

    def __str__(self) -> str:
        nodes = []
        for target in (1, 2, 3):
            edges = [f"{op}~{source}" for (t, source), op in zip(EDGES, self.ops) if t == target]
            nodes.append("|" + "|".join(edges) + "|")
        return "+".join(nodes)

    def node_edges(self) -> list[list[tuple[str, int]]]:
        """For each node 1..3, its ``(op, source)`` inputs: the form the network builder takes."""
        return [[(op, s) for (t, s), op in zip(EDGES, self.ops) if t == target] for target in (1, 2, 3)]


def parse_cell(text: str) -> Cell:
    """Read a standard cell string, checking every op, source and node."""
    text = text.strip()
    hint = "write a cell like |nor_conv_3x3~0|+|none~0|skip_connect~1|+|...~0|...~1|...~2|"
    nodes = text.split("+")
    if len(nodes) != 3:
        raise NaswotError(f"NAS-Bench-201 cell {text!r} has {len(nodes)} nodes, not 3: {hint}")
    ops = []
    for target, node in enumerate(nodes, start=1):
        if not (node.startswith("|") and node.endswith("|")):
            raise NaswotError(f"node {node!r} of {text!r} is not enclosed in '|': {hint}")
        edges = node[1:-1].split("|")
        if len(edges) != target:
            raise NaswotError(f"node {target} of {text!r} needs {target} inputs, has {len(edges)}: {hint}")
        for source, edge in enumerate(edges):
            op, tilde, src = edge.partition("~")
            if op not in OPS:
                raise NaswotError(f"unknown op {op!r} in {text!r}: use one of {', '.join(OPS)}")
            if not tilde or src != str(source):
                raise NaswotError(f"edge {edge!r} of node {target} in {text!r} should read {op}~{source}")
            ops.append(op)
    return Cell(tuple(ops))


class NasBench201Space(SearchSpace):
    """All 5^6 cells, each built into the benchmark's fixed skeleton.

    ``C`` (stem channels) and ``N`` (cells per stage) default to the benchmark's 16 and 5. ``order``,
    when given, is the official list of cell strings, which fixes index <-> cell.
    """

    name = "nasbench201"
    build_modules = ("naswot.spaces.nasbench201_ops",)

    def __init__(self, C: int = 16, N: int = 5, order: Sequence[str] | None = None) -> None:
        if C < 1 or N < 0:
            raise NaswotError(f"nasbench201 needs C >= 1 and N >= 0, got C={C}, N={N}")
        self.channels = C
        self.cells_per_stage = N
        self._order = [parse_cell(s) for s in order] if order is not None else None
        self._index = {cell: i for i, cell in enumerate(self._order)} if self._order else None

    def sample(self, rng: np.random.Generator) -> Cell:
        return Cell(tuple(OPS[i] for i in rng.integers(len(OPS), size=len(EDGES))))

    def mutate(self, arch: Cell, rng: np.random.Generator) -> Cell:
        edge = int(rng.integers(len(EDGES)))
        choices = [op for op in OPS if op != arch.ops[edge]]
        ops = list(arch.ops)
        ops[edge] = choices[int(rng.integers(len(choices)))]
        return Cell(tuple(ops))

    def parse(self, text: str) -> Cell:
        return parse_cell(text)

    def build(self, arch: Cell, num_classes: int = 10) -> TinyNetwork:
        return self.network_call(arch, num_classes)()

    def network_call(self, arch: Cell, num_classes: int = 10) -> NetworkCall:
        return NetworkCall(self.build_modules[0], "TinyNetwork", (arch.node_edges(), self.channels, self.cells_per_stage),
                           (("num_classes", num_classes),))

    def __len__(self) -> int:
        return len(OPS) ** len(EDGES)

    def __iter__(self) -> Iterator[Cell]:
        if self._order is not None:
            return iter(self._order)
        return (Cell(ops) for ops in itertools.product(OPS, repeat=len(EDGES)))

    def equivalence_classes(self, archs: Sequence[Cell]) -> list[list[Cell]]:  # type: ignore[override]
        """Cells whose output is the same sum of op terms (see ``nasbench201_classes``)."""
        from naswot.spaces.nasbench201_classes import equivalence_classes

        return list(equivalence_classes(archs).values())

    def spec(self) -> str:
        if (self.channels, self.cells_per_stage) == (16, 5):
            return self.name
        return f"{self.name}:C={self.channels},N={self.cells_per_stage}"

    def index_of(self, arch: Cell) -> int:
        """The official index of ``arch`` (needs ``order``)."""
        return self._require_order()[1][arch]

    def arch_at(self, index: int) -> Cell:
        """The cell at the official ``index`` (needs ``order``)."""
        order = self._require_order()[0]
        if not 0 <= index < len(order):
            raise NaswotError(f"index {index} is outside 0..{len(order) - 1}")
        return order[index]

    def _require_order(self) -> tuple[list[Cell], dict[Cell, int]]:
        if self._order is None or self._index is None:
            raise NaswotError("the official index order is unknown: pass benchmark= the NAS-Bench-201 table")
        return self._order, self._index


def conv_parameter_count(cell: Cell, C: int = 16, N: int = 5, num_classes: int = 10) -> int:
    """The parameter count of the built network, by closed form (an independent check of ``build``).

    Every stage s (channels c = C * 2^s) has N cells; each 3x3 conv edge holds 9c^2 weights and each
    1x1 edge c^2, plus 2c BatchNorm parameters; the skeleton adds the stem, two reduction blocks,
    the final BatchNorm and the classifier.
    """
    n3 = cell.ops.count("nor_conv_3x3")
    n1 = cell.ops.count("nor_conv_1x1")
    total = 3 * C * 9 + 2 * C  # stem conv + BN
    for c in (C, 2 * C, 4 * C):
        total += N * (n3 * (9 * c * c + 2 * c) + n1 * (c * c + 2 * c))
    for c_in, c_out in ((C, 2 * C), (2 * C, 4 * C)):
        total += 9 * c_in * c_out + 2 * c_out + 9 * c_out * c_out + 2 * c_out + c_in * c_out
    return total + 2 * 4 * C + 4 * C * num_classes + num_classes


@register_space("nasbench201")
def _make(C: int = 16, N: int = 5) -> NasBench201Space:
    return NasBench201Space(C=C, N=N)
