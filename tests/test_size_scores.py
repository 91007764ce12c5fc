"""flops and params of NAS-Bench-201 networks against counts made from the cell alone."""

from __future__ import annotations

import pytest
import torch

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.spaces import get_space
from naswot.spaces.nasbench201 import Cell, conv_parameter_count, parse_cell

CELLS = [
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|nor_conv_1x1~0|+|nor_conv_1x1~0|none~1|+|nor_conv_3x3~0|avg_pool_3x3~1|nor_conv_1x1~2|",
]


def cell_multiply_accumulates(cell: Cell, C: int, N: int, classes: int, side: int = 32) -> int:
    """Count by hand: every conv output position costs c_in * k * k; pools, sums and BatchNorm are free.

    Stem 3->C 3x3 at full size; each stage s (c = C 2^s, size side / 2^s) holds N cells whose 3x3
    edges cost 9c^2 and 1x1 edges c^2 per position; each reduction block has a stride-2 3x3 conv,
    a 3x3 conv and a 1x1 shortcut, all at the halved size; the classifier costs 4C * classes plus its
    bias, one per class.
    """
    n3, n1 = cell.ops.count("nor_conv_3x3"), cell.ops.count("nor_conv_1x1")
    total = 3 * 9 * C * side**2
    for stage in range(3):
        c, size = C * 2**stage, side // 2**stage
        total += N * (n3 * 9 + n1) * c * c * size**2
        if stage:
            c_in = c // 2
            total += (9 * c_in * c + 9 * c * c + c_in * c) * size**2
    return total + 4 * C * classes + classes


@pytest.mark.parametrize("text", CELLS)
@pytest.mark.parametrize("C,N,classes", [(16, 5, 10), (8, 1, 100)])
def test_flops_and_params_equal_the_counts_from_the_cell(text, C, N, classes):
    cell = parse_cell(text)
    net = get_space(f"nasbench201:C={C},N={N}").build(cell, num_classes=classes)
    batch = Batch(torch.randn(3, 3, 32, 32), torch.zeros(3, dtype=torch.long), classes, "shape")
    assert compute_score(get_score("flops"), net, batch).value == cell_multiply_accumulates(cell, C, N, classes)
    assert compute_score(get_score("params"), net, batch).value == conv_parameter_count(cell, C, N, classes)


def test_flops_count_one_image_at_the_batch_resolution():
    cell = parse_cell(CELLS[0])
    net = get_space("nasbench201:C=4,N=1").build(cell)
    small = Batch(torch.randn(5, 3, 16, 16), torch.zeros(5, dtype=torch.long), 10, "16px")
    assert compute_score(get_score("flops"), net, small).value == cell_multiply_accumulates(cell, 4, 1, 10, side=16)


@pytest.mark.parametrize("text, classes, side, published", [
    # NAS-Bench-201 arch 0 (cifar10-valid 15.64737, ImageNet16-120 3.91948 MFLOPs) and a cell of three 3x3 convs
    # (113.95137 MFLOPs), as the NATS-Bench API's get_cost_info reports them (D-X-Y/NATS-Bench issues 24 and 36)
    ("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 10, 32, 15.64737),
    ("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 120, 16, 3.91948),
    ("|skip_connect~0|+|none~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 10, 32, 113.95137),
])
def test_flops_equal_the_benchmarks_published_flops(text, classes, side, published):
    net = get_space("nasbench201").build(parse_cell(text), num_classes=classes)
    batch = Batch(torch.randn(2, 3, side, side), torch.zeros(2, dtype=torch.long), classes, "shape")
    assert compute_score(get_score("flops"), net, batch).value / 1e6 == pytest.approx(published, abs=5e-6)


def test_flops_of_a_small_network_counted_by_hand():
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
        torch.nn.Conv2d(4, 6, 1, bias=False), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(6, 5))
    batch = Batch(torch.randn(2, 3, 8, 8), torch.zeros(2, dtype=torch.long), 5, "8px")
    # conv 3x3 with bias: 4 channels x 64 positions x (27 + 1); BatchNorm, ReLU and both pools: 0;
    # conv 1x1 without bias at 4x4: 6 x 16 x 4; linear with bias: 5 x (6 + 1)
    assert get_score("flops").version == 2
    assert compute_score(get_score("flops"), net, batch).value == 4 * 64 * 28 + 6 * 16 * 4 + 5 * 7
