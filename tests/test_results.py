"""`naswot results`: a store's real scores listed by run key, filtered and exported exactly as computed."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
import torch
from cli_runner import naswot

from naswot.compute import Compute
from naswot.data import load_batch
from naswot.errors import NaswotError
from naswot.executor import score_architectures
from naswot.results import list_results
from naswot.search import sample_distinct
from naswot.spaces import get_space
from naswot.store import Store

SPACE = "nasbench201:C=8,N=1"
EMPTY_CELL = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"  # output is all zeros: naswot's kernel is singular


@pytest.fixture(scope="module")
def scored_store(tmp_path_factory, cifar10_root):
    """Two runs in one store: naswot and jacov on seed 0's batch, naswot on seed 1's; one cell undefined."""
    path = tmp_path_factory.mktemp("results") / "scores.db"
    space = get_space(SPACE)
    archs = sample_distinct(space, 6, np.random.default_rng(0)) + [space.parse(EMPTY_CELL)]
    runs = {}
    with Store(path) as store:
        for seed, names in ((0, ["naswot", "jacov"]), (1, ["naswot"])):
            batch = load_batch("cifar10", cifar10_root, batch_size=16, seed=seed)
            table = score_architectures(space, archs, names, batch, seed=seed, store=store,
                                        compute=Compute(workers=1, show_progress=False))
            runs |= {(name, seed): (batch.fingerprint, table.results[name]) for name in names}
    return path, runs


def test_groups_hold_exactly_what_scoring_returned(scored_store):
    path, runs = scored_store
    listing = list_results(path)
    assert {(g.score, g.seed) for g in listing.groups} == set(runs) and listing.stored == 21
    for group in listing.groups:
        fingerprint, computed = runs[(group.score, group.seed)]
        assert group.data == fingerprint and group.space == SPACE
        assert group.settings["code"] == get_space(SPACE).code_version() and group.settings["torch"] == torch.__version__
        assert {r.arch: (r.value, r.reason) for r in group.results} == {a: (v.value, v.reason) for a, v in computed.items()}
        values = [r.value for r in group.results]
        assert values == sorted(values, reverse=True)  # best first, -inf last
    naswot_0 = next(g for g in listing.groups if (g.score, g.seed) == ("naswot", 0))
    assert naswot_0.results[-1].arch == EMPTY_CELL and naswot_0.results[-1].value == -math.inf
    assert naswot_0.undefined == 1 and "singular" in next(iter(naswot_0.reasons))


def test_filters_and_top(scored_store):
    path, runs = scored_store
    top = list_results(path, space="nasbench201", score="naswot", top=2)
    assert [(g.score, g.seed, g.count, len(g.results)) for g in top.groups] == [("naswot", 0, 7, 2), ("naswot", 1, 7, 2)]
    best = max(v.value for v in runs[("naswot", 1)][1].values())
    assert top.groups[1].results[0].value == best
    with pytest.raises(NaswotError, match=f"no results for space=nasbench20 in .*holds spaces {SPACE.replace('=', '.')}"):
        list_results(path, space="nasbench20")  # a prefix of a name is not the name
    with pytest.raises(NaswotError, match="top=0 keeps nothing"):
        list_results(path, top=0)


def test_cli_exports_every_value_and_reason(scored_store, tmp_path):
    path, runs = scored_store
    result = naswot("results", "--store", str(path), "--score", "naswot", "--csv", "out.csv", "--json", "out.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote out.csv" in result.stdout and "wrote out.json" in result.stdout and EMPTY_CELL in result.stdout
    with open(tmp_path / "out.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 14
    for row in rows:
        stored = runs[(row["score"], int(row["seed"]))][1][row["arch"]]
        assert float(row["value"]) == stored.value and row["reason"] == (stored.reason or "")
    groups = json.loads((tmp_path / "out.json").read_text())["groups"]
    undefined = [r for g in groups for r in g["results"] if r["value"] is None]
    assert [r["arch"] for r in undefined] == [EMPTY_CELL, EMPTY_CELL] and all("singular" in r["reason"] for r in undefined)


def test_a_missing_store_is_refused_and_not_created(tmp_path):
    with pytest.raises(NaswotError, match="no store at .*nothing.db: pass store= the file"):
        list_results(tmp_path / "nothing.db")
    assert not (tmp_path / "nothing.db").exists()


def test_a_benchmark_adds_each_results_trained_accuracy(scored_store, nb201_csv, tmp_path):
    path, runs = scored_store
    result = naswot("results", "--store", str(path), "--score", "jacov", "--benchmark", str(nb201_csv),
                    "--dataset", "cifar100", "--csv", "listed.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    official = {row["ArchitectureString"]: float(row["CIFAR100TestAccuracy200Epochs"])
                for row in csv.DictReader(nb201_csv.open())}
    rows = list(csv.DictReader((tmp_path / "listed.csv").open()))
    assert len(rows) == 7 and all(float(row["accuracy"]) == official[row["arch"]] for row in rows)
    assert "cifar100 acc" in result.stdout
    with pytest.raises(NaswotError, match="benchmark= is one space's table but the listing holds nasbench101, nasbench201"):
        mixed = tmp_path / "mixed.db"
        with Store(mixed) as store:
            batch = load_batch("synthetic", batch_size=4, seed=0)
            for name in ("nasbench201:C=8,N=1", "nasbench101:stem=16,stacks=1,cells=1"):
                space = get_space(name)
                score_architectures(space, sample_distinct(space, 1, np.random.default_rng(0)), ["params"], batch,
                                    store=store, compute=Compute(workers=1, show_progress=False))
        list_results(mixed, benchmark=nb201_csv)
