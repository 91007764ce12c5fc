"""Many seeded runs of one strategy, summarised the way the papers report searches: mean ± std of the pick's accuracy.

The papers average 500 runs of each search; here every run is a ``SearchRun``, so the same numbers also
give the mean best-so-far curve against evaluations or seconds (the search-time figures).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from naswot.errors import NaswotError
from naswot.search.problem import SearchProblem
from naswot.search.run import SearchRun
from naswot.search.strategy import SearchStrategy, run_search


@dataclass
class RepeatedSearch:
    """``runs`` seeded searches (seeds ``0..runs-1``) with the same settings."""

    label: str
    runs: list[SearchRun]
    simulation_seconds: float
    """Wall seconds this process spent on all runs (lookups and bookkeeping, plus any scores it had to compute)."""

    def accuracies(self, evaluations: int | None = None) -> np.ndarray:
        """Each run's pick, after ``evaluations`` of its evaluations (default: at its end)."""
        points = [run.trajectory[-1 if evaluations is None else evaluations - 1] for run in self.runs]
        values = [p.best_accuracy for p in points]
        if any(v is None for v in values):
            raise NaswotError(f"{self.label} has architectures without accuracy: give the search a table that holds them")
        return np.asarray(values, dtype=np.float64)

    def summary(self, evaluations: int | None = None) -> dict[str, Any]:
        accuracies = self.accuracies(evaluations)
        points = [run.trajectory[-1 if evaluations is None else evaluations - 1] for run in self.runs]
        seconds = [p.seconds for p in points]
        return {
            "runs": len(self.runs), "mean": float(accuracies.mean()), "std": float(accuracies.std()),
            "standard_error": float(accuracies.std(ddof=1) / np.sqrt(len(accuracies))) if len(accuracies) > 1 else None,
            "evaluations": float(np.mean([p.evaluations for p in points])),
            "trained": float(np.mean([p.trained for p in points])),
            "search_seconds": None if None in seconds else float(np.mean(seconds)),  # type: ignore[arg-type]
            "simulation_seconds_per_run": self.simulation_seconds / len(self.runs),
            "settings": {k: v for k, v in self.runs[0].settings.items() if k != "seed"},
        }

    def mean_curve(self, grid: Sequence[float], axis: str) -> np.ndarray:
        """The mean over runs of the best-so-far accuracy at each ``grid`` value of ``axis``.

        ``axis`` is "evaluations" (the counted kind: trained for rea/area, scored otherwise) or
        "seconds". A run contributes its last point at or before the grid value and holds its final
        value after it ends. The mean is NaN until every run has an answer, and where a run cannot
        account for its seconds (trainings without times), so it never averages a changing subset.
        """
        curves = np.full((len(self.runs), len(grid)), np.nan)
        for r, run in enumerate(self.runs):
            xs, ys = self.points(run, axis)
            positions = np.searchsorted(xs, grid, side="right") - 1
            if len(xs):
                curves[r] = np.where(positions >= 0, ys[np.clip(positions, 0, None)], np.nan)
                if axis == "seconds" and any(p.seconds is None for p in run.trajectory):
                    curves[r, np.asarray(grid) > xs[-1]] = np.nan  # after this, its time is unknown
        return curves.mean(axis=0)


    @staticmethod
    def points(run: SearchRun, axis: str) -> tuple[np.ndarray, np.ndarray]:
        """A run's (x, best-so-far accuracy) points on ``axis``, leaving out points of unknown time."""
        counted = run.settings["counts"] == "trained"
        xs, ys = [], []
        for p in run.trajectory:
            x = p.seconds if axis == "seconds" else (p.trained if counted else p.evaluations - p.trained)
            if x is not None and p.best_accuracy is not None:
                xs.append(x)
                ys.append(p.best_accuracy)
        return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)


def repeat_search(problem: SearchProblem, strategy: SearchStrategy, runs: int, *, n: int | None = None,
                  budget_seconds: float | None = None, label: str | None = None) -> RepeatedSearch:
    """``runs`` searches seeded 0, 1, ...: what the papers' 500-run tables average."""
    if runs < 1:
        raise NaswotError(f"{runs} runs average nothing: use 1 or more")
    start = time.perf_counter()
    results = [run_search(problem, strategy, n=n, budget_seconds=budget_seconds, seed=seed) for seed in range(runs)]
    return RepeatedSearch(label or strategy.name, results, time.perf_counter() - start)
