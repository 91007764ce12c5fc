"""The report's figures, drawn in memory as PNG bytes so that the page can inline them.

Each is a matplotlib ``Figure`` written by its own PNG canvas, never through ``pyplot``: importing
this module leaves the backend of the user's notebook or script as it was.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from naswot.evaluate import rank_correlation
from naswot.report.plots import beside, count_ticks, score_label, score_vs_accuracy_figure, spanning_scale

_LEGEND_AT_MOST = 10


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _number(value: object) -> float:
    """A plottable float; null, text and infinities become NaN, which matplotlib leaves out of a line."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return math.nan


def trajectory_png(trajectories: Mapping[str, Sequence[Mapping[str, object]]], *, score: str = "score") -> bytes:
    return _png(trajectory_figure(trajectories, score=score))


def trajectory_figure(trajectories: Mapping[str, Sequence[Mapping[str, object]]], *, score: str = "score") -> Figure:
    """Best score so far and the accuracy of the pick so far, against evaluations; one line per run.

    The pick is what the search would answer at that moment (the best-scoring architecture, or the most
    accurate trained one): its accuracy can fall when a higher-scoring but less accurate one turns up,
    so the panel says "of the pick", not "best". Several runs are also drawn against seconds, where
    their costs differ; for one run that panel would repeat the curve on a stretched axis.
    """
    points = [point for line in trajectories.values() for point in line]
    has_score = any(not math.isnan(_number(p.get("best_score"))) for p in points)  # rea and area pick by accuracy alone
    has_accuracy = any(not math.isnan(_number(p.get("best_accuracy"))) for p in points)
    has_seconds = len(trajectories) > 1 and any(not math.isnan(_number(p.get("seconds"))) for p in points)
    panels = [("evaluations", "best_score", beside(f"best {score}", "so far"))] if has_score or not has_accuracy else []
    if has_accuracy:
        panels.append(("evaluations", "best_accuracy", "accuracy of the pick so far (%)"))
        if has_seconds:
            panels.append(("seconds", "best_accuracy", "accuracy of the pick so far (%)"))
    figure = Figure(figsize=(3.5 * len(panels), 3.1))
    axes = figure.subplots(1, len(panels), squeeze=False)
    for axis, (x_key, y_key, y_label) in zip(axes.flat, panels):
        for label, line in trajectories.items():
            x = [_number(p.get(x_key)) for p in line]
            y = [_number(p.get(y_key)) for p in line]
            axis.plot(x, y, drawstyle="steps-post", linewidth=1.2, label=label)
        axis.set_xlabel("compute seconds (stored)" if x_key == "seconds" else "evaluations")
        axis.set_ylabel(y_label)
        axis.grid(alpha=0.3)
    if 1 < len(trajectories) <= _LEGEND_AT_MOST:
        axes.flat[0].legend(fontsize=7)
    return figure


def histogram_png(values: Sequence[float], *, title: str, xlabel: str, undefined: int = 0, counts: bool = False) -> bytes:
    """A histogram of the finite values; how many are -inf (undefined) is said in the title, not drawn.

    ``counts`` (parameters, FLOPs) writes the ticks with SI prefixes.
    """
    finite = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if len(finite) and finite.min() > 0 and finite.max() > 1000 * finite.min():  # e.g. synflow spans many decades
        finite, xlabel = np.log10(finite), f"log10 {xlabel}"
    figure = Figure(figsize=(3.7, 2.6))
    axis = figure.subplots()
    axis.hist(finite, bins=min(40, max(5, int(np.sqrt(len(finite))))) if len(finite) else 1, color="#4c72b0")
    axis.set_title(title + (f"\n{undefined} undefined (-inf) not drawn" if undefined else ""), fontsize=9)
    axis.set_xlabel(xlabel)
    if counts and not xlabel.startswith("log10"):
        count_ticks(axis.xaxis)
    axis.set_ylabel("architectures")
    axis.grid(alpha=0.3)
    return _png(figure)


def scatter_png(columns: Mapping[str, Sequence[float]], accuracies: Sequence[float], *, dataset: str, subtitle: str = "",
                marked: int | None = None) -> bytes:
    """Each column against accuracy with its rank correlation (the correlate command's plot); ``marked`` is the pick."""
    panels = {name: (values, accuracies, rank_correlation(values, accuracies)) for name, values in columns.items()}
    figure = score_vs_accuracy_figure(panels, dataset=dataset, subtitle=subtitle, marked=marked)
    if len(panels) == 1:  # beside the trajectory, as tall
        figure.set_size_inches(4.0, 3.1)
    return _png(figure)


def pareto_png(front: Sequence[tuple[float, float]], others: Sequence[tuple[float, float]], *, cost: str, unit: str,
               score: str, limit: float | None = None) -> bytes:
    return _png(pareto_figure(front, others, cost=cost, unit=unit, score=score, limit=limit))


def pareto_figure(front: Sequence[tuple[float, float]], others: Sequence[tuple[float, float]], *, cost: str, unit: str,
                  score: str, limit: float | None = None) -> Figure:
    """Score against cost: every evaluated architecture in grey, the non-dominated ones joined as a staircase.

    ``limit`` draws the budget on the cost (a vertical line): what lies right of it was not allowed.
    """
    figure = Figure(figsize=(4.6, 3.4))
    axis = figure.subplots()
    if others:
        axis.scatter(*zip(*others), s=8, color="#9aa4ae", alpha=0.6, linewidths=0, label="evaluated")
    ordered = sorted((c, s) for c, s in front if math.isfinite(c) and math.isfinite(s))
    if ordered:
        axis.plot(*zip(*ordered), drawstyle="steps-post", color="#2f6feb", linewidth=1.2)
        axis.scatter(*zip(*ordered), s=22, color="#2f6feb", zorder=3, label="non-dominated")
    if limit is not None:
        axis.axvline(limit, color="crimson", linestyle="--", linewidth=1, label="budget")
    costs = np.asarray([c for c, _ in [*ordered, *others]], dtype=float)
    axis.set_xlabel(f"{score_label(cost)}{f' ({unit})' if unit else ''}" + spanning_scale(axis, costs))
    if cost in ("params", "flops"):
        count_ticks(axis.xaxis)
    axis.set_ylabel(score_label(score))
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    return figure


def training_png(history: Sequence[Mapping[str, object]], *, test_accuracy: float | None) -> bytes:
    """Training loss and accuracy per epoch; the held-out test accuracy as a dashed line beside them."""
    epochs = [_number(point.get("epoch")) for point in history]
    figure = Figure(figsize=(7.8, 3.0))
    loss, accuracy = figure.subplots(1, 2)
    loss.plot(epochs, [_number(point.get("train_loss")) for point in history], marker=".", linewidth=1.2)
    loss.set_ylabel("training loss")
    accuracy.plot(epochs, [_number(point.get("train_accuracy")) for point in history], marker=".", linewidth=1.2,
                  label="training accuracy")
    if test_accuracy is not None and math.isfinite(test_accuracy):
        accuracy.axhline(test_accuracy, color="crimson", linestyle="--", linewidth=1, label="held-out test accuracy")
    accuracy.set_ylabel("accuracy (%)")
    accuracy.legend(fontsize=7)
    for axis in (loss, accuracy):
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
    return _png(figure)
