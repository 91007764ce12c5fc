"""NAS-Bench-201 cells that compute the same function, found by writing each cell's output as an expression.

Node j of a cell is the sum of one op applied to each earlier node. Written out from the input node
``0``, a node is a sum of terms ``op(expression of its source)``: ``skip_connect`` adds its source's
terms (it is the identity), ``none`` adds nothing, and so do skip and pooling of a zero node; a conv
of a zero node is BatchNorm's shift, not zero for every weight, so it stays a term. Sums are
flattened and sorted, so neither the order of terms nor the nodes they pass through matter. Cells
with equal output expressions build the same function for matching weights: isomorphic cells, cells
that differ only on edges whose values never reach the output, and cells that route the same terms
through skips differently. That gives 5,545 classes among the 15,625 cells.

NAS-Bench-201's paper counts 6,466 (NATS-Bench's ``to_unique_str(consider_zero=True)``): that form
keeps zero terms in sums (``none`` + conv is not merged with the conv alone) and does not flatten
sums, so it splits classes that compute the same function; it also takes a conv of a zero node as
zero, which holds only while BatchNorm's shift is 0. ``tests/test_sweep.py`` reproduces both counts.

Equal functions are not equal scores: a score that reads every ReLU (NASWOT does) also sees the
ReLUs of edges that never reach the output, and each cell draws its own initial weights. A
deduplicated sweep gives every member its class's one value (its first member's).
"""

from __future__ import annotations

from collections.abc import Iterable

from naswot.spaces.nasbench201 import Cell


def edge_terms(cell: Cell) -> list[tuple[str, ...]]:
    """The terms each edge adds to its target node, in the order of ``EDGES``."""
    nodes: list[tuple[str, ...]] = [("0",)]  # each node: its sorted terms; () is zero
    per_edge = []
    for inputs in cell.node_edges():
        terms: list[str] = []
        for op, source in inputs:
            per_edge.append(_terms(op, nodes[source]))
            terms += per_edge[-1]
        nodes.append(tuple(sorted(terms)))
    return per_edge


def output_expression(cell: Cell) -> str:
    """The canonical text of the cell's output as a function of its input ``0``; empty when it is zero."""
    return "+".join(sorted(term for terms in edge_terms(cell)[-3:] for term in terms))


def _terms(op: str, source: tuple[str, ...]) -> tuple[str, ...]:
    if op == "none" or (not source and op in ("skip_connect", "avg_pool_3x3")):
        return ()
    if op == "skip_connect":
        return source
    return (f"{op}({'+'.join(source)})",)


def equivalence_classes(cells: Iterable[Cell]) -> dict[str, list[Cell]]:
    """The cells grouped by output expression, each group in the order given (its first member represents it)."""
    classes: dict[str, list[Cell]] = {}
    for cell in cells:
        classes.setdefault(output_expression(cell), []).append(cell)
    return classes
