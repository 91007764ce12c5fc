"""The cost of scoring on every space, and how well every score ranks NAS-Bench-101 cells.

Cost: for the first ``--networks`` of a seeded sample of each space, the naswot score's time as a
ratio to one plain forward pass of the same network on the same 128 CIFAR-10 images
(``common.forward_seconds``), and the peak resident memory while scoring above the memory before it
(Linux's VmHWM, reset per network). One torch thread, as the executor's workers use.

Ranking: Kendall tau and Spearman rho of every registered score (the registry's list, so scores
added later are included) against the 108-epoch validation accuracy of the 1,000 NAS-Bench-101
sample cells, on the same 128 images. Scores go through the shared store, so an interrupted or
budgeted run resumes where it stopped; cells are scored in a seeded random order, so a partial
run is a uniform subsample. The NASWOT v2 paper reports tau = 0.285 for naswot on NAS-Bench-101.

    nice -n 10 python -m benchmarks.spaces [--networks 20] [--budget SECONDS] [--workers 2]

``cost_summary`` holds the range over spaces of the median ratio and median peak that the README quotes.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.common import RESULTS, SEED, SHARED, cifar10_batch, forward_seconds, store, write_json
from naswot.compute import Compute, build_network
from naswot.data import Batch
from naswot.errors import NaswotError
from naswot.evaluate import rank_correlation
from naswot.executor import score_architectures, stored_results
from naswot.scores import ScoreResult, compute_score, get_score, score_names
from naswot.searching import sample_distinct
from naswot.spaces import get_space
from naswot.tables import load_table

COST_SPACES = (
    "natsbench_sss",
    "nasbench101",
    "nds:space=DARTS",
    "nds:space=ENAS",
    "nds:space=PNAS",
    "nds:space=NASNet",
    "nds:space=Amoeba",
    "zoo:pytorchcv=*resnet20_cifar10",
)
NETWORKS = 20
"""Networks per space for the cost part: the README's "median of 20 networks per space"."""
PAPER_TAU = 0.285
NB101_SAMPLE = SHARED / "nasbench101_sample_1k.json"
STATUS = Path("/proc/self/status")


def resident_kib(field: str) -> int | None:
    """``VmRSS`` or ``VmHWM`` (peak) of this process in KiB, where Linux reports them."""
    match = re.search(rf"{field}:\s+(\d+) kB", STATUS.read_text()) if STATUS.exists() else None
    return int(match.group(1)) if match else None


def release_free_memory() -> None:
    """Hand freed heap memory back to the system (glibc's malloc_trim), so the next peak starts from live memory."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def reset_peak() -> None:
    """Make VmHWM restart from the current resident size (Linux's clear_refs 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def cost_of_space(spec: str, batch: Batch, networks: int, repeats: int) -> dict[str, Any]:
    """Time ratios and peak memory of naswot on the first ``networks`` of the space's seeded sample."""
    space = get_space(spec)
    archs = sample_distinct(space, networks, np.random.default_rng(SEED))
    naswot = get_score("naswot")
    rows = []
    for arch in archs:
        net = build_network(space, arch, SEED, batch.num_classes)
        forward = forward_seconds(net, batch.images, repeats)
        gc.collect()
        release_free_memory()
        reset_peak()
        before = resident_kib("VmRSS")
        result = compute_score(naswot, net, batch)
        peak = resident_kib("VmHWM")
        rows.append({"arch": str(arch), "forward_seconds": forward, "score_seconds": result.seconds,
                     "ratio": result.seconds / forward, "finite": bool(np.isfinite(result.value)),
                     "peak_mib": None if peak is None or before is None else (peak - before) / 1024})
        del net
    ratios = [r["ratio"] for r in rows]
    peaks = [r["peak_mib"] for r in rows if r["peak_mib"] is not None]
    return {
        "networks": len(rows), "ratio_median": statistics.median(ratios),
        "ratio_p10": float(np.percentile(ratios, 10)), "ratio_p90": float(np.percentile(ratios, 90)),
        "forward_seconds_median": statistics.median(r["forward_seconds"] for r in rows),
        "score_seconds_median": statistics.median(r["score_seconds"] for r in rows),
        "peak_mib_median": statistics.median(peaks) if peaks else None, "peak_mib_max": max(peaks) if peaks else None,
        "undefined": sum(not r["finite"] for r in rows), "per_network": rows,
    }


def cost_summary(cost: dict[str, Any]) -> dict[str, Any]:
    """The range over the measured spaces of the median time ratio and the median peak memory."""
    measured = {spec: entry for spec, entry in cost.items() if "ratio_median" in entry}
    if not measured:
        return {}
    ratios = {spec: entry["ratio_median"] for spec, entry in measured.items()}
    peaks = [entry["peak_mib_median"] for entry in measured.values() if entry["peak_mib_median"] is not None]
    return {"spaces": len(measured), "networks_per_space": sorted({entry["networks"] for entry in measured.values()}),
            "ratio_median_min": min(ratios.values()), "ratio_median_min_space": min(ratios, key=ratios.__getitem__),
            "ratio_median_max": max(ratios.values()), "ratio_median_max_space": max(ratios, key=ratios.__getitem__),
            "peak_mib_median_min": min(peaks) if peaks else None, "peak_mib_median_max": max(peaks) if peaks else None}


def tau_interval(values: list[float], accuracies: list[float], resamples: int = 1000) -> list[float]:
    """A bootstrap 95% interval of Kendall's tau over the cells scored (wide when a budget cut the run short)."""
    rng = np.random.default_rng(SEED)
    values_array, accuracies_array = np.asarray(values), np.asarray(accuracies)
    taus = []
    for _ in range(resamples):
        pick = rng.integers(len(values_array), size=len(values_array))
        taus.append(rank_correlation(values_array[pick], accuracies_array[pick]).kendall_tau)
    return [float(np.nanpercentile(taus, 2.5)), float(np.nanpercentile(taus, 97.5))]


def nasbench101_ranking(batch: Batch, workers: int, budget: float | None, compute: set[str] | None) -> dict[str, Any]:
    """Tau of every registered score on the sample cells, computing those in ``compute`` (all when None).

    naswot goes first, over the cells in seeded order until the budget ends; the other scores then
    cover the cells naswot has, so every tau is measured on the same cells. Scores not computed are
    reported from the store as far as it has them.
    """
    table = load_table("nasbench101", NB101_SAMPLE)
    space = get_space("nasbench101")
    cells = list(table.archs() or [])
    order = [cells[i] for i in np.random.default_rng(SEED).permutation(len(cells))]
    names = ["naswot", *(name for name in score_names() if name != "naswot")]
    deadline = None if budget is None else time.monotonic() + budget
    results: dict[str, Any] = {}
    pool = order
    with store() as results_store:
        for name in names:
            if compute is None or name in compute:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                found = score_architectures(space, pool, [name], batch, seed=SEED, store=results_store,
                                            compute=Compute(workers=workers), budget_seconds=remaining).results[name]
            else:
                found = stored_results(space, pool, [name], batch, seed=SEED, store=results_store)[name]
            done = [c for c in pool if str(c) in found]
            if name == "naswot":
                pool = done
            results[name] = ranking_entry([found[str(c)] for c in done], [table.accuracy(c, "cifar10-valid") for c in done])
    return {"table": str(NB101_SAMPLE), "accuracy": "108-epoch validation accuracy", "cells_in_table": len(cells),
            "paper_kendall_tau_naswot": PAPER_TAU, "scores": results}


def ranking_entry(results: list[ScoreResult], accuracies: list[float]) -> dict[str, Any]:
    """Kendall tau (with its bootstrap interval) and Spearman rho of one score's results against accuracy."""
    entry: dict[str, Any] = {"cells": len(results)}
    if len(results) > 1:
        values = [r.value for r in results]
        corr = rank_correlation(values, accuracies)
        entry.update(kendall_tau=corr.kendall_tau, kendall_tau_95=tau_interval(values, accuracies),
                     spearman_rho=corr.spearman_rho, undefined=corr.undefined)
    entry["median_seconds"] = statistics.median(r.seconds for r in results) if results else None
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=NETWORKS, help="networks per space for the cost part")
    parser.add_argument("--repeats", type=int, default=5, help="forward passes timed per network (median)")
    parser.add_argument("--budget", type=float, help="seconds for the NAS-Bench-101 ranking (resume by rerunning)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the ranking")
    parser.add_argument("--scores", help="comma-separated scores to compute for the ranking (default: every registered one)")
    parser.add_argument("--skip-cost", action="store_true", help="keep the last cost results")
    parser.add_argument("--skip-ranking", action="store_true", help="keep the last NAS-Bench-101 ranking")
    args = parser.parse_args()
    torch.set_num_threads(1)
    batch = cifar10_batch(128)
    cost: dict[str, Any] | None = None
    if not args.skip_cost:
        cost = {}
        for spec in COST_SPACES:
            print(f"cost: {spec}", flush=True)
            try:
                cost[spec] = cost_of_space(spec, batch, args.networks, args.repeats)
            except NaswotError as exc:  # the zoo needs the optional pytorchcv package
                cost[spec] = {"skipped": str(exc)}
    compute = set(args.scores.split(",")) if args.scores else None
    ranking = None if args.skip_ranking else nasbench101_ranking(batch, args.workers, args.budget, compute)
    previous_path = RESULTS / "spaces.json"
    previous = json.loads(previous_path.read_text()) if previous_path.exists() else {}
    cost = previous.get("cost", {}) if cost is None else cost
    write_json("spaces", {"data": batch.fingerprint, "seed": SEED, "torch_threads": 1, "settings": vars(args),
                          "cost": cost, "cost_summary": cost_summary(cost),
                          "nasbench101": previous.get("nasbench101", {}) if ranking is None else ranking})


if __name__ == "__main__":
    main()
