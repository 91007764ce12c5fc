"""The NDS cell spaces (Radosavovic et al., "On Network Design Spaces"): DARTS, ENAS, PNAS, NASNet, Amoeba.

Each names a DARTS-like cell search space: every node of a cell applies two ops to two earlier
states and sums them; the cell outputs either all its nodes (DARTS, PNAS) or its "loose ends", the
nodes no other node uses (ENAS, NASNet, Amoeba). A network is a normal and a reduction cell
stacked ``depth`` times with initial ``width``. An architecture is written in the NDS data files' own
JSON form (their ``net`` entry, without the training-only ``aux`` and ``drop_prob``), for example
``{"depth":8,"genotype":{"normal":[["sep_conv_3x3",0],...],"normal_concat":[2,3,4,5],
"reduce":[...],"reduce_concat":[2,3,4,5]},"width":16}``.

Sampling draws every op and input uniformly (inputs of a node from all earlier states, independently,
as in the NDS data) and a width and depth from ``widths`` and ``depths``; NDS drew w from {16, 24, 32}
and d from {4, 8, 12, 16, 20}, the defaults here.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from naswot.errors import NaswotError
from naswot.spaces import register_space
from naswot.spaces.base import NetworkCall, SearchSpace, other_choice

if TYPE_CHECKING:
    from naswot.spaces.nds_ops import NdsNetwork


@dataclass(frozen=True)
class CellSpace:
    """What one NDS space allows in a cell."""

    ops: tuple[str, ...]
    nodes: int
    loose_ends: bool
    """Output the nodes no other node uses (else all nodes)."""


SPACES = {
    "DARTS": CellSpace(("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
                        "dil_conv_3x3", "dil_conv_5x5"), 4, False),
    "ENAS": CellSpace(("skip_connect", "sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3"), 5, True),
    "PNAS": CellSpace(("skip_connect", "avg_pool_3x3", "max_pool_3x3", "sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7",
                       "dil_conv_3x3", "conv_7x1_1x7"), 5, False),
    "NASNet": CellSpace(("skip_connect", "conv_3x1_1x3", "conv_7x1_1x7", "dil_conv_3x3", "avg_pool_3x3",
                         "max_pool_3x3", "max_pool_5x5", "max_pool_7x7", "conv_1x1", "conv_3x3", "sep_conv_3x3",
                         "sep_conv_5x5", "sep_conv_7x7"), 5, True),
    "Amoeba": CellSpace(("skip_connect", "avg_pool_3x3", "max_pool_3x3", "sep_conv_3x3", "sep_conv_5x5",
                         "sep_conv_7x7", "dil_sep_conv_3x3", "conv_7x1_1x7"), 5, True),
}
WIDTHS = (16, 24, 32)
DEPTHS = (4, 8, 12, 16, 20)

Edges = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class NdsNet:
    """A genotype (two (op, input) pairs per node, per cell type) with the network's width and depth."""

    normal: Edges
    normal_concat: tuple[int, ...]
    reduce: Edges
    reduce_concat: tuple[int, ...]
    width: int
    depth: int

    def to_json(self) -> dict[str, Any]:
        genotype = {"normal": [list(e) for e in self.normal], "normal_concat": list(self.normal_concat),
                    "reduce": [list(e) for e in self.reduce], "reduce_concat": list(self.reduce_concat)}
        return {"depth": self.depth, "genotype": genotype, "width": self.width}

    def __str__(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True)


def net_from_json(entry: Any) -> NdsNet:
    """An ``NdsNet`` from an NDS ``net`` dict (``genotype``, ``width``, ``depth``; other keys are ignored)."""
    hint = ('give {"genotype": {"normal": [[op, input], ...], "normal_concat": [...], "reduce": ..., '
            '"reduce_concat": ...}, "width": w, "depth": d}')
    try:
        genotype = entry["genotype"]
        net = NdsNet(_edges(genotype["normal"]), _indices(genotype["normal_concat"]), _edges(genotype["reduce"]),
                     _indices(genotype["reduce_concat"]), int(entry["width"]), int(entry["depth"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise NaswotError(f"not an NDS network ({type(exc).__name__}: {exc}): {hint}") from None
    if net.width < 2 or net.width % 2 or net.depth < 1:
        raise NaswotError(f"NDS width must be even and >= 2 and depth >= 1, got width {net.width}, depth {net.depth}")
    return net


def _edges(pairs: Sequence[Sequence[Any]]) -> Edges:
    if len(pairs) % 2 or not pairs:
        raise ValueError(f"a cell lists two (op, input) pairs per node, got {len(pairs)} pairs")
    edges = tuple((str(op), int(index)) for op, index in pairs)
    for slot, (_, index) in enumerate(edges):
        if not 0 <= index < 2 + slot // 2:
            raise ValueError(f"node {2 + slot // 2} takes input {index}, which is not an earlier state")
    return edges


def _indices(values: Sequence[Any]) -> tuple[int, ...]:
    indices = tuple(int(v) for v in values)
    if not indices:
        raise ValueError("a cell must concatenate at least one state")
    return indices


def output_nodes(edges: Edges, loose_ends: bool) -> tuple[int, ...]:
    """The states a cell concatenates: all nodes, or only those no node uses as input."""
    nodes = range(2, 2 + len(edges) // 2)
    if not loose_ends:
        return tuple(nodes)
    used = {index for _, index in edges}
    return tuple(n for n in nodes if n not in used)


class NdsSpace(SearchSpace):
    """One NDS cell space (``space``), with ``width`` and ``depth`` drawn from the given choices.

    ``widths`` and ``depths`` are one value or several joined by ``|`` (e.g. ``nds:space=ENAS,widths=32,depths=20``).
    """

    name = "nds"
    build_modules = ("naswot.spaces.nds_ops",)

    def __init__(self, space: str = "DARTS", widths: Sequence[int] = WIDTHS, depths: Sequence[int] = DEPTHS) -> None:
        if space not in SPACES:
            raise NaswotError(f"unknown NDS space {space!r}: choose one of {', '.join(SPACES)}")
        if not widths or not depths or any(w < 2 or w % 2 for w in widths) or any(d < 1 for d in depths):
            raise NaswotError(f"NDS widths must be even and >= 2, depths >= 1: got widths {list(widths)}, depths {list(depths)}")
        self.space = space
        self.cell_space = SPACES[space]
        self.widths = tuple(widths)
        self.depths = tuple(depths)

    def sample(self, rng: np.random.Generator) -> NdsNet:
        normal, reduce = self._sample_edges(rng), self._sample_edges(rng)
        width = self.widths[int(rng.integers(len(self.widths)))]
        depth = self.depths[int(rng.integers(len(self.depths)))]
        return self._net(normal, reduce, width, depth)

    def _sample_edges(self, rng: np.random.Generator) -> Edges:
        ops = self.cell_space.ops
        return tuple((ops[int(rng.integers(len(ops)))], int(rng.integers(2 + slot // 2)))
                     for slot in range(2 * self.cell_space.nodes))

    def _net(self, normal: Edges, reduce: Edges, width: int, depth: int) -> NdsNet:
        loose = self.cell_space.loose_ends
        return NdsNet(normal, output_nodes(normal, loose), reduce, output_nodes(reduce, loose), width, depth)

    def mutate(self, arch: NdsNet, rng: np.random.Generator) -> NdsNet:
        """Change one op, one input, the width or the depth (where there is a choice)."""
        choices = ["op", "input"] + ["width"] * (len(self.widths) > 1) + ["depth"] * (len(self.depths) > 1)
        kind = choices[int(rng.integers(len(choices)))]
        if kind == "width":
            return replace(arch, width=other_choice(self.widths, arch.width, rng))
        if kind == "depth":
            return replace(arch, depth=other_choice(self.depths, arch.depth, rng))
        cells = {"normal": list(arch.normal), "reduce": list(arch.reduce)}
        edges = cells["normal" if rng.integers(2) == 0 else "reduce"]
        slot = int(rng.integers(len(edges)))
        op, index = edges[slot]
        if kind == "op":
            edges[slot] = (other_choice(self.cell_space.ops, op, rng), index)
        else:
            edges[slot] = (op, other_choice(range(2 + slot // 2), index, rng))
        return self._net(tuple(cells["normal"]), tuple(cells["reduce"]), arch.width, arch.depth)

    def parse(self, text: str) -> NdsNet:
        try:
            entry = json.loads(text)
        except json.JSONDecodeError as exc:
            raise NaswotError(f"NDS architecture is not JSON ({exc.msg} at character {exc.pos}): "
                              "write the NDS 'net' entry") from None
        net = net_from_json(entry)
        self.check(net)
        return net

    def check(self, net: NdsNet) -> None:
        """Refuse a genotype outside this space (an op it lacks, another number of nodes)."""
        for cell, edges, concat in (("normal", net.normal, net.normal_concat), ("reduce", net.reduce, net.reduce_concat)):
            if len(edges) != 2 * self.cell_space.nodes:
                raise NaswotError(f"the {cell} cell has {len(edges) // 2} nodes, the NDS {self.space} space has "
                                  f"{self.cell_space.nodes}: pick the matching nds:space=...")
            wrong = [op for op, _ in edges if op not in self.cell_space.ops]
            if wrong:
                raise NaswotError(f"op {wrong[0]!r} is not in the NDS {self.space} space: "
                                  f"use one of {', '.join(self.cell_space.ops)}")
            if any(not 0 <= c < 2 + len(edges) // 2 for c in concat):
                raise NaswotError(f"the {cell} cell concatenates a state that does not exist: {list(concat)}")

    def build(self, arch: NdsNet, num_classes: int = 10) -> NdsNetwork:
        return self.network_call(arch, num_classes)()

    def network_call(self, arch: NdsNet, num_classes: int = 10) -> NetworkCall:
        return NetworkCall(self.build_modules[0], "NdsNetwork",
                           (arch.normal, arch.normal_concat, arch.reduce, arch.reduce_concat, arch.width, arch.depth),
                           (("num_classes", num_classes),))

    def cell_count(self) -> int:
        """How many cells of one type the space holds: each node picks two (op, input) pairs.

        This is the "#cells" column of the NDS paper's table of NAS design spaces.
        """
        return math.prod((len(self.cell_space.ops) * (2 + node)) ** 2 for node in range(self.cell_space.nodes))

    def __len__(self) -> int:
        """Normal x reduction cells x widths x depths, capped at ``sys.maxsize`` (the most ``len`` can return)."""
        return min(self.cell_count() ** 2 * len(self.widths) * len(self.depths), sys.maxsize)

    def spec(self) -> str:
        settings = [f"space={self.space}"]
        if self.widths != WIDTHS:
            settings.append("widths=" + "|".join(map(str, self.widths)))
        if self.depths != DEPTHS:
            settings.append("depths=" + "|".join(map(str, self.depths)))
        return f"{self.name}:{','.join(settings)}"


def _choices(value: int | str | None, setting: str, default: tuple[int, ...]) -> tuple[int, ...]:
    if value is None:
        return default
    if isinstance(value, int):
        return (value,)
    try:
        return tuple(int(part) for part in str(value).split("|"))
    except ValueError:
        raise NaswotError(f"nds {setting}={value!r} is not whole numbers joined by '|': write e.g. {setting}=16|32") from None


@register_space("nds")
def _make(space: str = "DARTS", widths: int | str | None = None, depths: int | str | None = None) -> NdsSpace:
    return NdsSpace(space, _choices(widths, "widths", WIDTHS), _choices(depths, "depths", DEPTHS))
