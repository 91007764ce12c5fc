"""NAS-Bench-101: cells, the official hash and network, checked against the benchmark's own numbers."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from naswot.errors import NaswotError
from naswot.spaces import get_space
from naswot.spaces.nasbench101 import OPS, make_cell, module_hash
from naswot.spaces.nasbench101_ops import parameter_count, vertex_channels


@pytest.fixture(scope="module")
def sample(nb101_json: Path) -> dict[str, list]:
    return json.loads(nb101_json.read_text())


def raw_cells(sample: dict[str, list], mapping: tuple[str, ...] = OPS, rows: slice = slice(None)):
    """(matrix, ops) of each sample row as stored, padding (-3) removed, op codes read through ``mapping``."""
    for codes, adjacency in zip(sample["operations"][rows], sample["adjacency"][rows]):
        keep = [i for i, c in enumerate(codes) if c != -3]
        matrix = np.array([[adjacency[i][j] for j in keep] for i in keep], dtype=int)
        yield matrix, ["input", *(mapping[codes[i]] for i in keep[1:-1]), "output"]


def test_op_codes_are_identified_by_the_parameter_counts(sample):
    """Which code is which op is not stated; exactly one assignment reproduces every parameter count."""
    rows = slice(0, 100)
    matches = {}
    for mapping in itertools.permutations(OPS):
        cells = [make_cell(m, ops) for m, ops in raw_cells(sample, mapping, rows)]
        counts = [parameter_count(c.matrix(), c.ops) for c in cells]
        matches[mapping] = sum(a == b for a, b in zip(counts, sample["trainable_parameters"][rows]))
    assert matches.pop(("conv3x3", "conv1x1", "maxpool3x3")) == 100
    assert max(matches.values()) < 50


def test_all_1000_cells_have_the_official_hash_and_parameter_count(sample):
    cells = [make_cell(m, ops) for m, ops in raw_cells(sample)]
    assert [module_hash(c) for c in cells] == sample["key"]
    assert [parameter_count(c.matrix(), c.ops) for c in cells] == sample["trainable_parameters"]


def test_the_closed_form_count_equals_the_built_networks(sample):
    space = get_space("nasbench101")
    for matrix, ops in itertools.islice(raw_cells(sample), 0, 1000, 125):
        cell = make_cell(matrix, ops)
        with torch.device("meta"):
            net = space.build(cell)
        assert sum(p.numel() for p in net.parameters()) == parameter_count(cell.matrix(), cell.ops)


def test_the_stored_vertex_order_is_kept(sample):
    """The channel split depends on vertex order; cells keep the order the benchmark stores (and trained)."""
    for matrix, ops in itertools.islice(raw_cells(sample), 50):
        cell = make_cell(matrix, ops)
        assert np.array_equal(cell.matrix(), matrix) and cell.ops == tuple(ops[1:-1])


def test_isomorphic_cells_are_equal_and_hash_alike(sample):
    rng = np.random.default_rng(0)
    for matrix, ops in itertools.islice(raw_cells(sample), 40):
        cell = make_cell(matrix, ops)
        size = len(matrix)
        for order in itertools.permutations(range(1, size - 1)):
            perm = [0, *order, size - 1]
            permuted = matrix[np.ix_(perm, perm)]
            if not np.any(np.tril(permuted)) and rng.random() < 0.5:
                twin = make_cell(permuted, [ops[v] for v in perm])
                assert twin == cell and str(twin) == str(cell) and module_hash(twin) == module_hash(cell)


CHAIN = np.array([[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]])


@pytest.mark.parametrize("matrix, ops_a, ops_b", [
    # the official graph_util_test's "tricky" non-isomorphic pairs
    (CHAIN, ["conv1x1", "conv3x3", "conv3x3"], ["conv3x3", "conv3x3", "conv1x1"]),
    (np.array([[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]), ["conv1x1", "conv3x3"], ["conv3x3", "conv1x1"]),
])
def test_non_isomorphic_cells_differ(matrix, ops_a, ops_b):
    a = make_cell(matrix, ["input", *ops_a, "output"])
    b = make_cell(matrix, ["input", *ops_b, "output"])
    assert a != b and module_hash(a) != module_hash(b)


def test_pruning_drops_vertices_off_the_input_output_paths():
    full = np.array([[0, 1, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])  # vertex 2 has no input
    pruned = make_cell(full, ["input", "conv3x3", "maxpool3x3", "output"])
    assert pruned == make_cell(np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]]), ["input", "conv3x3", "output"])


@pytest.mark.parametrize("matrix, ops, problem", [
    (np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]]), ["input", "conv3x3", "output"], "does not reach its output"),
    (np.triu(np.ones((7, 7), dtype=int), 1), ["input"] + ["conv3x3"] * 5 + ["output"], "21 edges"),
    (np.triu(np.ones((8, 8), dtype=int), 1), ["input"] + ["conv3x3"] * 6 + ["output"], "8 vertices"),
    (np.array([[0, 1], [1, 0]]), ["input", "output"], "upper-triangular"),
    (np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]]), ["input", "conv5x5", "output"], "unknown NAS-Bench-101 op"),
])
def test_invalid_cells_are_refused_with_the_reason(matrix, ops, problem):
    with pytest.raises(NaswotError, match=problem):
        make_cell(matrix, ops)


@pytest.mark.parametrize("matrix, c_in, c_out, expected", [
    # cases from the official nasbench/tests/model_builder_test.py
    ([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], 8, 16, [8, 16, 16, 16]),
    ([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], 16, 8, [16, 8, 8, 8]),
    ([[0, 1], [0, 0]], 5, 1, [5, 1]),
    ([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], 8, 15, [8, 8, 7, 15]),
    ([[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]], 8, 8, [8, 3, 3, 2, 8]),
    ([[0, 1, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]], 8, 9, [8, 5, 5, 4, 9]),
    ([[0, 1, 0, 1, 0], [0, 0, 1, 0, 1], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]], 8, 15, [8, 8, 7, 7, 15]),
])
def test_vertex_channels_match_the_official_tests(matrix, c_in, c_out, expected):
    assert vertex_channels(c_in, c_out, np.array(matrix)) == expected


def test_a_network_with_truncation_and_projections_runs_on_real_images(cifar_batch):
    """Widths 5, 5, 4 for 9 output channels: vertex 1 (5) feeds vertex 3 (4) through a truncation."""
    matrix = np.array([[0, 1, 0, 0, 1], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]])
    cell = make_cell(matrix, ["input", "conv3x3", "conv1x1", "maxpool3x3", "output"])
    space = get_space("nasbench101:stem=9,stacks=2,cells=1")
    torch.manual_seed(0)
    net = space.build(cell).train()
    with torch.no_grad():
        features = net.forward_features(cifar_batch.images)
        logits = net(cifar_batch.images)
    assert features.shape == (32, 18, 16, 16) and features.min() >= 0
    assert logits.shape == (32, 10) and torch.isfinite(logits).all()


def test_mutation_grows_and_shrinks_cells_within_the_limits():
    space = get_space("nasbench101")
    rng = np.random.default_rng(1)
    cell = space.sample(rng)
    sizes = set()
    for _ in range(200):
        cell = space.mutate(cell, rng)
        assert cell.num_vertices <= 7 and len(cell.edges) <= 9
        sizes.add(cell.num_vertices)
    assert len(sizes) >= 3


@pytest.mark.parametrize("text, problem", [
    ("conv3x3,conv3x3 0-1,1-2", "no '|'"),
    ("conv3x3|0-1,1>2", "not source-target"),
    ("conv3x3|0-1,2-1", "must go forward"),
    ("conv3x3|0-1,1-3", "must go forward"),
])
def test_bad_cell_text_is_refused_in_one_line(text, problem):
    with pytest.raises(NaswotError, match=problem):
        get_space("nasbench101").parse(text)


def test_the_official_long_op_names_parse_to_the_same_cell():
    space = get_space("nasbench101")
    assert space.parse("conv3x3-bn-relu,maxpool3x3|0-1,1-2,0-2,2-3") == space.parse("conv3x3,maxpool3x3|0-1,1-2,0-2,2-3")

