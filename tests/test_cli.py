"""The command line on bad input (one line, no traceback) and on an interrupted run (resumes exactly)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cli_runner import assert_one_line_error, naswot

CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def test_missing_data_file(tmp_path):
    result = naswot("score", CELL, "--data-root", str(tmp_path), "--store", ":memory:", cwd=tmp_path)
    assert_one_line_error(result, "data_batch_1 is missing", "--data-root")


def test_truncated_pickle(tmp_path, cifar10_root):
    (tmp_path / "data_batch_1").write_bytes((cifar10_root / "data_batch_1").read_bytes()[:100_000])
    result = naswot("score", CELL, "--data-root", str(tmp_path), "--store", ":memory:", cwd=tmp_path)
    assert_one_line_error(result, "data_batch_1 is truncated", "--data-root")


def test_unknown_op(tmp_path):
    result = naswot("score", CELL.replace("avg_pool_3x3", "max_pool_3x3"), "--data", "synthetic", cwd=tmp_path)
    assert_one_line_error(result, "unknown op 'max_pool_3x3'", "use one of")


def test_unknown_score(tmp_path):
    result = naswot("search", "--score", "nawsot", "--data", "synthetic", cwd=tmp_path)
    assert_one_line_error(result, "unknown score 'nawsot'", "naswot list scores")


def test_batch_size_of_one(tmp_path, cifar10_root):
    result = naswot("score", CELL, "--data-root", str(cifar10_root), "--batch-size", "1", cwd=tmp_path)
    assert_one_line_error(result, "batch size 1", "--batch-size 2 or more")


def test_unreadable_store_and_benchmark(tmp_path):
    (tmp_path / "junk.db").write_text("not a database " * 100)
    result = naswot("score", CELL, "--data", "synthetic", "--store", str(tmp_path / "junk.db"), cwd=tmp_path)
    assert_one_line_error(result, "junk.db", "--store")
    result = naswot("search", "--data", "synthetic", "--benchmark", str(tmp_path / "none.csv"), cwd=tmp_path)
    assert_one_line_error(result, "none.csv is missing", "--benchmark")


def stored_rows(db: Path) -> int:
    try:
        with sqlite3.connect(db) as connection:
            return connection.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_killed_correlate_resumes_without_recomputing(tmp_path, cifar10_root, nb201_csv):
    n = 60
    args = ["correlate", "--space", "nasbench201:C=8,N=1", "--score", "naswot", "--n", str(n), "--seed", "0",
            "--data", "cifar10", "--data-root", str(cifar10_root), "--split", "train", "--batch-size", "16",
            "--benchmark", str(nb201_csv), "--dataset", "cifar10", "--workers", "2", "--quiet"]
    killed_db = tmp_path / "killed.db"
    process = subprocess.Popen([sys.executable, "-m", "naswot", *args, "--store", str(killed_db)], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while stored_rows(killed_db) < 10 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = stored_rows(killed_db)
    assert 10 <= before < n, "the run must be killed part-way"

    resumed = naswot(*args, "--store", str(killed_db), "--json", "resumed.json", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    fresh = naswot(*args, "--store", str(tmp_path / "fresh.db"), "--json", "fresh.json", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    resumed_json = json.loads((tmp_path / "resumed.json").read_text())
    fresh_json = json.loads((tmp_path / "fresh.json").read_text())
    assert resumed_json["reused"] == before and resumed_json["computed"] == n - before
    assert fresh_json["computed"] == n and stored_rows(killed_db) == n
    assert resumed_json["n"] == fresh_json["n"] == n
    for key in ("kendall_tau", "spearman_rho"):
        assert resumed_json["scores"]["naswot"][key] == fresh_json["scores"]["naswot"][key]
    with sqlite3.connect(killed_db) as a, sqlite3.connect(tmp_path / "fresh.db") as b:
        query = "SELECT arch, value FROM results ORDER BY arch"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
    assert (tmp_path / "resumed.png").stat().st_size > 10_000


def test_search_prints_the_best_and_writes_json(tmp_path, cifar10_root, nb201_csv):
    result = naswot("search", "--space", "nasbench201:C=8,N=1", "--n", "12", "--data-root", str(cifar10_root),
                    "--batch-size", "16", "--benchmark", str(nb201_csv), "--json", "s.json", "--csv", "s.csv",
                    "--workers", "1", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    rows = (tmp_path / "s.csv").read_text().splitlines()
    assert len(rows) == 13 and rows[1].split(",")[0] == summary["best_arch"]
    assert summary["best_score"] == max(float(r.split(",")[1]) for r in rows[1:])
    assert summary["best_arch"] in result.stdout and 0 < summary["accuracy"] < 100
    accuracies = [float(r.split(",")[2]) for r in rows[1:]]
    assert summary["sample_best_accuracy"] == max(accuracies) and summary["accuracy"] == accuracies[0]
