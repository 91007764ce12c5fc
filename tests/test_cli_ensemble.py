"""`naswot correlate --ensemble/--learned`: the ensemble rows agree with the per-score columns it writes."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest
from cli_runner import assert_one_line_error, naswot
from scipy import stats

from naswot.errors import NaswotError
from naswot.learned_ensemble import LearnedEnsemble, with_graph_features
from naswot.scores.expressions import parse_score_list
from naswot.spaces.nasbench201 import NasBench201Space


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
        name = f"{method}(naswot,synflow,params)"
        np.testing.assert_allclose([float(r[name]) for r in rows], values / (len(rows) if method == "rank_mean" else 1))
        assert summary["scores"][name]["kendall_tau"] == stats.kendalltau(values, accuracy).statistic
    assert list(summary["scores"])[:3] == ["naswot", "synflow", "params"]


def test_composite_score_names_equal_the_ensemble_flag(tmp_path, cifar10_root, nb201_csv):
    """`--score "rank_product(a,b)"` is the same ranking as `--score a,b --ensemble rank_product`."""
    common = ("--space", "nasbench201:C=4,N=1", "--n", "12", "--batch-size", "8", "--data-root", str(cifar10_root),
              "--benchmark", str(nb201_csv), "--workers", "1", "--quiet", "--store", str(tmp_path / "s.db"))
    flag = naswot("correlate", *common, "--score", "naswot,synflow", "--ensemble", "rank_product", "--json", "a.json",
                  cwd=tmp_path)
    named = naswot("correlate", *common, "--score", "rank_product( naswot, synflow )", "--json", "b.json", cwd=tmp_path)
    assert flag.returncode == 0 and named.returncode == 0, flag.stderr + named.stderr
    a, b = (json.loads((tmp_path / f).read_text())["scores"] for f in ("a.json", "b.json"))
    assert a["rank_product(naswot,synflow)"] == b["rank_product(naswot,synflow)"]
    assert json.loads((tmp_path / "b.json").read_text())["reused"] == 24  # both members came from the store


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
    assert any(name.startswith("graph:") for name in reloaded.score_names)  # NAS-Bench-201 cells bring their graph features
    cells = [NasBench201Space().parse(r["arch"]) for r in unseen]
    predicted = reloaded.predict(with_graph_features({name: [float(r[name]) for r in unseen] for name in ("naswot", "params")},
                                                     cells))
    assert row["kendall_tau"] == stats.kendalltau(predicted, [float(r["accuracy"]) for r in unseen]).statistic


def test_correlate_refuses_a_learned_ensemble_with_too_few_architectures_left(tmp_path):
    result = naswot("correlate", "--learned", "15", "--n", "20", "--data", "synthetic", "--benchmark", "x.csv",
                    "--store", ":memory:", cwd=tmp_path)
    assert_one_line_error(result, "--learned 15", "use --learned 10 to 10")


@pytest.mark.parametrize("text, needle", [
    ("rank_product(naswot)", "fewer than two"), ("rank_max(naswot,params)", "unknown combination"),
    ("rank_mean(naswot,rank_product(params,flops))", "do not nest"), ("rank_mean(naswot,nosuch)", "unknown score 'nosuch'"),
    ("rank_mean(naswot,zero_label)", "do not nest"), ("naswot)", "without '('"),
])
def test_badly_formed_combinations_name_the_problem(text, needle):
    with pytest.raises(NaswotError, match=re.escape(needle)):
        parse_score_list(text)


def test_a_badly_formed_combination_ends_the_command_in_one_line(tmp_path):
    result = naswot("correlate", "--score", "naswot,rank_mean(naswot,rank_product(params,flops))", "--data", "synthetic",
                    "--store", ":memory:", cwd=tmp_path)
    assert_one_line_error(result, "do not nest")
