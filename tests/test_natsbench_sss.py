"""NATS-Bench's size space: index order, the per-layer-width network, and the official parameter counts."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from naswot.errors import NaswotError
from naswot.scores import compute_score, get_score
from naswot.spaces import get_space
from naswot.spaces.nasbench201 import conv_parameter_count
from naswot.spaces.natsbench_sss import FIXED_CELL

THESIS_NETWORKS = ["8:16:8:16:8", "8:8:16:8:16", "16:16:8:16:16", "16:8:16:16:16"]


def count(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def size_space_count(widths: list[int], num_classes: int = 10) -> int:
    """The parameters of xautodl's DynamicShapeTinyNet with the fixed cell, written out from its code.

    Cell (c_in -> c): nodes 1 and 2 each take a 3x3 ReLU-conv-BN from node 0 (c_in -> c), the three
    inner 3x3 edges are c -> c, and the skip from node 0 is a 1x1 conv + BN (stride-1
    FactorizedReduce) when c_in != c. Reduction block (a -> b): two 3x3 ReLU-conv-BN and a
    1x1 shortcut conv. Stem 3x3 conv + BN, final BN, linear classifier.
    """
    def conv(a: int, b: int, k: int) -> int:
        return k * k * a * b + 2 * b

    total = conv(3, widths[0], 3)
    previous = widths[0]
    for layer, c in enumerate(widths):
        if layer in (1, 3):
            total += conv(previous, c, 3) + conv(c, c, 3) + previous * c
        else:
            total += 2 * conv(previous, c, 3) + 3 * conv(c, c, 3) + (conv(previous, c, 1) if previous != c else 0)
        previous = c
    return total + 2 * previous + previous * num_classes + num_classes


def test_index_order_is_nats_benchs():
    """NATS-Bench's main-sss.py enumerates widths with the first layer varying slowest."""
    space = get_space("natsbench_sss")
    official = [":".join(map(str, c)) for c in itertools.product(range(8, 65, 8), repeat=5)]
    assert [str(a) for a in space] == official
    for index in (0, 1, 4681, 32767):
        assert str(space.arch_at(index)) == official[index]
        assert space.index_of(space.arch_at(index)) == index


@pytest.mark.parametrize("widths", THESIS_NETWORKS + ["64:64:64:64:64", "8:64:8:64:8", "24:40:56:16:48"])
def test_parameter_count_follows_the_official_network_code(widths):
    space = get_space("natsbench_sss")
    with torch.device("meta"):
        net = space.build(space.parse(widths))
    assert count(net) == size_space_count([int(w) for w in widths.split(":")])


def test_the_nas_bench_201_widths_give_the_nas_bench_201_network():
    """16:32:32:64:64 is the topology space's skeleton with one cell per stage (same modules, same count)."""
    space = get_space("natsbench_sss")
    net = space.build(space.parse("16:32:32:64:64"))
    assert count(net) == conv_parameter_count(FIXED_CELL, C=16, N=1)


def test_the_per_layer_skeleton_keeps_nas_bench_201_counts_exact(nb201_params_csv: Path):
    rows = list(csv.DictReader(nb201_params_csv.open()))[::1250]
    space = get_space("nasbench201")
    for row in rows:
        with torch.device("meta"):
            net = space.build(space.parse(row["ArchitectureString"]))
        assert count(net) == round(float(row["ParamsMillions"]) * 1e6)


@pytest.mark.parametrize("widths", THESIS_NETWORKS)
def test_the_thesis_networks_build_and_score_on_real_images(widths, cifar_batch):
    space = get_space("natsbench_sss")
    torch.manual_seed(0)
    net = space.build(space.parse(widths))
    result = compute_score(get_score("naswot"), net, cifar_batch)
    assert np.isfinite(result.value)
    with torch.no_grad():
        assert net(cifar_batch.images).shape == (32, 10)
        assert net.forward_features(cifar_batch.images).shape[1] == int(widths.split(":")[-1])


def test_mutation_changes_one_layer():
    space = get_space("natsbench_sss")
    rng = np.random.default_rng(0)
    for arch in (space.sample(rng) for _ in range(50)):
        assert sum(a != b for a, b in zip(arch.channels, space.mutate(arch, rng).channels)) == 1


@pytest.mark.parametrize("text, problem", [
    ("8:16:24:32", "4 widths, not 5"),
    ("8:16:24:32:12", "width 12"),
    ("8:16:x:32:40", "not a whole number"),
])
def test_bad_architectures_are_refused_in_one_line(text, problem):
    with pytest.raises(NaswotError, match=problem):
        get_space("natsbench_sss").parse(text)
