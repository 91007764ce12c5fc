"""The search-time figure: mean best-so-far accuracy of each strategy against seconds and against evaluations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from naswot.search.repeat import RepeatedSearch  # noqa: E402

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
    figure, (by_time, by_count) = plt.subplots(1, 2, figsize=(12, 4.6))
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
    path = Path(path)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
