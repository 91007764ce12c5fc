"""The NAS-Bench-101 space: DAG cells of at most 7 vertices and 9 edges, each interior vertex one of 3 ops.

A cell is written as its interior ops, then its edges ``source-target`` with vertices numbered from
0 (input) to V-1 (output): ``conv3x3,maxpool3x3,conv1x1|0-1,0-2,1-3,2-3,3-4``. Like the official API, a
cell is pruned first (vertices not on a path from input to output are dropped) and then checked: the
input must reach the output, with at most 7 vertices and 9 edges left. Cells are kept in the vertex
order NAS-Bench-101 stores them in, so isomorphic cells are equal values (and print the same) and
build the very network the benchmark trained; ``module_hash`` gives the official NAS-Bench-101 hash,
the key of its data files.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from naswot.errors import NaswotError
from naswot.spaces import register_space
from naswot.spaces.base import NetworkCall, SearchSpace, other_choice

if TYPE_CHECKING:
    from naswot.spaces.nasbench101_ops import NasBench101Network

OPS = ("conv3x3", "conv1x1", "maxpool3x3")
"""In the official order (``config['available_ops']``), whose indices label vertices in the hash."""
OFFICIAL_NAMES = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
MAX_VERTICES = 7
MAX_EDGES = 9
UNIQUE_CELLS = 423_624
"""The number of distinct cells, as the NAS-Bench-101 paper counts them."""

_HINT = "write a cell like conv3x3,maxpool3x3|0-1,1-2,0-3,2-3 (interior ops, then edges between vertices 0..V-1)"


@dataclass(frozen=True)
class Cell:
    """A pruned cell in canonical vertex order: the interior ops and the sorted (source, target) edges."""

    ops: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]

    @property
    def num_vertices(self) -> int:
        return len(self.ops) + 2

    def matrix(self) -> np.ndarray:
        """The upper-triangular 0/1 adjacency matrix (int)."""
        matrix = np.zeros((self.num_vertices, self.num_vertices), dtype=np.int64)
        for source, target in self.edges:
            matrix[source, target] = 1
        return matrix

    def official_ops(self) -> list[str]:
        """The op list as the official API writes it, with ``input`` and ``output``."""
        return ["input", *(OFFICIAL_NAMES[OPS.index(op)] for op in self.ops), "output"]

    def __str__(self) -> str:
        return ",".join(self.ops) + "|" + ",".join(f"{s}-{t}" for s, t in self.edges)


def make_cell(matrix: Sequence[Sequence[int]] | np.ndarray, ops: Sequence[str]) -> Cell:
    """Prune, check and canonicalise a cell given as an adjacency matrix and the ops of all its vertices.

    ``ops`` names every vertex, input and output included (their entries are ignored), in the
    official long names or the short ones of ``OPS``.
    """
    try:
        matrix = np.asarray(matrix).astype(np.int64)
    except (ValueError, TypeError):
        raise NaswotError(f"the adjacency matrix is not a square table of 0/1 numbers: {_HINT}") from None
    size = len(ops)
    if matrix.shape != (size, size):
        raise NaswotError(f"the adjacency matrix is {'x'.join(map(str, matrix.shape))} but there are {size} ops: {_HINT}")
    if size < 2:
        raise NaswotError(f"a cell needs an input and an output vertex, got {size} vertices: {_HINT}")
    if np.any(np.tril(matrix) != 0) or np.any((matrix != 0) & (matrix != 1)):
        raise NaswotError(f"the adjacency matrix must be 0/1 and strictly upper-triangular (edges go forward): {_HINT}")
    labels = [0] + [_op_index(op) for op in ops[1:-1]] + [0]
    keep = _reachable(matrix)
    if not keep:
        raise NaswotError("the cell's input does not reach its output: connect them (NAS-Bench-101 has no such cells)")
    matrix = matrix[np.ix_(keep, keep)]
    labels = [labels[v] for v in keep]
    if len(keep) > MAX_VERTICES:
        raise NaswotError(f"the cell has {len(keep)} vertices after pruning, NAS-Bench-101 allows {MAX_VERTICES}")
    if int(matrix.sum()) > MAX_EDGES:
        raise NaswotError(f"the cell has {int(matrix.sum())} edges after pruning, NAS-Bench-101 allows {MAX_EDGES}")
    return _canonical(matrix, labels[1:-1])


def _op_index(op: str) -> int:
    for names in (OPS, OFFICIAL_NAMES):
        if op in names:
            return names.index(op)
    raise NaswotError(f"unknown NAS-Bench-101 op {op!r}: use one of {', '.join(OPS)}")


def _reachable(matrix: np.ndarray) -> list[int]:
    """The vertices on some path from input to output (the official ``_prune``); empty when there is none."""
    last = len(matrix) - 1
    from_input = _closure(matrix, 0)
    to_output = _closure(matrix.T, last)
    keep = sorted(from_input & to_output)
    return keep if 0 in keep and last in keep else []


def _closure(matrix: np.ndarray, start: int) -> set[int]:
    seen, frontier = {start}, [start]
    while frontier:
        vertex = frontier.pop()
        for successor in np.flatnonzero(matrix[vertex]):
            if int(successor) not in seen:
                seen.add(int(successor))
                frontier.append(int(successor))
    return seen


def _canonical(matrix: np.ndarray, labels: list[int]) -> Cell:
    """The vertex order NAS-Bench-101 itself stores (and built its networks in).

    The official ``generate_graphs`` enumerates matrices by their edge bits (``gen_is_edge_fn``)
    and then labelings, keeping the first graph of each hash; so the stored order is the one with the
    smallest (edge-bit integer, labeling) among the orders that keep edges pointing forward. Isomorphic
    cells share that set of orders, hence one canonical form. Vertex order matters beyond naming:
    the network's channel split depends on it. At most 5 interior vertices: at most 120 orders.
    """
    size = len(matrix)
    best: tuple[int, tuple[int, ...], np.ndarray] | None = None
    for order in itertools.permutations(range(1, size - 1)):
        perm = [0, *order, size - 1]
        permuted = matrix[np.ix_(perm, perm)]
        if np.any(np.tril(permuted)):
            continue
        key = (_edge_bits(permuted), tuple(labels[v - 1] for v in order))
        if best is None or key < best[:2]:
            best = (*key, permuted)
    assert best is not None  # the given order itself is upper-triangular
    sources, targets = np.nonzero(best[2])
    return Cell(tuple(OPS[i] for i in best[1]), tuple(zip(sources.tolist(), targets.tolist())))


def _edge_bits(matrix: np.ndarray) -> int:
    """The official bit encoding of a matrix: edge (x, y) is bit x + y(y-1)/2."""
    sources, targets = np.nonzero(matrix)
    return sum(1 << (x + y * (y - 1) // 2) for x, y in zip(sources.tolist(), targets.tolist()))


def module_hash(cell: Cell) -> str:
    """The official NAS-Bench-101 hash (``graph_util.hash_module``): md5 of iterated neighbourhood hashes."""
    matrix = cell.matrix()
    size = len(matrix)
    labels = [-1] + [OPS.index(op) for op in cell.ops] + [-2]
    in_edges = matrix.sum(axis=0).tolist()
    out_edges = matrix.sum(axis=1).tolist()
    hashes = [_md5(str(item)) for item in zip(out_edges, in_edges, labels)]
    for _ in range(size):
        hashes = [
            _md5("".join(sorted(hashes[w] for w in range(size) if matrix[w, v]))
                 + "|" + "".join(sorted(hashes[w] for w in range(size) if matrix[v, w]))
                 + "|" + hashes[v])
            for v in range(size)
        ]
    return _md5(str(sorted(hashes)))


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def parse_cell(text: str) -> Cell:
    """Read ``ops|edges`` (see the module docstring)."""
    ops_text, bar, edges_text = text.strip().partition("|")
    if not bar:
        raise NaswotError(f"NAS-Bench-101 cell {text!r} has no '|' between ops and edges: {_HINT}")
    ops = [op.strip() for op in ops_text.split(",") if op.strip()]
    size = len(ops) + 2
    matrix = np.zeros((size, size), dtype=np.int64)
    for edge in filter(None, (e.strip() for e in edges_text.split(","))):
        source, dash, target = edge.partition("-")
        if not dash or not source.strip().isdigit() or not target.strip().isdigit():
            raise NaswotError(f"edge {edge!r} in {text!r} is not source-target: {_HINT}")
        s, t = int(source), int(target)
        if not (0 <= s < t < size):
            raise NaswotError(f"edge {edge!r} in {text!r} must go forward between vertices 0..{size - 1}: {_HINT}")
        matrix[s, t] = 1
    return make_cell(matrix, ["input", *ops, "output"])


class NasBench101Space(SearchSpace):
    """Cells as the official API accepts them, in NAS-Bench-101's fixed network (see ``nasbench101_ops``).

    ``stem`` (stem channels), ``stacks`` and ``cells`` (cells per stack) default to the benchmark's
    128, 3 and 3; other values give slimmer networks of the same design.
    """

    name = "nasbench101"
    build_modules = ("naswot.spaces.nasbench101_ops",)

    def __init__(self, stem: int = 128, stacks: int = 3, cells: int = 3) -> None:
        if stem < 1 or stacks < 1 or cells < 1:
            raise NaswotError(f"nasbench101 needs stem, stacks and cells >= 1, got {stem}, {stacks}, {cells}")
        self.stem_channels = stem
        self.stacks = stacks
        self.cells_per_stack = cells

    def sample(self, rng: np.random.Generator) -> Cell:
        """The official way (the API's ``random_spec``): a random matrix and ops, redrawn until valid."""
        while True:
            matrix = np.triu(rng.integers(2, size=(MAX_VERTICES, MAX_VERTICES)), k=1)
            ops = ["input", *(OPS[i] for i in rng.integers(len(OPS), size=MAX_VERTICES - 2)), "output"]
            try:
                return make_cell(matrix, ops)
            except NaswotError:
                continue

    def mutate(self, arch: Cell, rng: np.random.Generator) -> Cell:
        """Flip one edge, change one op, or add a vertex on a new path; redrawn until valid and different."""
        while True:
            matrix, ops = arch.matrix(), ["input", *arch.ops, "output"]
            kinds = ["edge"] + ["op"] * bool(arch.ops) + ["vertex"] * (arch.num_vertices < MAX_VERTICES)
            kind = kinds[int(rng.integers(len(kinds)))]
            if kind == "edge":
                source, target = sorted(rng.choice(arch.num_vertices, size=2, replace=False).tolist())
                matrix[source, target] ^= 1
            elif kind == "op":
                vertex = 1 + int(rng.integers(len(arch.ops)))
                ops[vertex] = other_choice(OPS, ops[vertex], rng)
            else:
                matrix, ops = _insert_vertex(matrix, ops, rng)
            try:
                neighbour = make_cell(matrix, ops)
            except NaswotError:
                continue
            if neighbour != arch:
                return neighbour

    def parse(self, text: str) -> Cell:
        return parse_cell(text)

    def build(self, arch: Cell, num_classes: int = 10) -> NasBench101Network:
        return self.network_call(arch, num_classes)()

    def network_call(self, arch: Cell, num_classes: int = 10) -> NetworkCall:
        settings = (("num_classes", num_classes), ("stem", self.stem_channels), ("stacks", self.stacks),
                    ("cells", self.cells_per_stack))
        return NetworkCall(self.build_modules[0], "NasBench101Network", (arch.matrix(), arch.ops), settings)

    def __len__(self) -> int:
        return UNIQUE_CELLS

    def spec(self) -> str:
        if (self.stem_channels, self.stacks, self.cells_per_stack) == (128, 3, 3):
            return self.name
        return f"{self.name}:stem={self.stem_channels},stacks={self.stacks},cells={self.cells_per_stack}"


def _insert_vertex(matrix: np.ndarray, ops: list[str], rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """A new interior vertex at a random position, fed by one earlier vertex and feeding one later one."""
    size = len(matrix)
    position = 1 + int(rng.integers(size - 1))
    grown = np.insert(np.insert(matrix, position, 0, axis=0), position, 0, axis=1)
    grown[int(rng.integers(position)), position] = 1
    grown[position, position + 1 + int(rng.integers(size - position))] = 1
    return grown, [*ops[:position], str(rng.choice(OPS)), *ops[position:]]


@register_space("nasbench101")
def _make(stem: int = 128, stacks: int = 3, cells: int = 3) -> NasBench101Space:
    return NasBench101Space(stem=stem, stacks=stacks, cells=cells)
