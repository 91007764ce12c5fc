"""A learned ensemble: gradient-boosted trees from several scores to trained accuracy.

Fitted on the scores of a few hundred architectures whose accuracy is known, it then scores new
architectures from their scores alone. Trees see only the order of each score's values, so no
scaling is needed, and an undefined (-inf) score is a missing value the trees route on their own.
The tree settings are chosen by k-fold cross-validation on the labelled architectures (Kendall tau
of the held-out fold), everything is seeded, and the fitted ensemble records how many labelled
architectures it used, so no result built on it can hide that it saw labels.

A saved file is JSON: what the fit saw (the labelled architectures' scores and accuracies) and what
cross-validation chose; loading refits those trees on those rows, which gives the same model, since the fit
is seeded and single-threaded. So a file holds numbers and names, never code (a pickled model would run
whatever a hostile file names), and anyone's file can be loaded. Loading checks the format tag, the
scikit-learn version the file was saved with and that its tree settings are among those offered here.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy import stats
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from naswot.errors import NaswotError
from naswot.graph_features import graph_feature_columns

FORMAT = "naswot-learned-ensemble/2"
"""Version 1 files were pickles: they are refused (refit and save again)."""
TREES = [
    {"max_depth": depth, "learning_rate": 0.05, "max_iter": rounds, "min_samples_leaf": 5}
    for depth, rounds in itertools.product((2, 3, 4), (100, 300, 600))
]
"""The tree settings cross-validation chooses among: shallow trees, as few hundred labels warrant, up to
depth 4 and 600 rounds, which a thousand labels carry (benchmarks/whole_space.py)."""
TARGETS = ("accuracy", "rank")
"""What the trees regress: the accuracy itself, or its rank among the labelled architectures. Accuracy
is skewed (a few networks that do not train sit at 10 %, most between 85 and 94 %), so squared
errors on it are dominated by the failures; its rank weighs every pair of architectures alike,
as Kendall tau does. Cross-validation picks one."""


def training_target(accuracies: np.ndarray, target: str) -> np.ndarray:
    return accuracies if target == "accuracy" else stats.rankdata(accuracies) / len(accuracies)


def feature_matrix(columns: Mapping[str, Sequence[float]], names: Sequence[str]) -> np.ndarray:
    """Architectures x scores, in ``names`` order, with undefined (-inf) scores as missing values."""
    missing = [name for name in names if name not in columns]
    if missing:
        raise NaswotError(f"the learned ensemble needs the score(s) {', '.join(missing)}: score them too")
    matrix = np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in names])
    matrix[np.isneginf(matrix)] = np.nan
    return matrix


@dataclass
class LearnedEnsemble:
    """A fitted model and the facts about its fit that every report of its results must carry."""

    score_names: tuple[str, ...]
    model: HistGradientBoostingRegressor
    labelled: int
    dataset: str
    seed: int
    folds: int
    cv_kendall_tau: float
    target: str
    settings: dict[str, Any]
    features: np.ndarray
    """The labelled architectures' scores the trees were fitted on (architectures x ``score_names``)."""
    accuracies: np.ndarray

    def predict(self, columns: Mapping[str, Sequence[float]]) -> np.ndarray:
        """Each architecture's predicted accuracy (or accuracy rank, per ``target``) from its scores: higher is better."""
        with threadpool_limits(1):
            return self.model.predict(feature_matrix(columns, self.score_names))

    def describe(self) -> str:
        return (f"learned ensemble of {', '.join(self.score_names)}: fitted on {self.labelled} labelled architectures "
                f"({self.dataset} accuracy {'ranks' if self.target == 'rank' else 'values'}), "
                f"{self.folds}-fold cross-validated Kendall tau {self.cv_kendall_tau:.3f}")

    def save(self, path: str | Path) -> None:
        """A JSON file from which ``load`` refits this ensemble (see the module docstring)."""
        content = {"format": FORMAT, "sklearn": sklearn.__version__, "score_names": list(self.score_names),
                   "labelled": self.labelled, "dataset": self.dataset, "seed": self.seed, "folds": self.folds,
                   "cv_kendall_tau": self.cv_kendall_tau, "target": self.target, "settings": self.settings,
                   "features": self.features.tolist(), "accuracies": self.accuracies.tolist()}
        try:
            Path(path).write_text(json.dumps(content))  # missing scores are NaN, which Python's json reads back
        except OSError as exc:
            raise NaswotError(f"cannot write {path} ({exc.strerror}): pass a writable path") from None

    @classmethod
    def load(cls, path: str | Path) -> LearnedEnsemble:
        fix = "pass a file saved by LearnedEnsemble.save"
        try:
            content = json.loads(Path(path).read_bytes())
        except OSError as exc:
            raise NaswotError(f"cannot read {path} ({exc.strerror}): {fix}") from None
        except ValueError:  # not JSON (UnicodeDecodeError included)
            content = None
        if not isinstance(content, dict) or content.get("format") != FORMAT:
            raise NaswotError(f"{path} is not a naswot learned-ensemble file (those before format 2 were pickles: "
                              f"refit and save again): {fix}")
        if content.get("sklearn") != sklearn.__version__:
            raise NaswotError(f"{path} was saved with scikit-learn {content.get('sklearn')}, this is {sklearn.__version__}: "
                              "refit the ensemble or install that version")
        try:
            return _refit(content)
        except (KeyError, TypeError, ValueError) as exc:
            raise NaswotError(f"{path} is a damaged learned-ensemble file ({exc}): {fix}") from None


def _refit(content: dict[str, Any]) -> LearnedEnsemble:
    """The ensemble a saved file describes, its trees fitted again on the rows it holds."""
    names = tuple(str(name) for name in content["score_names"])
    features = np.asarray(content["features"], dtype=np.float64).reshape(-1, len(names))
    accuracies = np.asarray(content["accuracies"], dtype=np.float64)
    target, settings, seed = content["target"], content["settings"], int(content["seed"])
    if len(accuracies) != len(features) or len(features) != content["labelled"]:
        raise ValueError(f"{len(features)} rows of scores and {len(accuracies)} accuracies for {content['labelled']} labelled")
    if target not in TARGETS or settings not in TREES:
        raise ValueError(f"target {target!r} with tree settings {settings!r} is not a fit this version makes")
    with threadpool_limits(1):
        model = _trees(seed, settings).fit(features, training_target(accuracies, target))
    return LearnedEnsemble(names, model, len(features), str(content["dataset"]), seed, int(content["folds"]),
                           float(content["cv_kendall_tau"]), target, dict(settings), features, accuracies)


def _trees(seed: int, settings: dict[str, Any]) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(random_state=seed, **settings)


def _kendall(predicted: np.ndarray, actual: np.ndarray) -> float:
    return float(stats.kendalltau(predicted, actual).statistic)


def fit_learned_ensemble(
    columns: Mapping[str, Sequence[float]],
    accuracies: Sequence[float],
    *,
    dataset: str,
    seed: int = 0,
    folds: int = 5,
) -> LearnedEnsemble:
    """Choose tree settings by ``folds``-fold cross-validation, then fit them on every labelled architecture."""
    names = tuple(columns)
    features = feature_matrix(columns, names)
    target = np.asarray(accuracies, dtype=np.float64)
    if len(target) != len(features):
        raise ValueError("every score and the accuracies must cover the same architectures")
    if len(target) < 2 * folds:
        raise NaswotError(f"{len(target)} labelled architectures are too few for {folds}-fold cross-validation: "
                          f"label at least {2 * folds}")
    splits = list(KFold(folds, shuffle=True, random_state=seed).split(features))
    with threadpool_limits(1):  # a few hundred rows: OpenMP threads only fight the scoring workers for the cores
        return _fit(features, target, names, splits, dataset, seed)


def _fit(features: np.ndarray, target: np.ndarray, names: tuple[str, ...], splits: list, dataset: str,
         seed: int) -> LearnedEnsemble:
    def cross_validated(kind: str, settings: dict[str, Any]) -> float:
        taus = []
        for train, held_out in splits:
            model = _trees(seed, settings)
            model.fit(features[train], training_target(target[train], kind))
            taus.append(_kendall(model.predict(features[held_out]), target[held_out]))
        return float(np.mean(taus))

    scored = [(cross_validated(kind, settings), kind, settings) for kind in TARGETS for settings in TREES]
    cv_tau, kind, best = max(scored, key=lambda entry: entry[0])
    model = _trees(seed, best).fit(features, training_target(target, kind))
    return LearnedEnsemble(names, model, len(target), dataset, seed, len(splits), cv_tau, kind, dict(best), features, target)


def with_graph_features(columns: Mapping[str, Sequence[float]], archs: Sequence[Any]) -> dict[str, Sequence[float]]:
    """``columns`` plus the cells' zero-cost graph features (``graph:*``), for the trees to use beside the scores.

    Graph features exist for NAS-Bench-201 and NAS-Bench-101 cells; for other architectures this is an error
    naming the fix (leave the graph features out).
    """
    return {**columns, **graph_feature_columns(archs)}
