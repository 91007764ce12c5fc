"""Scatter plots of score against trained accuracy, one panel per score.

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
) -> Figure:
    """One scatter per score (x: score, y: accuracy); -inf scores are listed in the title, not drawn."""
    count = len(panels)
    columns = min(count, 3)
    rows = (count + columns - 1) // columns
    figure = Figure(figsize=(4.6 * columns, 4.0 * rows))
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis, (name, (scores, accuracies, corr)) in zip(axes.flat, panels.items()):
        scores_arr, acc_arr = np.asarray(scores, dtype=float), np.asarray(accuracies, dtype=float)
        finite = np.isfinite(scores_arr)
        axis.scatter(scores_arr[finite], acc_arr[finite], s=6, alpha=0.5, linewidths=0)
        title = f"{name}: tau={corr.kendall_tau:.3f}, rho={corr.spearman_rho:.3f} (n={corr.n})"
        if corr.undefined:
            title += f"\n{corr.undefined} undefined (-inf) not drawn"
        axis.set_title(title, fontsize=9)
        axis.set_xlabel(f"{name} score at initialisation")
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
) -> Path:
    """Write ``score_vs_accuracy_figure`` as a PNG."""
    return save_figure(score_vs_accuracy_figure(panels, dataset=dataset, subtitle=subtitle), path, dpi=120)


def save_figure(figure: Figure, path: str | Path, dpi: int) -> Path:
    path = Path(path)
    figure.savefig(path, dpi=dpi)
    return path
