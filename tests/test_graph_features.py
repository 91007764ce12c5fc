"""Graph features of NAS-Bench-201 and NAS-Bench-101 cells, counted by hand."""

from __future__ import annotations

import math

import pytest

from naswot.errors import NaswotError
from naswot.graph_features import graph_feature_columns, graph_features
from naswot.spaces.nasbench101 import NasBench101Space
from naswot.spaces.nasbench201 import parse_cell


def test_a_full_nb201_cell_has_four_paths_and_counts_convolutions_along_them():
    # 0->3, 0->1->3, 0->2->3, 0->1->2->3 with ops 3x3 on 1<-0, 1x1 on 2<-0, skip on 2<-1, pool 3<-0, 3x3 3<-1, 3x3 3<-2
    cell = parse_cell("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    f = graph_features(cell)
    assert f["paths"] == 4 and f["count:nor_conv_3x3"] == 3 and f["count:nor_conv_1x1"] == 1
    assert f["paths:nor_conv_3x3"] == 3 and f["paths:avg_pool_3x3"] == 1 and f["paths:skip_connect"] == 1
    assert (f["min_convs"], f["max_convs"]) == (0, 2)  # the pool edge has none; 0->1->3 and 0->2->3 have two
    assert f["dead"] == 0


def test_edges_cut_off_by_none_are_dead_and_a_disconnected_cell_has_no_path_length():
    f = graph_features(parse_cell("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|none~2|"))
    assert f["paths"] == 1 and f["dead"] == 2 and f["max_convs"] == 0
    cut = graph_features(parse_cell("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|none~2|"))
    assert cut["paths"] == 0 and cut["dead"] == 2 and cut["min_convs"] == -math.inf


def test_nb101_cell_labels_vertices():
    cell = NasBench101Space().parse("conv3x3,maxpool3x3,conv1x1|0-1,0-2,1-3,2-3,3-4")
    f = graph_features(cell)
    assert f["paths"] == 2 and f["paths:conv1x1"] == 2 and f["paths:conv3x3"] == 1 and f["paths:maxpool3x3"] == 1
    assert (f["min_convs"], f["max_convs"]) == (1, 2)
    columns = graph_feature_columns([cell, cell])
    assert columns["graph:paths"] == [2.0, 2.0]


def test_other_spaces_are_refused_with_the_fix():
    with pytest.raises(NaswotError, match="drop the graph features"):
        graph_features("resnet18")


def test_nb201_edges_are_one_hot_in_the_standard_string_order():
    cell = parse_cell("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|")
    f = graph_features(cell)
    placed = {name for name, value in f.items() if name.startswith("edge") and value == 1.0}
    assert placed == {"edge0:nor_conv_3x3", "edge1:none", "edge2:skip_connect", "edge3:avg_pool_3x3", "edge4:none",
                      "edge5:nor_conv_1x1"}
    assert sum(name.startswith("edge") for name in f) == 30
    assert not any(name.startswith("edge") for name in
                   graph_features(NasBench101Space().parse("conv3x3,maxpool3x3,conv1x1|0-1,0-2,1-3,2-3,3-4")))
