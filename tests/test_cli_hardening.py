"""The command line refuses nonsense options in one line before any work, and says what it changed or reused."""

from __future__ import annotations

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
    assert "best 2 of 2 by params" in result.stdout


def test_a_table_missing_sampled_cells_is_warned_about(tmp_path):
    table = shared("nasbench101_sample_1k.json")
    result = naswot("search", "--space", "nasbench101:stem=8,stacks=1,cells=1", "--n", "3", "--score", "params",
                    "--benchmark", str(table), *FAST, "--workers", "1", "--store", ":memory:", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no cifar10-valid accuracy for 3 of the 3 scored architectures" in result.stdout


def test_a_rerun_from_the_store_says_so(tmp_path: Path):
    args = ["search", "--space", "nasbench201:C=2,N=1", "--n", "3", "--score", "params", *FAST, "--workers", "1",
            "--store", "run.db"]
    first = naswot(*args, cwd=tmp_path)
    again = naswot(*args, cwd=tmp_path)
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert "from the store" not in first.stdout and " s)" in first.stdout
    assert "best 3 of 3 by params (all 3 from the store)" in again.stdout
