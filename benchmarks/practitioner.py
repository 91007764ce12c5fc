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
- ``latency``: the registered latency (the shortest of 31 passes at batch 1) ranks 100 cells as their FLOPs
  do (target Spearman >= 0.8) and repeats within 10% between two runs (a timing: run it on a quiet machine;
  the load is recorded); the median of the same passes beside it, the estimator it replaced. Beside both,
  the machine's own drift: one network, built once and never changed, timed just before and just after
  every cell, so each cell's repeat can be read against how fast the machine was at that moment; dividing
  by it shows how much of the change is the machine's.

    python -m benchmarks.practitioner [--part budget|latency|all] [--pool 0] [--runs 100]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
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
ESTIMATORS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "shortest": lambda passes: passes.min(axis=-1), "median": lambda passes: np.median(passes, axis=-1)}
"""Per cell, from its passes (the last axis): the registered latency's estimate and the one it replaced."""


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
    import torch

    from naswot.scores.latency import BATCH, forward_times
    from naswot.threads import one_torch_thread

    space, archs = nasbench201_sample(cells)
    batch = cifar10_batch(16)
    images = batch.images[:BATCH]
    flops = score_architectures(space, archs, ["flops"], batch, seed=SEED,
                                compute=Compute(1, show_progress=False)).values("flops", archs)
    runs, beside = [], []  # every cell's passes, and the unchanged reference's passes around them, per run
    with one_torch_thread(), torch.no_grad():
        reference = space.build(archs[0], num_classes=batch.num_classes).eval()
        for _ in range(2):
            measured, around = [], []
            for arch in archs:
                before = forward_times(reference, images)
                measured.append(forward_times(space.build(arch, num_classes=batch.num_classes).eval(), images))
                around.append(before + forward_times(reference, images))
            runs.append(1000.0 * np.asarray(measured))
            beside.append(1000.0 * np.asarray(around))
    found = {name: _repeat(estimate(runs[0]), estimate(runs[1]), estimate(beside[0]), estimate(beside[1]), flops)
             for name, estimate in ESTIMATORS.items()}
    return {"cells": cells, "target_spearman": TARGET_LATENCY_SPEARMAN, **found["shortest"],
            "median_of_the_same_passes": found["median"]}


def _repeat(first: np.ndarray, second: np.ndarray, machine_first: np.ndarray, machine_second: np.ndarray,
            flops: list[float]) -> dict[str, Any]:
    """How well one latency estimate repeats over two runs, beside the unchanged reference's spread."""
    change = np.abs(second - first) / first
    relative_first, relative_second = first / machine_first, second / machine_second
    relative_change = np.abs(relative_second - relative_first) / relative_first
    timings = np.concatenate([machine_first, machine_second])
    middle = float(np.median(timings))
    return {"spearman_latency_flops": float(stats.spearmanr(first, flops).statistic),
            "median_latency_ms": float(np.median(first)), "median_relative_change": float(np.median(change)),
            "share_within_10_percent": float(np.mean(change <= TARGET_REPEAT)),
            "median_ratio_second_over_first": float(np.median(second / first)),
            "machine_drift": {"reference_timings": len(timings), "min_ms": float(timings.min()), "median_ms": middle,
                              "max_ms": float(timings.max()),
                              "share_within_10_percent_of_median": float(np.mean(
                                  np.abs(timings - middle) <= TARGET_REPEAT * middle)),
                              "corrected_share_within_10_percent": float(np.mean(relative_change <= TARGET_REPEAT)),
                              "corrected_median_relative_change": float(np.median(relative_change))}}


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
