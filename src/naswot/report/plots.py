"""Scatter plots of score against trained accuracy, one panel per score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from naswot.evaluate import Correlation  # noqa: E402


def plot_score_vs_accuracy(
    panels: Mapping[str, tuple[Sequence[float], Sequence[float], Correlation]],
    path: str | Path,
    *,
    dataset: str,
    subtitle: str = "",
) -> Path:
    """Write a PNG with one scatter per score (x: score, y: accuracy); -inf scores are listed, not drawn."""
    count = len(panels)
    columns = min(count, 3)
    rows = (count + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 4.0 * rows), squeeze=False)
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
    path = Path(path)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
