"""Resource budgets and the accuracy/cost trade-off: only networks within the budget are evaluated, rejected
draws are counted, and the Pareto front is exactly the non-dominated set."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from cli_runner import assert_one_line_error, naswot

from naswot.compute import Compute
from naswot.errors import NaswotError
from naswot.search import get_strategy
from naswot.search.budget import Budget
from naswot.search.pareto import ParetoPoint, non_dominated
from naswot.search.stored import search_with_store
from naswot.spaces import get_space
from naswot.spaces.nasbench201 import conv_parameter_count
from naswot.store import Store

SERIAL = Compute(workers=1, show_progress=False)
SPACE = "nasbench201:C=4,N=1"
LIMIT = 8_366  # parameters: the median of the C=4, N=1 cells


def parameters(cell) -> int:
    return conv_parameter_count(cell, C=4, N=1)


@pytest.mark.parametrize("strategy", ["random", "evolve"])
def test_only_networks_within_the_budget_are_evaluated_and_the_rest_counted(strategy, cifar_batch):
    space = get_space(SPACE)
    budget = Budget(max_params=LIMIT / 1e6)
    run = search_with_store(space, get_strategy(strategy)(), cifar_batch, n=20, seed=1, store=Store(), compute=SERIAL,
                            budget=budget)
    assert len(run.history) == 20 and all(parameters(e.arch) <= LIMIT for e in run.history)
    assert run.rejected > 0 and all(parameters(space.parse(t)) > LIMIT for t, c in run.costs.items()
                                    if c["params"] > LIMIT)
    refused = sum(1 for costs in run.costs.values() if costs["params"] > LIMIT)
    assert refused <= run.rejected  # each refused network counted at least once (a child may be bred twice)
    assert {float(parameters(space.parse(t))) for t in run.costs} == {c["params"] for c in run.costs.values()}
    if strategy == "random":  # draws until 20 feasible: the first 20 feasible cells of the seeded order
        draws = run.history[0].arch, run.history[-1].arch
        assert draws[0] != draws[1] and run.rejected == refused


def test_a_budget_that_admits_nothing_ends_in_one_line(cifar_batch):
    refusal = r"no architecture within the budget \(max_params=1e-06\) among the [\d,]+ drawn: raise it"
    with pytest.raises(NaswotError, match=refusal):
        search_with_store(get_space(SPACE), get_strategy("random")(), cifar_batch, n=5, store=Store(),
                          compute=SERIAL, budget=Budget(max_params=1e-6))


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "0.4"])
def test_limits_that_are_not_positive_numbers_are_refused(bad):
    with pytest.raises(NaswotError, match="max_flops=.* is not a positive number: give the limit in M multiply"):
        Budget(max_flops=bad)


def test_the_front_is_the_non_dominated_set():
    points = [ParetoPoint(str(i), score, cost, None) for i, (score, cost) in
              enumerate([(1.0, 5.0), (2.0, 5.0), (0.5, 1.0), (3.0, 9.0), (2.5, 9.5), (0.4, 2.0), (3.0, 8.0)])]
    assert [p.arch for p in non_dominated(points)] == ["2", "1", "6"]
    rng = np.random.default_rng(0)
    random = [ParetoPoint(str(i), float(s), float(c), None) for i, (s, c) in enumerate(rng.random((200, 2)))]
    front = non_dominated(random)
    for point in random:  # a point is on the front exactly when nothing dominates it
        dominated = any(o.score >= point.score and o.cost <= point.cost and (o.score, o.cost) != (point.score, point.cost)
                        for o in random)
        assert (point in front) == (not dominated)


def test_a_search_reports_its_front_on_params_in_its_json(cifar_batch):
    run = search_with_store(get_space(SPACE), get_strategy("random")(), cifar_batch, n=30, seed=2, store=Store(),
                            compute=SERIAL, pareto="params")
    scores = {str(e.arch): f for e, f in run.ranked() if f is not None and np.isfinite(f)}
    assert run.pareto is not None and run.pareto.considered == len(scores) >= 25
    for point in run.pareto.points:
        assert point.cost == parameters(get_space(SPACE).parse(point.arch)) and point.score == scores[point.arch]
        assert not any(s > point.score and parameters(get_space(SPACE).parse(a)) <= point.cost
                       for a, s in scores.items())
    payload = json.loads(json.dumps(run.to_json()))
    assert payload["pareto"]["cost"] == "params" and len(payload["pareto"]["points"]) == len(run.pareto.points)


def test_latency_is_measured_once_per_network_and_machine(cifar_batch):
    store, space = Store(), get_space(SPACE)
    budget = Budget(max_latency=1000.0)
    first = search_with_store(space, get_strategy("random")(), cifar_batch, n=4, seed=0, store=store, compute=SERIAL,
                              budget=budget)
    again = search_with_store(space, get_strategy("random")(), cifar_batch, n=4, seed=0, store=store, compute=SERIAL,
                              budget=budget)
    assert first.costs == again.costs and all(0 < c["latency"] < 1000 for c in first.costs.values())
    assert again.computed == 0
    latency_rows = [row for row in store.rows() if row.score == "latency"]
    assert len(latency_rows) == 4 and all('"machine":' in row.settings for row in latency_rows)


def test_the_cli_searches_within_a_budget_and_prints_writes_and_lists_the_front(cifar10_root, nb201_csv, nb201_params_csv,
                                                                                 tmp_path):
    result = naswot("search", "--space", "nasbench201", "--n", "12", "--seed", "3", "--data-root", str(cifar10_root),
                    "--batch-size", "16", "--max-params", "0.4", "--pareto", "params", "--workers", "2",
                    "--benchmark", str(nb201_csv), "--store", "s.db", "--json", "run.json", "--csv", "run.csv",
                    cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "run.json").read_text())
    assert document["run"]["evaluations"] == 12 and document["budget"]["max_params"] == 0.4
    official = {row["ArchitectureString"]: float(row["ParamsMillions"]) for row in csv.DictReader(nb201_params_csv.open())}
    measured = {row["arch"]: float(row["params"]) for row in csv.DictReader((tmp_path / "run.csv").open())}
    assert len(measured) == 12 and all(value <= 4e5 for value in measured.values())
    assert all(abs(official[arch] - value / 1e6) < 1e-3 for arch, value in measured.items())  # the table's M counts
    assert f"{document['rejected']:,} drawn networks were over it" in result.stdout
    front = document["pareto"]["points"]
    scores = {row["arch"]: float(row["naswot"]) for row in csv.DictReader((tmp_path / "run.csv").open())}
    assert {row["arch"] for row in csv.DictReader((tmp_path / "run.csv").open()) if row["pareto"] == "True"} == \
        {point["arch"] for point in front}
    assert max(scores.values()) == front[-1]["score"] and "non-dominated of 12 evaluated" in result.stdout
    assert document["pick"]["params"] == measured[document["pick"]["arch"]]


@pytest.mark.parametrize("flag, value", [("--max-params", "0"), ("--max-flops", "nan"), ("--max-latency", "-2")])
def test_the_cli_refuses_a_limit_that_is_not_a_positive_number(flag, value, tmp_path):
    assert_one_line_error(naswot("search", flag, value, "--data", "synthetic", cwd=tmp_path), flag, "positive")
