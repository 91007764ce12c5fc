"""The practitioner's path measured: a parameter budget, and latency as a cost (your own images: own_data.py).

- ``budget``: NAS-Bench-201 CIFAR-10 under ``max_params=0.4`` (9,621 of 15,625 cells qualify). From a
  scored pool (the whole space by default, as ``naswot sweep --dedupe`` stores it; ``--pool K``: a seeded
  sample of K cells), ``--runs`` seeded searches: random sampling of N=100 within the budget, and evolve
  with the zero-label fitness at random N=100's compute. Compute is counted in naswot evaluations, not
  seconds, so load cannot tilt it: each score costs its median stored time over the pool divided by
  naswot's (one naswot evaluation is about one forward pass, benchmarks/results/speed.json), the same for
  every network. Target: evolve >= 93.0 mean. Beside it, the ceiling of the fitness itself: the accuracy of
  the feasible cell each rank product of up to four swept scores ranks first among all feasible cells
  (no search can pick better than its fitness's own first choice, except by luck of a poorly ranked draw).
- ``latency``: the measured latency ranks 100 cells as their FLOPs do (target Spearman >= 0.8) and
  repeats within 10% between two runs (a timing: run it on a quiet machine; the load is recorded). Beside
  it, the machine's own drift: one built network's latency, measured ``DRIFT_BURSTS`` times back to back
  with nothing changed, so a repeat figure can be read against what the machine itself varies.

    python -m benchmarks.practitioner [--part budget|latency|all] [--pool 0] [--runs 100]
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import numpy as np
from scipy import stats

from benchmarks.common import (
    CEILING_SCORES,
    SEED,
    SHARED,
    cifar10_batch,
    fitness_ceiling,
    nasbench201_sample,
    nasbench201_table,
    per_evaluation_costs,
    store,
    stored_scores,
    write_json,
)
from naswot.compute import Compute
from naswot.executor import score_architectures
from naswot.score_result import ScoreResult
from naswot.scores.expressions import member_scores, parse_score_list
from naswot.searching import LookupEvaluator, SearchProblem, get_strategy
from naswot.searching.budget import Budget
from naswot.searching.repeat import repeat_search
from naswot.spaces.nasbench201 import NasBench201Space

MAX_PARAMS = 0.4
TARGET_EVOLVE = 93.0
TARGET_LATENCY_SPEARMAN = 0.8
TARGET_REPEAT = 0.10
DRIFT_BURSTS = 40


def budget_part(pool: int, runs: int, workers: int) -> dict[str, Any]:
    fitness = parse_score_list("zero_label")[0]
    members = sorted(set(member_scores([fitness])) | set(CEILING_SCORES))
    if pool:
        space, archs = nasbench201_sample(pool)
    else:
        space = NasBench201Space()
        archs = list(space)
    table = nasbench201_table()
    batch = cifar10_batch(128)
    with store() as results:
        if pool:
            held = score_architectures(space, archs, members, batch, seed=SEED, store=results,
                                       compute=Compute(workers, show_progress=True)).results
        else:
            held = stored_scores(results, space, batch, SEED, members)
            short = {name: len(found) for name, found in held.items() if len(found) < len(archs)}
            if short:
                raise SystemExit(f"the store holds only {short} of the {len(archs):,} cells: run "
                                 f"`naswot sweep --dedupe --score {','.join(members)}` into {results.path} first")
    official = _official_params()
    lookup, costs = per_evaluation_costs(held, unit="naswot")
    lookup["params"] = {str(a): ScoreResult(official[str(a)] * 1e6, 0.0) for a in archs}
    budget = Budget(max_params=MAX_PARAMS)
    problem = SearchProblem(space, LookupEvaluator(lookup), table, "cifar10", candidates=archs if pool else None,
                            budget=budget)
    feasible = [a for a in archs if official[str(a)] <= MAX_PARAMS]
    accuracies = [table.lookup(a, "cifar10") for a in feasible]
    ceiling = fitness_ceiling({name: [held[name][str(a)].value for a in feasible] for name in CEILING_SCORES},
                              accuracies)
    random = repeat_search(problem, get_strategy("random")(), runs, n=100, label="random N=100 (naswot)")
    compute_budget = random.summary()["search_seconds"]
    random_zero = repeat_search(problem, get_strategy("random")(fitness=fitness), runs, n=100,
                                label="random N=100 (zero_label)")
    evolve = repeat_search(problem, get_strategy("evolve")(fitness=fitness), runs, budget_seconds=compute_budget,
                           label="evolve (zero_label) at random N=100's compute")
    return {"pool": pool or len(archs), "cost_in_naswot_evaluations": costs,
            "feasible_in_pool": len(feasible), "max_params": MAX_PARAMS, "runs": runs,
            "pool_best_within_budget": max(accuracies), "pool_mean_within_budget": float(np.mean(accuracies)),
            "space_best_within_budget": 93.60, "space_mean_within_budget": 84.45,
            "random naswot N=100": random.summary(), "random zero_label N=100": random_zero.summary(),
            "evolve zero_label": {**evolve.summary(), "target": TARGET_EVOLVE},
            "fitness_ceiling": ceiling,
            "rejected_per_run": {"random": float(np.mean([r.rejected for r in random.runs])),
                                 "evolve": float(np.mean([r.rejected for r in evolve.runs]))}}


def _official_params() -> dict[str, float]:
    import csv

    with open(SHARED / "nasbench201_params.csv") as handle:
        return {row["ArchitectureString"]: float(row["ParamsMillions"]) for row in csv.DictReader(handle)}


def latency_part(cells: int) -> dict[str, Any]:
    space, archs = nasbench201_sample(cells)
    batch = cifar10_batch(16)
    serial = Compute(1, show_progress=False)
    flops = score_architectures(space, archs, ["flops"], batch, seed=SEED, compute=serial).values("flops", archs)
    reference = []  # the same network timed before each run: how much the machine itself changed speed
    runs = []
    for _ in range(2):
        reference.append(score_architectures(space, archs[:1], ["latency"], batch, seed=SEED,
                                             compute=serial).values("latency", archs[:1])[0])
        runs.append(score_architectures(space, archs, ["latency"], batch, seed=SEED,
                                        compute=serial).values("latency", archs))
    change = np.abs(np.subtract(runs[1], runs[0])) / np.asarray(runs[0])
    return {"cells": cells, "spearman_latency_flops": float(stats.spearmanr(runs[0], flops).statistic),
            "target_spearman": TARGET_LATENCY_SPEARMAN, "median_relative_change": float(np.median(change)),
            "share_within_10_percent": float(np.mean(change <= TARGET_REPEAT)),
            "median_latency_ms": float(np.median(runs[0])),
            "median_ratio_second_over_first": float(np.median(np.divide(runs[1], runs[0]))),
            "reference_ratio_second_over_first": reference[1] / reference[0],
            "machine_drift": machine_drift(space, archs[0], batch)}


def machine_drift(space: NasBench201Space, cell: Any, batch: Any) -> dict[str, float]:
    """One network built once and timed ``DRIFT_BURSTS`` times as the latency score times it, back to back."""
    import torch

    from naswot.scores.latency import latency
    from naswot.threads import one_torch_thread

    with one_torch_thread(), torch.no_grad():
        net = space.build(cell, num_classes=batch.num_classes).eval()
        bursts = np.array([latency(net, batch) for _ in range(DRIFT_BURSTS)])
    middle = float(np.median(bursts))
    return {"bursts": DRIFT_BURSTS, "min_ms": float(bursts.min()), "median_ms": middle, "max_ms": float(bursts.max()),
            "share_within_10_percent_of_median": float(np.mean(np.abs(bursts - middle) <= TARGET_REPEAT * middle))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="all", choices=["budget", "latency", "all"])
    parser.add_argument("--pool", type=int, default=0,
                        help="Cells of the scored pool the budgeted searches draw from (0: the whole space).")
    parser.add_argument("--runs", type=int, default=100, help="Seeded runs per search.")
    parser.add_argument("--cells", type=int, default=100, help="Cells of the latency check.")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, Any] = {"load_average_before": list(os.getloadavg())}
    if args.part in ("latency", "all"):
        results["latency"] = latency_part(args.cells)
    if args.part in ("budget", "all"):
        results["budget"] = budget_part(args.pool, args.runs, args.workers)
    results["load_average_after"] = list(os.getloadavg())
    write_json(f"practitioner-{args.part}", results)


if __name__ == "__main__":
    main()
