"""GRAF-style features of a cell's graph (Kadlecová et al., "Surprisingly strong performance prediction
with neural graph features", ICML 2024): zero cost, read from the cell, no network built.

A cell is reduced to the labelled paths from its input to its output (a ``none`` edge of
NAS-Bench-201 is no connection; NAS-Bench-101 labels vertices, NAS-Bench-201 edges) and to its
operations, from which the features are:
- ``count:<op>``: how many times each op occurs in the cell;
- ``paths``: the number of input-to-output paths, and ``paths:<op>``: on how many of them each op occurs;
- ``min_convs`` / ``max_convs``: the fewest and the most convolutions on one input-to-output path
  (-inf, i.e. missing to the learned ensemble, for a cell whose input never reaches its output);
- ``dead``: operations that can never reach the output (or never receive the input), which only cost;
- NAS-Bench-201 only, ``edge<j>:<op>``: the one-hot encoding of which op sits on each of the six edges, as
  performance predictors encode these cells (White et al., NASLib): where an op sits matters beyond the
  counts (a convolution on the edge into the output is not one on the first), and with about a thousand
  labels the trees use it (whole-space τ with 1,000 labels 0.845 -> 0.86, benchmarks/whole_space.py).
  NAS-Bench-101 vertices have no fixed positions, so its cells get none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from naswot.errors import NaswotError
from naswot.spaces import nasbench101, nasbench201
from naswot.spaces.base import Arch

NB201_OPS = tuple(op for op in nasbench201.OPS if op != "none")
NB201_CONVS = ("nor_conv_1x1", "nor_conv_3x3")
NB101_CONVS = ("conv1x1", "conv3x3")


@dataclass(frozen=True)
class LabelledGraph:
    """A cell as operations (each on one graph element) and the input-to-output paths over them."""

    ops: tuple[str, ...]
    """The op of every element (edge or vertex) that carries one, dead ones included."""
    paths: tuple[tuple[int, ...], ...]
    """Each input-to-output path as the indices (into ``ops``) of the elements it passes."""


def all_paths(successors: dict[int, list[tuple[int, int]]], node: int, output: int) -> list[tuple[int, ...]]:
    """Every path from ``node`` to ``output`` as the element indices along it; successors maps node -> (next, element)."""
    if node == output:
        return [()]
    return [(element, *rest) for nxt, element in successors.get(node, []) for rest in all_paths(successors, nxt, output)]


def nb201_graph(cell: nasbench201.Cell) -> LabelledGraph:
    """Nodes 0..3, one element per edge; a ``none`` edge is left out of the paths."""
    successors: dict[int, list[tuple[int, int]]] = {}
    for element, ((target, source), op) in enumerate(zip(nasbench201.EDGES, cell.ops)):
        if op != "none":
            successors.setdefault(source, []).append((target, element))
    return LabelledGraph(cell.ops, tuple(all_paths(successors, 0, 3)))


def nb101_graph(cell: nasbench101.Cell) -> LabelledGraph:
    """Vertices 0..V-1, interior vertex v is element v-1; an edge into the output carries no op."""
    output = cell.num_vertices - 1
    successors: dict[int, list[tuple[int, int]]] = {}
    for source, target in cell.edges:
        successors.setdefault(source, []).append((target, target - 1))
    paths = tuple(tuple(e for e in path if e < len(cell.ops)) for path in all_paths(successors, 0, output))
    return LabelledGraph(cell.ops, paths)


def has_graph_features(arch: Arch) -> bool:
    """Whether ``arch`` is a cell these features describe (NAS-Bench-201 or NAS-Bench-101)."""
    return isinstance(arch, (nasbench201.Cell, nasbench101.Cell))


def cell_graph(arch: Arch) -> tuple[LabelledGraph, Sequence[str], Sequence[str]]:
    """The labelled graph of a NAS-Bench-201 or NAS-Bench-101 cell, its space's ops and its convolutions."""
    if isinstance(arch, nasbench201.Cell):
        return nb201_graph(arch), NB201_OPS, NB201_CONVS
    if isinstance(arch, nasbench101.Cell):
        return nb101_graph(arch), nasbench101.OPS, NB101_CONVS
    raise NaswotError(f"graph features exist for NAS-Bench-201 and NAS-Bench-101 cells, not {type(arch).__name__}: "
                      "drop the graph features for this space")


def graph_features(arch: Arch) -> dict[str, float]:
    """The features of one cell (see the module docstring), by name."""
    graph, ops, convs = cell_graph(arch)
    features: dict[str, float] = {f"count:{op}": float(graph.ops.count(op)) for op in ops}
    features["paths"] = float(len(graph.paths))
    for op in ops:
        features[f"paths:{op}"] = float(sum(any(graph.ops[e] == op for e in path) for path in graph.paths))
    conv_counts = [sum(graph.ops[e] in convs for e in path) for path in graph.paths]
    features["min_convs"] = float(min(conv_counts)) if conv_counts else float("-inf")
    features["max_convs"] = float(max(conv_counts)) if conv_counts else float("-inf")
    live = {e for path in graph.paths for e in path}
    features["dead"] = float(sum(1 for e, op in enumerate(graph.ops) if op != "none" and e not in live))
    if isinstance(arch, nasbench201.Cell):
        features |= {f"edge{edge}:{op}": float(placed == op) for edge, placed in enumerate(arch.ops)
                     for op in nasbench201.OPS}
    return features


def graph_feature_columns(archs: Sequence[Arch]) -> dict[str, list[float]]:
    """Every feature as a column over ``archs`` (named ``graph:<feature>``), ready for the learned ensemble."""
    rows = [graph_features(arch) for arch in archs]
    return {f"graph:{name}": [row[name] for row in rows] for name in (rows[0] if rows else {})}
