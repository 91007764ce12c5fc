"""Pictures of scores and searches: score vs accuracy, Jacobian correlations, ablations, search time, kernels.

Figures are built with matplotlib's object-oriented ``Figure`` and written by its own PNG canvas, never
through ``pyplot``: no backend is chosen or changed, so importing this module leaves a notebook's
backend alone. Each ``*_figure`` function returns the figure, so what it draws can be checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter

from naswot.evaluate import Correlation


def score_vs_accuracy_figure(
    panels: Mapping[str, tuple[Sequence[float], Sequence[float], Correlation]],
    *,
    dataset: str,
    subtitle: str = "",
    x_label: str | None = None,
    labels: Mapping[str, Sequence[str]] | None = None,
    marked: int | None = None,
) -> Figure:
    """One scatter per score (x: score, y: accuracy); -inf scores are listed in the title, not drawn.

    ``x_label`` replaces "<panel> score at initialisation" (e.g. when panels are data sets); ``labels``
    names the points of a panel (a model zoo's models); ``marked`` is the index of a point drawn as a
    star, the search's pick. Scores whose values span decades (synflow to 1e37, parameter counts) get a
    log axis.
    """
    count = len(panels)
    columns = min(count, 3)
    rows = (count + columns - 1) // columns
    figure = Figure(figsize=(4.6 * columns, 4.0 * rows))
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis, (name, (scores, accuracies, corr)) in zip(axes.flat, panels.items()):
        scores_arr, acc_arr = np.asarray(scores, dtype=float), np.asarray(accuracies, dtype=float)
        finite = np.isfinite(scores_arr)
        axis.scatter(scores_arr[finite], acc_arr[finite], s=6 if labels is None else 14, alpha=0.5, linewidths=0)
        for text, x, y, shown in zip((labels or {}).get(name, ()), scores_arr, acc_arr, finite):
            if shown:
                axis.annotate(text, (x, y), fontsize=5, alpha=0.8)
        if marked is not None and finite[marked]:
            axis.scatter([scores_arr[marked]], [acc_arr[marked]], marker="*", s=140, color="crimson", zorder=3,
                         label="the pick")
            axis.legend(fontsize=7, loc="lower right")
        title = beside(f"{name}:", f"tau={corr.kendall_tau:.3f}, rho={corr.spearman_rho:.3f} (n={corr.n})")
        if corr.undefined:
            title += f"\n{corr.undefined} undefined (-inf) not drawn"
        axis.set_title(title, fontsize=9)
        scale = spanning_scale(axis, scores_arr[finite])
        if name in _COSTS:
            count_ticks(axis.xaxis)
        axis.set_xlabel((x_label or score_label(name)) + scale)
        axis.set_ylabel(f"{dataset} test accuracy (%)")
        axis.grid(alpha=0.3)
    for axis in list(axes.flat)[count:]:
        axis.set_visible(False)
    if subtitle:
        figure.suptitle(subtitle, fontsize=9)
    figure.tight_layout()
    return figure


_DECADE = 10.0
"""Positive values whose largest is this many times the smallest read better on a log axis (parameters,
FLOPs, synflow); a linear one crowds all but the largest into one column."""
_SHORT = 17
"""Score names longer than this take a line of their own in titles and labels."""
_COSTS = {"params": "parameters", "flops": "FLOPs (multiply-accumulates)", "latency": "latency"}


def score_label(name: str) -> str:
    """An axis label for a score: "naswot score at initialisation", "parameters"; never "score score".

    A long name (a combination such as ``rank_product(naswot,synflow)``) keeps a line to itself.
    """
    if name in _COSTS:
        return _COSTS[name]
    return beside(name, "at initialisation" if name.endswith("score") else "score at initialisation")


def beside(name: str, rest: str) -> str:
    """``name`` then ``rest`` on one line, or on two when the name is long (it would run off the panel)."""
    return f"{name}{chr(10) if len(name) > _SHORT else ' '}{rest}"


def count_ticks(axis: Axis) -> None:
    """Tick labels for counts with an SI prefix (200k, 1.5M) that do not run into each other."""
    axis.set_major_formatter(EngFormatter(sep=""))


def spanning_scale(axis: Axes, values: np.ndarray, which: str = "x") -> str:
    """Give ``axis`` a log scale when the positive ``values`` span a decade or more; the label's suffix.

    Zeros among them (synflow of a network with no path) would vanish from a log axis: then the
    scale is linear up to the smallest positive value and logarithmic above it.
    """
    values = values[np.isfinite(values)]
    positive = values[values > 0]
    if not len(positive) or (values < 0).any() or positive.max() < _DECADE * positive.min():
        return ""
    set_scale = axis.set_xscale if which == "x" else axis.set_yscale
    if (values == 0).any():
        set_scale("symlog", linthresh=float(positive.min()))
        return " (log scale above the smallest non-zero)"
    set_scale("log")
    return " (log scale)"


def plot_score_vs_accuracy(
    panels: Mapping[str, tuple[Sequence[float], Sequence[float], Correlation]],
    path: str | Path,
    *,
    dataset: str,
    subtitle: str = "",
    x_label: str | None = None,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write ``score_vs_accuracy_figure`` as a PNG."""
    figure = score_vs_accuracy_figure(panels, dataset=dataset, subtitle=subtitle, x_label=x_label, labels=labels)
    return save_figure(figure, path, dpi=120)


def save_figure(figure: Figure, path: str | Path, dpi: int) -> Path:
    path = Path(path)
    figure.savefig(path, dpi=dpi)
    return path


def plot_correlation_histograms(columns: Mapping[str, Sequence[tuple[str, np.ndarray]]], path: str | Path) -> Path:
    """v1's Figure 1: one histogram of pairwise Jacobian correlations per network, a column per accuracy bin."""
    rows = max((len(cells) for cells in columns.values()), default=1) or 1
    figure = Figure(figsize=(2.6 * len(columns), 1.8 * rows))
    axes = figure.subplots(rows, len(columns), squeeze=False)
    for column, (title, cells) in enumerate(columns.items()):
        axes[0, column].set_title(title, fontsize=9)
        for row in range(rows):
            axis = axes[row, column]
            if row < len(cells):
                name, correlations = cells[row]
                axis.hist(correlations, bins=60, range=(-1, 1), color="tab:blue")
                axis.set_xlabel(name, fontsize=6)
                axis.set_yticks([])
            else:
                axis.set_visible(False)
    figure.tight_layout()
    return save_figure(figure, path, dpi=120)


def plot_ablation(panels: Mapping[str, tuple[Sequence[float], Sequence[Sequence[float]]]], path: str | Path,
                  *, score: str) -> Path:
    """v1's Figure 4: per panel (an ablation), each network's scores over repeats against its accuracy."""
    figure = Figure(figsize=(4.2 * len(panels), 3.6))
    axes = figure.subplots(1, len(panels), squeeze=False)
    for axis, (title, (accuracies, repeats)) in zip(axes.flat, panels.items()):
        for accuracy, values in zip(accuracies, repeats):
            finite = [v for v in values if np.isfinite(v)]
            axis.scatter([accuracy] * len(finite), finite, s=10, alpha=0.6)
        axis.set_title(title, fontsize=9)
        axis.set_xlabel("CIFAR-10 test accuracy (%)")
        axis.set_ylabel(f"{score} score")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    return save_figure(figure, path, dpi=120)


def plot_time_vs_accuracy(series: Mapping[str, Sequence[tuple[float, float, str]]], path: str | Path,
                          *, y_label: str) -> Path:
    """v1's Figure 6: search seconds (log scale) against the accuracy each method finds; one marker per series."""
    figure = Figure(figsize=(7.5, 4.8))
    axis = figure.subplots()
    for (name, points), marker in zip(series.items(), "osD^v<>"):
        axis.scatter([p[0] for p in points], [p[1] for p in points], marker=marker, label=name, alpha=0.8)
        for x, y, text in points:
            axis.annotate(text, (x, y), fontsize=6, alpha=0.8)
    axis.set_xscale("log")
    axis.set_xlabel("search time (s, log scale)")
    axis.set_ylabel(y_label)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    figure.tight_layout()
    return save_figure(figure, path, dpi=120)


def plot_kernels(kernels: Mapping[str, np.ndarray], path: str | Path) -> Path:
    """v2's K_H heat maps: the Hamming kernel of each network divided by its number of ReLU units."""
    figure = Figure(figsize=(4.4 * len(kernels), 4.0))
    axes = figure.subplots(1, len(kernels), squeeze=False)
    for axis, (title, kernel) in zip(axes.flat, kernels.items()):
        image = axis.imshow(kernel, vmin=0.0, vmax=1.0, cmap="viridis")
        axis.set_title(title, fontsize=8)
        axis.set_xlabel("image j")
        axis.set_ylabel("image i")
        figure.colorbar(image, ax=axis, fraction=0.046)
    figure.tight_layout()
    return save_figure(figure, path, dpi=120)
