"""The command line refuses nonsense options in one line before any work, and says what it changed or reused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import assert_one_line_error, naswot
from conftest import shared

FAST = ["--data", "synthetic", "--batch-size", "4", "--quiet"]
TINY_FAMILY = '''
from torch import nn

def tiny(width=4, num_classes=10):
    return nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(width, num_classes))
'''


@pytest.mark.parametrize("option, needles", [
    (["--top", "-2"], ["--top -2", "--top 1 or more"]),
    (["--workers", "0"], ["--workers 0", "--workers 1 or more"]),
    (["--workers", "-1"], ["--workers -1", "--workers 1 or more"]),
    (["--budget", "0"], ["--budget 0", "leave --budget out"]),
    (["--budget", "-1"], ["--budget -1", "leave --budget out"]),
    (["--json", "missing/out.json"], ["--json missing/out.json", "folder missing does not exist"]),
    (["--csv", "missing/out.csv"], ["--csv missing/out.csv", "folder missing does not exist"]),
])
def test_nonsense_options_are_refused_in_one_line_before_any_work(tmp_path, option, needles):
    result = naswot("search", *option, *FAST, "--store", "run.db", cwd=tmp_path)
    assert_one_line_error(result, *needles)
    assert not (tmp_path / "run.db").exists()  # refused while reading the options: no store opened, nothing scored


def test_n_beyond_the_space_is_capped_with_a_note(tmp_path):
    (tmp_path / "tinyfam.py").write_text(TINY_FAMILY)
    result = naswot("search", "--space", "zoo:family=tinyfam:tiny,width=2|4", "--n", "5", "--score", "params",
                    *FAST, "--workers", "1", "--store", ":memory:", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--n 5 capped to 2" in result.stdout and "holds only 2 architectures" in result.stdout
    assert "random: best 2 of 2 architectures" in result.stdout


def test_a_search_over_a_partial_table_draws_only_cells_it_holds(tmp_path):
    """A random NAS-Bench-101 cell is almost never among the 1,000 of the table: the search samples the table's cells."""
    table = shared("nasbench101_sample_1k.json")
    result = naswot("search", "--space", "nasbench101:stem=8,stacks=1,cells=1", "--n", "3", "--score", "params",
                    "--benchmark", str(table), *FAST, "--workers", "1", "--store", ":memory:", "--json", "s.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stdout
    top = json.loads((tmp_path / "s.json").read_text())["top"]
    assert len(top) == 3 and all(row["accuracy"] is not None for row in top)


def test_a_rerun_from_the_store_says_so(tmp_path: Path):
    args = ["search", "--space", "nasbench201:C=2,N=1", "--n", "3", "--score", "params", *FAST, "--workers", "1",
            "--store", "run.db"]
    first = naswot(*args, cwd=tmp_path)
    again = naswot(*args, cwd=tmp_path)
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert "from the store" not in first.stdout and " s)" in first.stdout
    assert "random: best 3 of 3 architectures (all 3 from the store)" in again.stdout
