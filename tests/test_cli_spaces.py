"""The command line on every new space: search runs, correlate draws from a partial table, errors are one line."""

from __future__ import annotations

import csv
import json
import sys

import numpy as np
import pytest

from naswot.cli import main
from naswot.spaces import get_space
from naswot.tables import load_table

ZOO_FAMILY = '''
from torch import nn

def tiny(width=4, num_classes=10):
    return nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(width, num_classes))
'''


def run(args: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run ``naswot ARGS`` in this process; (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["naswot", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


FAST = ["--data", "synthetic", "--batch-size", "8", "--workers", "1", "--store", ":memory:", "--quiet"]


@pytest.mark.parametrize("space", [
    "natsbench_sss",
    "nasbench101:stem=4,cells=1",
    "nds:space=NASNet,widths=4,depths=3",
    "zoo:family=tiny_family:tiny,width=2|4|8",
])
def test_search_runs_on_every_space(space, tmp_path, capsys, monkeypatch):
    (tmp_path / "tiny_family.py").write_text(ZOO_FAMILY)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["search", "--space", space, "--n", "3", "--json", "out.json", *FAST], capsys, monkeypatch)
    assert code == 0, err
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["scored"] == 3 and result["complete"]
    parsed = get_space(space).parse(result["best_arch"])
    assert str(parsed) == result["best_arch"] and np.isfinite(result["best_score"])


def test_correlate_draws_from_a_partial_table(nb101_json, tmp_path, capsys, monkeypatch):
    """The 1,000-cell sample covers a sliver of NAS-Bench-101, so the cells are drawn from it, not the space."""
    args = ["correlate", "--space", "nasbench101:stem=4,cells=1", "--benchmark", str(nb101_json), "--n", "6",
            "--csv", str(tmp_path / "c.csv"), "--json", str(tmp_path / "c.json"), "--score", "naswot,params", *FAST]
    code, out, err = run(args, capsys, monkeypatch)
    assert code == 0, err
    result = json.loads((tmp_path / "c.json").read_text())
    assert result["n"] == 6 and result["dataset"] == "cifar10-valid"
    table = load_table("nasbench101", nb101_json)
    held = {str(c) for c in table.archs()}
    rows = list(csv.DictReader((tmp_path / "c.csv").open()))
    assert len(rows) == 6 and all(row["arch"] in held for row in rows)
    space = get_space("nasbench101")
    for row in rows:
        assert float(row["accuracy"]) == pytest.approx(table.lookup(space.parse(row["arch"]), "cifar10-valid"))


def test_a_table_of_another_nds_space_is_refused_in_one_line(tmp_path, capsys, monkeypatch):
    sampler, rng = get_space("nds:space=NASNet"), np.random.default_rng(0)
    entries = [{"net": json.loads(str(sampler.sample(rng))), "test_ep_top1": [20.0]} for _ in range(3)]
    (tmp_path / "NASNet.json").write_text(json.dumps(entries))
    args = ["correlate", "--space", "nds:space=DARTS", "--benchmark", str(tmp_path / "NASNet.json"), "--n", "3", *FAST]
    code, out, err = run(args, capsys, monkeypatch)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "NDS DARTS space" in err


def test_list_spaces_shows_every_space(capsys, monkeypatch):
    code, out, _ = run(["list", "spaces"], capsys, monkeypatch)
    assert code == 0
    rows = {cells[0]: cells[1:] for line in out.splitlines()
            if len(cells := [cell.strip() for cell in line.split("│")[1:-1]]) == 4}
    assert rows["nasbench101"][0] == "423,624" and rows["natsbench_sss"][0] == "32,768"
    assert rows["nasbench201"][0] == "15,625" and rows["nds"][0].startswith("over 9.2e+18")
