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
    a 3x3 conv and a 1x1 shortcut, all at the halved size; the classifier costs 4C * classes.
    """
    n3, n1 = cell.ops.count("nor_conv_3x3"), cell.ops.count("nor_conv_1x1")
    total = 3 * 9 * C * side**2
    for stage in range(3):
        c, size = C * 2**stage, side // 2**stage
        total += N * (n3 * 9 + n1) * c * c * size**2
        if stage:
            c_in = c // 2
            total += (9 * c_in * c + 9 * c * c + c_in * c) * size**2
    return total + 4 * C * classes


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
