"""The thesis' views: heat maps show the right per-element distances, titles the right statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.image import imread

from naswot.data import Batch
from naswot.errors import NaswotError
from naswot.report.llo_views import (
    Entry,
    jaccard_histograms_figure,
    pair_heatmaps_figure,
    pair_maps,
    panel_title,
    plot_jaccard_histograms,
    plot_pair_heatmaps,
)
from naswot.scores.llo.score import llo_statistics
from naswot.spaces import get_space

CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|"


@pytest.fixture(scope="module")
def stats(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    batch = Batch(cifar_batch.images[:6], cifar_batch.labels[:6], 10, cifar_batch.fingerprint + ":first6")
    return llo_statistics(space.build(space.parse(CELL)).train(), batch)


def test_pair_maps_hold_the_first_channel_distances_of_the_pair(stats):
    maps = pair_maps(stats, 4, 1)
    column = int(((stats.pairs[0] == 1) & (stats.pairs[1] == 4)).nonzero()[0, 0])
    assert maps.set_distance.shape == (32, 32)
    assert torch.equal(torch.from_numpy(maps.set_distance).flatten(), stats.jaccard[column, :1024])
    assert torch.equal(torch.from_numpy(maps.llo_distance).flatten(), (stats.llo[4, :1024] - stats.llo[1, :1024]).abs())
    green = pair_maps(stats, 1, 4, channel=1)
    assert torch.equal(torch.from_numpy(green.set_distance).flatten(), stats.jaccard[column, 1024:2048])


def test_titles_carry_the_architecture_accuracy_mean_and_spread():
    values = torch.tensor([[0.0, 0.5], [0.25, 0.25]]).numpy()
    title = panel_title(CELL, 91.5, values)
    assert "acc=91.50%" in title and "\u03bc=0.25" in title and f"\u03c3={values.std():.4g}" in title
    assert CELL.replace("\n", "") in title.replace("\n", "")


def test_bad_pairs_and_channels_are_refused(stats):
    with pytest.raises(NaswotError, match="two different images"):
        pair_maps(stats, 2, 2)
    with pytest.raises(NaswotError, match="channel 3 does not exist"):
        pair_maps(stats, 0, 1, channel=3)


def test_the_figures_are_written_with_one_row_or_panel_per_architecture(stats, tmp_path):
    entries = [Entry(CELL, 90.0, stats), Entry("same network again", None, stats)]
    heat = imread(plot_pair_heatmaps(entries, 0, 2, tmp_path / "heat.png"))
    single = imread(plot_pair_heatmaps(entries[:1], 0, 2, tmp_path / "one.png"))
    assert heat.shape[0] > 1.8 * single.shape[0]  # two rows of maps
    hist = imread(plot_jaccard_histograms(entries, tmp_path / "hist.png"))
    assert hist.shape[1] > 1.8 * imread(plot_jaccard_histograms(entries[:1], tmp_path / "h1.png")).shape[1]


def test_the_heat_maps_show_the_pairs_distances_and_the_histograms_count_them(stats):
    other = pair_maps(stats, 1, 3)
    maps = pair_maps(stats, 0, 2)
    images = [axis.images[0].get_array() for axis in pair_heatmaps_figure([Entry(CELL, 90.0, stats)], 0, 2).axes
              if axis.images]
    assert len(images) == 2
    np.testing.assert_array_equal(images[0], maps.set_distance)
    np.testing.assert_array_equal(images[1], maps.llo_distance)
    assert not np.array_equal(images[1], other.llo_distance)  # the maps depend on the pair drawn
    bars = jaccard_histograms_figure([Entry(CELL, None, stats)], bins=20).axes[0].patches
    counts, edges = np.histogram(stats.jaccard.flatten().numpy(), bins=20)
    assert [bar.get_height() for bar in bars] == counts.tolist()
    assert sum(counts) == stats.jaccard.numel() and bars[0].get_x() == pytest.approx(edges[0])
