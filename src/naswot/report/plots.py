"""Pictures of scores and searches: score vs accuracy, Jacobian correlations, ablations, search time, kernels.

Figures are built with matplotlib's object-oriented ``Figure`` and written by its own PNG canvas, never
through ``pyplot``: no backend is chosen or changed, so importing this module leaves a notebook's
backend alone. Each ``*_figure`` function returns the figure, so what it draws can be checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from naswot.evaluate import Correlation


def score_vs_accuracy_figure(
    panels: Mapping[str, tuple[Sequence[float], Sequence[float], Correlation]],
    *,
    dataset: str,
    subtitle: str = "",
    x_label: str | None = None,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Figure:
    """One scatter per score (x: score, y: accuracy); -inf scores are listed in the title, not drawn.

    ``x_label`` replaces "<panel> score at initialisation" (e.g. when panels are data sets); ``labels``
    names the points of a panel (a model zoo's models).
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
        title = f"{name}: tau={corr.kendall_tau:.3f}, rho={corr.spearman_rho:.3f} (n={corr.n})"
        if corr.undefined:
            title += f"\n{corr.undefined} undefined (-inf) not drawn"
        axis.set_title(title, fontsize=9)
        axis.set_xlabel(x_label or f"{name} score at initialisation")
        axis.set_ylabel(f"{dataset} test accuracy (%)")
        axis.grid(alpha=0.3)
    for axis in list(axes.flat)[count:]:
        axis.set_visible(False)
    if subtitle:
        figure.suptitle(subtitle, fontsize=9)
    figure.tight_layout()
    return figure


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
