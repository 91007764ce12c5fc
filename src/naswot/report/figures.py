"""The report's figures, drawn in memory as PNG bytes so that the page can inline them."""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from naswot.evaluate import rank_correlation  # noqa: E402
from naswot.report.plots import plot_score_vs_accuracy  # noqa: E402

_LEGEND_AT_MOST = 10


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def _number(value: object) -> float:
    """A plottable float; null, text and infinities become NaN, which matplotlib leaves out of a line."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return math.nan


def trajectory_png(trajectories: Mapping[str, Sequence[Mapping[str, object]]]) -> bytes:
    """Best score and (where known) best accuracy so far, against evaluations and against seconds, one line per run."""
    has_accuracy = any(not math.isnan(_number(p.get("best_accuracy"))) for points in trajectories.values() for p in points)
    has_seconds = any(not math.isnan(_number(p.get("seconds"))) for points in trajectories.values() for p in points)
    panels = [("evaluations", "best_score")]
    if has_accuracy:
        panels += [("evaluations", "best_accuracy")] + ([("seconds", "best_accuracy")] if has_seconds else [])
    figure, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.8), squeeze=False)
    for axis, (x_key, y_key) in zip(axes.flat, panels):
        for label, points in trajectories.items():
            x = [_number(p.get(x_key)) for p in points]
            y = [_number(p.get(y_key)) for p in points]
            axis.plot(x, y, drawstyle="steps-post", linewidth=1.2, label=label)
        axis.set_xlabel(x_key)
        axis.set_ylabel(f"{y_key.replace('_', ' ')} so far")
        axis.grid(alpha=0.3)
    if len(trajectories) <= _LEGEND_AT_MOST:
        axes.flat[0].legend(fontsize=7)
    return _png(figure)


def histogram_png(values: Sequence[float], *, title: str, xlabel: str, undefined: int = 0) -> bytes:
    """A histogram of the finite values; how many are -inf (undefined) is said in the title, not drawn."""
    finite = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if len(finite) and finite.min() > 0 and finite.max() > 1000 * finite.min():  # e.g. synflow spans many decades
        finite, xlabel = np.log10(finite), f"log10 {xlabel}"
    figure, axis = plt.subplots(figsize=(5.6, 3.2))
    axis.hist(finite, bins=min(40, max(5, int(np.sqrt(len(finite))))) if len(finite) else 1, color="#4c72b0")
    axis.set_title(title + (f"\n{undefined} undefined (-inf) not drawn" if undefined else ""), fontsize=9)
    axis.set_xlabel(xlabel)
    axis.set_ylabel("architectures")
    axis.grid(alpha=0.3)
    return _png(figure)


def scatter_png(columns: Mapping[str, Sequence[float]], accuracies: Sequence[float], *, dataset: str, subtitle: str) -> bytes:
    """Each column against accuracy with its rank correlation: the correlate command's plot, as bytes."""
    panels = {name: (values, accuracies, rank_correlation(values, accuracies)) for name, values in columns.items()}
    with tempfile.TemporaryDirectory() as folder:
        path = plot_score_vs_accuracy(panels, Path(folder) / "scatter.png", dataset=dataset, subtitle=subtitle)
        return path.read_bytes()
