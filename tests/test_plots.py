"""The score-vs-accuracy scatter draws exactly the finite points it is given, and importing it changes no backend."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
from matplotlib.image import imread

from naswot.evaluate import rank_correlation
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


def test_importing_the_plots_leaves_the_matplotlib_backend_alone():
    code = ("import matplotlib; matplotlib.use('svg'); import naswot.report.plots, naswot.report.llo_views; "
            "print(matplotlib.get_backend())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "svg", result.stderr
