"""The thesis' views of the LLO score (chapter 5): per-element distance heat maps and Jaccard histograms.

Heat maps show, for one image pair, the Jaccard distance of the parameter sets and the absolute LLO
difference of every element of the first input channel (figures 5.1-5.6); each title names the
architecture, its accuracy and the mean and standard deviation of the plotted values. Histograms
show the Jaccard distances of all pairs and elements, one panel per architecture (figure 5.3).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from naswot.errors import NaswotError
from naswot.report.plots import save_figure
from naswot.scores.llo.score import LloStatistics


@dataclass(frozen=True)
class Entry:
    """One architecture to draw: its name, its trained accuracy (if known) and its statistics."""

    name: str
    accuracy: float | None
    stats: LloStatistics


@dataclass(frozen=True)
class PairMaps:
    """Per-element distances of one image pair over one input channel, as (H, W) maps."""

    set_distance: np.ndarray
    llo_distance: np.ndarray


def pair_maps(stats: LloStatistics, first: int, second: int, channel: int = 0) -> PairMaps:
    """Jaccard distance and |lambda_n^i - lambda_n^j| of images ``first`` and ``second`` over ``channel``."""
    channels, height, width = stats.input_shape
    batch = stats.llo.shape[0]
    if not (0 <= first < batch and 0 <= second < batch and first != second):
        raise NaswotError(f"image pair ({first}, {second}) is not two different images of the batch of {batch}")
    if not 0 <= channel < channels:
        raise NaswotError(f"input channel {channel} does not exist: the input has {channels}")
    i, j = sorted((first, second))
    pair = int(((stats.pairs[0] == i) & (stats.pairs[1] == j)).nonzero()[0, 0])
    elements = slice(channel * height * width, (channel + 1) * height * width)
    jaccard = stats.jaccard[pair, elements].reshape(height, width).numpy()
    llo = (stats.llo[first, elements] - stats.llo[second, elements]).abs().reshape(height, width).numpy()
    return PairMaps(jaccard, llo)


def panel_title(name: str, accuracy: float | None, values: np.ndarray) -> str:
    """The thesis' heat-map title: architecture, accuracy, mean and standard deviation of the values."""
    acc = "acc n/a" if accuracy is None else f"acc={accuracy:.2f}%"
    return "\n".join(textwrap.wrap(name, 48)) + f"\n{acc}  \u03bc={values.mean():.4g}  \u03c3={values.std():.4g}"


def pair_heatmaps_figure(entries: Sequence[Entry], first: int, second: int, channel: int = 0) -> Figure:
    """One row per architecture: the Jaccard-distance map, then the LLO-distance map of the pair."""
    figure = Figure(figsize=(8.5, 4.2 * len(entries)))
    axes = figure.subplots(len(entries), 2, squeeze=False)
    for row, entry in zip(axes, entries):
        maps = pair_maps(entry.stats, first, second, channel)
        panels = ((row[0], maps.set_distance, "\u03b4\u03c9 (Jaccard)"),
                  (row[1], maps.llo_distance, "\u03b4\u03bb (|\u0394\u03bb|)"))
        for axis, values, label in panels:
            image = axis.imshow(values, cmap="viridis")
            figure.colorbar(image, ax=axis, fraction=0.046)
            axis.set_title(f"{label}, images {first} & {second}\n" + panel_title(entry.name, entry.accuracy, values), fontsize=7)
            axis.set_xticks([])
            axis.set_yticks([])
    figure.tight_layout()
    return figure


def plot_pair_heatmaps(entries: Sequence[Entry], first: int, second: int, path: str | Path, channel: int = 0) -> Path:
    """Write ``pair_heatmaps_figure`` as a PNG."""
    return save_figure(pair_heatmaps_figure(entries, first, second, channel), path, dpi=110)


def jaccard_histograms_figure(entries: Sequence[Entry], bins: int = 50) -> Figure:
    """One histogram per architecture of the Jaccard distances of every image pair and element."""
    columns = min(len(entries), 2)
    rows = (len(entries) + columns - 1) // columns
    figure = Figure(figsize=(5.5 * columns, 3.6 * rows))
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis, entry in zip(axes.flat, entries):
        values = entry.stats.jaccard.flatten().numpy()
        axis.hist(values, bins=bins)
        axis.set_title(panel_title(entry.name, entry.accuracy, values), fontsize=7)
        axis.set_xlabel("Jaccard distance of parameter sets")
        axis.set_ylabel("pairs x elements")
    for axis in list(axes.flat)[len(entries) :]:
        axis.set_visible(False)
    figure.tight_layout()
    return figure


def plot_jaccard_histograms(entries: Sequence[Entry], path: str | Path, bins: int = 50) -> Path:
    """Write ``jaccard_histograms_figure`` as a PNG."""
    return save_figure(jaccard_histograms_figure(entries, bins), path, dpi=110)
