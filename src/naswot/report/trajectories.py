"""The search-time figure: mean best-so-far accuracy of each strategy against seconds and against evaluations.

Drawn on a matplotlib ``Figure`` and written by its own PNG canvas, never through ``pyplot``: importing
this module leaves the user's backend as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from naswot.report.plots import save_figure
from naswot.searching.repeat import RepeatedSearch

_STYLES = ("-", "--", "-.") * 4


def plot_search_trajectories(
    searches: Sequence[RepeatedSearch],
    path: str | Path,
    *,
    dataset: str,
    references: Mapping[str, float] | None = None,
    note: str = "",
) -> Path:
    """Two panels: accuracy vs simulated seconds (log), and accuracy vs evaluations (log).

    A strategy whose evaluations have no known time (trainings looked up in a table without training
    times) is drawn on the seconds panel only for the part it can time, and marked at its final mean.
    ``references`` draws horizontal lines (e.g. the papers' REA accuracy).
    """
    figure = Figure(figsize=(12, 4.6))
    by_time, by_count = figure.subplots(1, 2)
    for style, search in zip(_STYLES, searches):
        counts = max(search.points(run, "evaluations")[0].max() for run in search.runs)
        count_grid = np.unique(np.geomspace(1, max(counts, 1), 200).round())
        line, = by_count.plot(count_grid, search.mean_curve(count_grid, "evaluations"), style, label=search.label)
        seconds = np.concatenate([search.points(run, "seconds")[0] for run in search.runs])
        if seconds[seconds > 0].size:
            time_grid = np.geomspace(seconds[seconds > 0].min(), seconds.max(), 300)
            by_time.plot(time_grid, search.mean_curve(time_grid, "seconds"), style, color=line.get_color(),
                         label=search.label)
        if any(run.seconds is None for run in search.runs):
            by_time.axhline(search.accuracies().mean(), color=line.get_color(), linestyle=":",
                            label=f"{search.label}: final mean (training time unknown)")
    for axis in (by_time, by_count):
        for name, value in (references or {}).items():
            axis.axhline(value, color="grey", linestyle="--", linewidth=0.8)
            axis.annotate(name, (0.01, value), xycoords=("axes fraction", "data"), fontsize=7, color="grey",
                          va="bottom")
        axis.set_xscale("log")
        axis.set_ylabel(f"{dataset} test accuracy of the pick (%)")
        axis.grid(alpha=0.3)
    by_time.set_xlabel("simulated search seconds (stored compute seconds, one CPU core)")
    by_count.set_xlabel("evaluations (networks scored; for rea/area networks trained)")
    by_time.legend(fontsize=7, loc="lower right")
    figure.suptitle(f"Search: mean best-so-far over seeded runs{(' - ' + note) if note else ''}", fontsize=9)
    figure.tight_layout()
    return save_figure(figure, path, dpi=110)
