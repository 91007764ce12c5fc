"""The report's figures draw exactly the points they are given, on axes a reader can read, and change no backend."""

from __future__ import annotations

import io
import math
import subprocess
import sys

import numpy as np
from matplotlib.image import imread

from naswot.evaluate import rank_correlation
from naswot.report.figures import pareto_figure, trajectory_figure
from naswot.report.plots import plot_score_vs_accuracy, score_vs_accuracy_figure


def test_each_panel_holds_the_finite_points_of_its_score():
    scores = {"a": [1.0, 2.0, -math.inf, 4.0], "b": [0.5, 0.25, 0.125, 0.0625]}
    accuracies = [80.0, 85.0, 10.0, 90.0]
    panels = {name: (values, accuracies, rank_correlation(values, accuracies)) for name, values in scores.items()}
    figure = score_vs_accuracy_figure(panels, dataset="cifar10")
    drawn = {axis.get_title().split(":")[0]: axis.collections[0].get_offsets() for axis in figure.axes if axis.collections}
    np.testing.assert_array_equal(drawn["a"], [[1.0, 80.0], [2.0, 85.0], [4.0, 90.0]])  # the -inf one is left out
    np.testing.assert_array_equal(drawn["b"], np.column_stack([scores["b"], accuracies]))
    titles = [axis.get_title() for axis in figure.axes]
    assert any("1 undefined (-inf) not drawn" in title for title in titles)


def test_the_png_differs_when_the_data_do(tmp_path):
    accuracies = list(np.linspace(50, 90, 30))
    rising = {"s": (list(range(30)), accuracies, rank_correlation(list(range(30)), accuracies))}
    falling = {"s": (list(range(30, 0, -1)), accuracies, rank_correlation(list(range(30, 0, -1)), accuracies))}
    first = imread(plot_score_vs_accuracy(rising, tmp_path / "up.png", dataset="cifar10"))
    second = imread(plot_score_vs_accuracy(falling, tmp_path / "down.png", dataset="cifar10"))
    assert first.shape == second.shape and (first != second).any(axis=-1).sum() > 100


def _panels(scores: dict[str, list[float]], accuracies: list[float]) -> dict:
    return {name: (values, accuracies, rank_correlation(values, accuracies)) for name, values in scores.items()}


def test_scores_spanning_decades_get_a_log_axis_and_each_label_names_its_score_once():
    accuracies = [60.0, 70.0, 80.0, 90.0, 93.0]
    scores = {"synflow": [1e3, 1e10, 1e20, 1e30, 1e37], "with_zero": [0.0, 1e2, 1e5, 1e8, 1e9],
              "naswot": [1500.0, 1550.0, 1600.0, 1620.0, 1634.0], "params": [4e4, 2e5, 4e5, 8e5, 1.5e6], "score": [1, 2, 3, 4, 5]}
    figure = score_vs_accuracy_figure(_panels(scores, accuracies), dataset="cifar10")
    axes = {axis.get_title().split(":")[0]: axis for axis in figure.axes if axis.get_visible()}
    scales = {name: axis.get_xscale() for name, axis in axes.items()}
    assert scales == {"synflow": "log", "with_zero": "symlog", "naswot": "linear", "params": "log", "score": "linear"}
    labels = {name: axis.get_xlabel() for name, axis in axes.items()}
    assert labels["synflow"] == "synflow score at initialisation (log scale)" and labels["params"] == "parameters (log scale)"
    assert labels["score"] == "score at initialisation" and labels["naswot"] == "naswot score at initialisation"
    figure.savefig(io.BytesIO(), format="png")  # the log axes draw (a zero on a plain log axis would be lost)


def test_the_pick_is_starred_where_its_score_and_accuracy_are():
    accuracies = [70.0, 80.0, 90.0, 85.0]
    figure = score_vs_accuracy_figure(_panels({"naswot": [1.0, 2.0, 3.0, 4.0]}, accuracies), dataset="cifar10", marked=3)
    points, star = figure.axes[0].collections
    assert len(points.get_offsets()) == 4 and star.get_offsets().tolist() == [[4.0, 85.0]]
    assert star.get_label() == "the pick"


def test_the_trajectory_says_accuracy_of_the_pick_and_draws_one_run_against_evaluations_only():
    points = [{"evaluations": 1, "seconds": 1.0, "best_score": 10.0, "best_accuracy": 93.0},
              {"evaluations": 2, "seconds": 2.5, "best_score": 12.0, "best_accuracy": 91.0}]  # it falls: a new pick
    one = trajectory_figure({"run": points}, score="naswot")
    assert [axis.get_ylabel() for axis in one.axes] == ["best naswot so far", "accuracy of the pick so far (%)"]
    assert one.axes[1].lines[0].get_ydata().tolist() == [93.0, 91.0]
    two = trajectory_figure({"a": points, "b": points}, score="naswot")
    assert [axis.get_xlabel() for axis in two.axes] == ["evaluations", "evaluations", "compute seconds (stored)"]


def test_the_pareto_front_is_a_staircase_through_its_points_cheapest_first():
    front = [(8e5, 1630.0), (1e5, 1500.0), (4e5, 1600.0)]
    others = [(5e5, 1550.0), (9e5, 1400.0)]
    figure = pareto_figure(front, others, cost="params", unit="", score="naswot", limit=6e5)
    axis = figure.axes[0]
    staircase = axis.lines[0]
    assert staircase.get_drawstyle() == "steps-post"
    assert staircase.get_xdata().tolist() == [1e5, 4e5, 8e5] and staircase.get_ydata().tolist() == [1500.0, 1600.0, 1630.0]
    assert list(axis.lines[1].get_xdata()) == [6e5, 6e5]  # the budget
    assert [len(c.get_offsets()) for c in axis.collections] == [2, 3] and axis.get_xlabel() == "parameters"


def test_importing_the_report_leaves_the_matplotlib_backend_alone():
    code = ("import sys, matplotlib; matplotlib.use('svg'); import naswot.report.plots, naswot.report.llo_views, "
            "naswot.report.figures, naswot.report.trajectories, naswot.report.page; "
            "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["svg", "False"], result.stderr
