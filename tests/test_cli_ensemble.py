"""`naswot correlate --ensemble/--learned`: the ensemble rows agree with the per-score columns it writes."""

from __future__ import annotations

import csv
import json

import numpy as np
from cli_runner import assert_one_line_error, naswot
from scipy import stats

from naswot.learned_ensemble import LearnedEnsemble


def test_correlate_ranks_by_rank_ensembles_of_the_named_scores(tmp_path, cifar10_root, nb201_csv):
    result = naswot("correlate", "--space", "nasbench201:C=4,N=1", "--score", "naswot,synflow,params",
                    "--ensemble", "rank_mean,rank_product", "--n", "12", "--batch-size", "8",
                    "--data-root", str(cifar10_root), "--benchmark", str(nb201_csv), "--store", ":memory:",
                    "--workers", "1", "--quiet", "--json", "out.json", "--csv", "out.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no accuracy labels used" in result.stdout
    summary = json.loads((tmp_path / "out.json").read_text())
    with open(tmp_path / "out.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    accuracy = [float(r["accuracy"]) for r in rows]
    ranks = np.stack([stats.rankdata([float(r[name]) for r in rows]) for name in ("naswot", "synflow", "params")])
    by_hand = {"rank_mean": ranks.mean(0), "rank_product": np.log(ranks / len(rows)).sum(0)}
    for method, values in by_hand.items():
        np.testing.assert_allclose([float(r[method]) for r in rows], values / (len(rows) if method == "rank_mean" else 1))
        assert summary["scores"][method]["kendall_tau"] == stats.kendalltau(values, accuracy).statistic
    assert summary["score"] == "naswot,synflow,params" and summary["kendall_tau"] == summary["scores"]["naswot"]["kendall_tau"]


def test_correlate_fits_a_learned_ensemble_on_the_first_k_and_judges_it_on_the_rest(tmp_path, cifar10_root, nb201_csv):
    result = naswot("correlate", "--space", "nasbench201:C=4,N=1", "--score", "naswot,params", "--learned", "12",
                    "--save-ensemble", "learned.pkl", "--n", "24", "--batch-size", "8", "--data-root", str(cifar10_root),
                    "--benchmark", str(nb201_csv), "--store", ":memory:", "--workers", "1", "--quiet",
                    "--json", "out.json", "--csv", "out.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "fitted on 12 labelled architectures" in result.stdout
    row = json.loads((tmp_path / "out.json").read_text())["scores"]["learned(12)"]
    assert row["labelled"] == 12 and row["n"] == 12
    with open(tmp_path / "out.csv", newline="") as handle:
        unseen = list(csv.DictReader(handle))[12:]
    reloaded = LearnedEnsemble.load(tmp_path / "learned.pkl")
    predicted = reloaded.predict({name: [float(r[name]) for r in unseen] for name in ("naswot", "params")})
    assert row["kendall_tau"] == stats.kendalltau(predicted, [float(r["accuracy"]) for r in unseen]).statistic


def test_correlate_refuses_a_learned_ensemble_with_too_few_architectures_left(tmp_path):
    result = naswot("correlate", "--learned", "15", "--n", "20", "--data", "synthetic", "--benchmark", "x.csv",
                    "--store", ":memory:", cwd=tmp_path)
    assert_one_line_error(result, "--learned 15", "use 10 to 10")
