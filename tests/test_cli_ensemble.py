"""`naswot correlate --ensemble`: the ensemble rows agree with the per-score columns it writes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import stats


def naswot(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "naswot", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


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
