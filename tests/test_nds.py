"""The NDS cell spaces: genotypes in the NDS json form, built as pycls builds them."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from naswot.errors import NaswotError
from naswot.scores import compute_score, get_score
from naswot.spaces import get_space
from naswot.spaces.nds import SPACES, output_nodes
from naswot.spaces.nds_ops import OPS

# DARTS (second order), from the DARTS repository's genotypes.py.
DARTS_V2 = {
    "normal": [["sep_conv_3x3", 0], ["sep_conv_3x3", 1], ["sep_conv_3x3", 0], ["sep_conv_3x3", 1],
               ["sep_conv_3x3", 1], ["skip_connect", 0], ["skip_connect", 0], ["dil_conv_3x3", 2]],
    "normal_concat": [2, 3, 4, 5],
    "reduce": [["max_pool_3x3", 0], ["max_pool_3x3", 1], ["skip_connect", 2], ["max_pool_3x3", 1],
               ["max_pool_3x3", 0], ["skip_connect", 2], ["skip_connect", 2], ["max_pool_3x3", 1]],
    "reduce_concat": [2, 3, 4, 5],
}


def count(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def net_text(genotype: dict, width: int, depth: int) -> str:
    return json.dumps({"genotype": genotype, "width": width, "depth": depth})


def test_darts_v2_at_the_darts_paper_size_has_its_published_parameter_count():
    """DARTS' train.py logs "param size = 3.349342MB" for DARTS_V2 with 36 channels and 20 cells (no aux head)."""
    space = get_space("nds:space=DARTS")
    with torch.device("meta"):
        net = space.build(space.parse(net_text(DARTS_V2, 36, 20)))
    assert count(net) == 3_349_342


# Published cells with the sizes listed beside them (params in millions, CIFAR network of 36 channels and 20
# cells) in the genotypes.py of the FairDARTS repository; PC-DARTS and P-DARTS report 3.6M and 3.4M.
PUBLISHED = {
    "NASNet": ("NASNet", 3.83, {
        "normal": [["sep_conv_5x5", 1], ["sep_conv_3x3", 0], ["sep_conv_5x5", 0], ["sep_conv_3x3", 0], ["avg_pool_3x3", 1],
                   ["skip_connect", 0], ["avg_pool_3x3", 0], ["avg_pool_3x3", 0], ["sep_conv_3x3", 1], ["skip_connect", 1]],
        "normal_concat": [2, 3, 4, 5, 6],
        "reduce": [["sep_conv_5x5", 1], ["sep_conv_7x7", 0], ["max_pool_3x3", 1], ["sep_conv_7x7", 0], ["avg_pool_3x3", 1],
                   ["sep_conv_5x5", 0], ["skip_connect", 3], ["avg_pool_3x3", 2], ["sep_conv_3x3", 2], ["max_pool_3x3", 1]],
        "reduce_concat": [4, 5, 6]}),
    "ENASNet": ("ENAS", 4.02, {
        "normal": [["sep_conv_3x3", 1], ["skip_connect", 1], ["sep_conv_5x5", 1], ["skip_connect", 0], ["avg_pool_3x3", 0],
                   ["sep_conv_3x3", 1], ["sep_conv_3x3", 0], ["avg_pool_3x3", 1], ["sep_conv_5x5", 1], ["avg_pool_3x3", 0]],
        "normal_concat": [2, 3, 4, 5, 6],
        "reduce": [["sep_conv_5x5", 0], ["sep_conv_3x3", 1], ["sep_conv_3x3", 1], ["avg_pool_3x3", 1], ["sep_conv_3x3", 1],
                   ["avg_pool_3x3", 1], ["avg_pool_3x3", 1], ["sep_conv_5x5", 4], ["sep_conv_3x3", 5], ["sep_conv_5x5", 0]],
        "reduce_concat": [2, 3, 4, 5, 6]}),
    "PC_DARTS": ("DARTS", 3.63, {
        "normal": [["sep_conv_3x3", 1], ["skip_connect", 0], ["sep_conv_3x3", 0], ["dil_conv_3x3", 1], ["sep_conv_5x5", 0],
                   ["sep_conv_3x3", 1], ["avg_pool_3x3", 0], ["dil_conv_3x3", 1]],
        "normal_concat": [2, 3, 4, 5],
        "reduce": [["sep_conv_5x5", 1], ["max_pool_3x3", 0], ["sep_conv_5x5", 1], ["sep_conv_5x5", 2], ["sep_conv_3x3", 0],
                   ["sep_conv_3x3", 3], ["sep_conv_3x3", 1], ["sep_conv_3x3", 2]],
        "reduce_concat": [2, 3, 4, 5]}),
    "PDARTS": ("DARTS", 3.43, {
        "normal": [["skip_connect", 0], ["dil_conv_3x3", 1], ["skip_connect", 0], ["sep_conv_3x3", 1], ["sep_conv_3x3", 1],
                   ["sep_conv_3x3", 3], ["sep_conv_3x3", 0], ["dil_conv_5x5", 4]],
        "normal_concat": [2, 3, 4, 5],
        "reduce": [["avg_pool_3x3", 0], ["sep_conv_5x5", 1], ["sep_conv_3x3", 0], ["dil_conv_5x5", 2], ["max_pool_3x3", 0],
                   ["dil_conv_3x3", 1], ["dil_conv_3x3", 1], ["dil_conv_5x5", 3]],
        "reduce_concat": [2, 3, 4, 5]}),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_cells_have_their_listed_sizes(name):
    space_name, millions, genotype = PUBLISHED[name]
    space = get_space(f"nds:space={space_name}")
    with torch.device("meta"):
        net = space.build(space.parse(net_text(genotype, 36, 20)))
    assert round(count(net) / 1e6, 2) == millions


@pytest.mark.parametrize("space, cells_in_billions", [
    ("NASNet", 71_465_842), ("Amoeba", 556_628), ("PNAS", 556_628), ("ENAS", 5_063), ("DARTS", 242),
])
def test_cell_counts_match_the_nds_paper(space, cells_in_billions):
    """The NDS paper's table of NAS design spaces lists #cells (in billions) for each space."""
    assert int(get_space(f"nds:space={space}").cell_count() / 1e9 + 0.5) == cells_in_billions


@pytest.mark.parametrize("op, expected", [
    # pycls/models/nas/operations.py, per op on C channels (weights, then BatchNorm's 2 per channel)
    ("sep_conv_3x3", lambda c: 2 * (9 * c + c * c + 2 * c)),
    ("sep_conv_7x7", lambda c: 2 * (49 * c + c * c + 2 * c)),
    ("dil_sep_conv_3x3", lambda c: 2 * (9 * c + c * c + 2 * c)),
    ("dil_conv_5x5", lambda c: 25 * c + c * c + 2 * c),
    ("conv_7x1_1x7", lambda c: 14 * c * c + 2 * c),
    ("conv_3x1_1x3", lambda c: 6 * c * c + 2 * c),
    ("conv_3x3", lambda c: 9 * c * c + 2 * c),
    ("conv_1x1", lambda c: c * c + 2 * c),
    ("max_pool_7x7", lambda c: 0),
    ("none", lambda c: 0),
])
@pytest.mark.parametrize("stride", [1, 2])
def test_op_parameter_counts_follow_pycls(op, expected, stride):
    c = 12
    module = OPS[op](c, stride)
    assert count(module) == expected(c)
    out = module(torch.randn(2, c, 8, 8))
    assert out.shape == (2, c, 8 // stride, 8 // stride)


def test_a_strided_skip_is_a_factorized_reduction():
    assert count(OPS["skip_connect"](12, 2)) == 2 * 12 * 6 + 2 * 12 and count(OPS["skip_connect"](12, 1)) == 0


def test_loose_ends_are_the_nodes_no_node_uses():
    """An Amoeba genotype from the NDS data: nodes 3, 5, 6 feed no other node."""
    edges = (("avg_pool_3x3", 0), ("conv_7x1_1x7", 1), ("sep_conv_3x3", 2), ("sep_conv_5x5", 0),
             ("dil_sep_conv_3x3", 2), ("dil_sep_conv_3x3", 2), ("skip_connect", 4), ("dil_sep_conv_3x3", 4),
             ("conv_7x1_1x7", 2), ("sep_conv_3x3", 4))
    assert output_nodes(edges, loose_ends=True) == (3, 5, 6)
    assert output_nodes(edges, loose_ends=False) == (2, 3, 4, 5, 6)


@pytest.mark.parametrize("name", list(SPACES))
def test_every_space_builds_networks_that_score_on_real_images(name, cifar_batch):
    space = get_space(f"nds:space={name},widths=8,depths=4|5")
    net = space.sample(np.random.default_rng(0))
    torch.manual_seed(0)
    model = space.build(net)
    result = compute_score(get_score("naswot"), model, cifar_batch)
    assert np.isfinite(result.value)
    with torch.no_grad():  # the last cell is a normal one at 4x the width and 1/4 the resolution
        assert model.forward_features(cifar_batch.images).shape == (32, len(net.normal_concat) * 8 * 4, 8, 8)


def test_the_space_setting_round_trips_through_its_spec():
    space = get_space("nds:space=ENAS,widths=16|32,depths=8")
    assert space.spec() == "nds:space=ENAS,widths=16|32,depths=8"
    assert get_space(space.spec()).spec() == space.spec() and get_space("nds").spec() == "nds:space=DARTS"


@pytest.mark.parametrize("spec_text, text, problem", [
    ("nds:space=DARTS", "{not json", "not JSON"),
    ("nds:space=DARTS", json.dumps({"genotype": DARTS_V2, "width": 16}), "not an NDS network"),
    ("nds:space=DARTS", net_text(DARTS_V2, 15, 8), "width must be even"),
    ("nds:space=ENAS", net_text(DARTS_V2, 16, 8), "4 nodes"),
    ("nds:space=DARTS", net_text({**DARTS_V2, "normal": [["conv_7x1_1x7", 0]] + DARTS_V2["normal"][1:]}, 16, 8), "conv_7x1_1x7"),
    ("nds:space=DARTS", net_text({**DARTS_V2, "normal": [["sep_conv_3x3", 2]] + DARTS_V2["normal"][1:]}, 16, 8), "earlier state"),
])
def test_bad_genotypes_are_refused_in_one_line(spec_text, text, problem):
    with pytest.raises(NaswotError, match=problem):
        get_space(spec_text).parse(text)


@pytest.mark.parametrize("spec_text, problem", [
    ("nds:space=FBNet", "unknown NDS space"),
    ("nds:widths=7", "even"),
    ("nds:depths=4|x", "whole numbers"),
])
def test_bad_space_settings_are_refused_in_one_line(spec_text, problem):
    with pytest.raises(NaswotError, match=problem):
        get_space(spec_text)
