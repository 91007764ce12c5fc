"""The thesis' LLO score (seeds/003): what one full network costs, and how well it ranks 200.

    python -m benchmarks.llo [--archs 200] [--threads 1] [--skip-cost] [--skip-ranking] [--helper]

A skipped part keeps its result from the previous run in benchmarks/results/llo.json.

1. Cost: each measurement runs in a fresh process, so its peak resident set size (``ru_maxrss``,
   which includes Python, torch and the data) is the score's: LLOs plus every parameter set of a
   full NAS-Bench-201 network (C=16, N=5) on 32 CIFAR-10 images, for the sample's first cell and the
   largest cell (all 3x3 convolutions); as scored (on one torch thread) and, to show why the score
   pins one thread, on 2 threads. The baseline is one plain forward pass in the same process
   (``common.forward_seconds``). The machine's 1-minute load average before and after each
   measurement shows how contended the 2 cores were.
2. Ranking: Kendall tau (and Spearman rho, and Pearson r as the thesis reports) of every variant, of
   ``naswot`` and of the parameter count against CIFAR-10 test accuracy, on ``nasbench201_sample(n)``
   with ``cifar10_batch(32)``; and each score's Kendall tau with the parameter count (the thesis asks
   that its score not be a proxy for size). Scores go through the shared store, so a run resumes.
3. Views: heat maps (a same-class and a different-class pair) and Jaccard histograms for the two most
   and the two least accurate cells of the sample with a defined score.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import resource
import statistics
import time
from typing import Any

import torch
from scipy import stats as scipy_stats

from benchmarks.common import (
    RESULTS,
    SEED,
    cifar10_batch,
    forward_seconds,
    nasbench201_sample,
    nasbench201_table,
    store,
    write_json,
)
from naswot.compute import Compute, build_network
from naswot.evaluate import rank_correlation
from naswot.executor import score_architectures
from naswot.report.llo_views import Entry, plot_jaccard_histograms, plot_pair_heatmaps
from naswot.scores import score_names
from naswot.scores.llo import score as score_module
from naswot.scores.llo.score import llo_statistics
from naswot.spaces.nasbench201 import NasBench201Space

BATCH = 32
LARGEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
SCORES = ["llo"] + score_names("llo:*") + ["naswot", "params"]
ONE_WORKER = Compute(workers=1, show_progress=False)  # the LLO statistics share a per-process cache
THESIS = {"best_R": 0.4624, "variant": "llo:abs_norm:corr", "networks": 4, "space": "NATS-Bench size space",
          "statistic": "Pearson R against CIFAR-10 validation accuracy (table 5.1)"}


def _measure(cell: str, threads: int) -> dict[str, Any]:
    """In a fresh process: seconds and peak memory of the LLO statistics of one full network. With
    ``threads`` > 1 the score's own one-thread pin is lifted, to show what it saves."""
    torch.set_num_threads(threads)
    if threads > 1:
        score_module.one_torch_thread = contextlib.nullcontext
    batch = cifar10_batch(BATCH)
    space = NasBench201Space()
    arch = space.parse(cell)
    net = build_network(space, arch, SEED, batch.num_classes).train()
    forward = forward_seconds(net, batch.images)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    llo_statistics(net, batch)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"cell": cell, "threads": threads, "wall_seconds": wall, "cpu_seconds": cpu, "forward_seconds": forward,
            "wall_over_forward": wall / forward, "peak_rss_mb": peak / 1024, "rss_before_mb": before / 1024,
            "parameters": sum(p.numel() for p in net.parameters()),
            "load_average_1min": [load, os.getloadavg()[0]]}


def cost(cells: list[str]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    runs = []
    for cell in cells:
        for threads in (1, 2):
            with context.Pool(1) as pool:
                run = pool.apply(_measure, (cell, threads))
            print(f"cost {cell} threads={threads}: {run['wall_seconds']:.1f} s wall, {run['cpu_seconds']:.1f} s CPU, "
                  f"{run['wall_over_forward']:.0f}x a forward pass, peak RSS {run['peak_rss_mb']:.0f} MB")
            runs.append(run)
    return {"images": BATCH, "space": "nasbench201 (C=16, N=5)", "runs": runs,
            "target": {"seconds": 60, "memory_gb": 4},
            "memory_method": "ru_maxrss of a fresh process that loads the data, builds the network and computes the statistics"}


def fill_store(count: int, threads: int, reverse: bool = False) -> None:
    """Score the sample one architecture at a time (all variants in a row share one computation)."""
    torch.set_num_threads(threads)
    space, archs = nasbench201_sample(count)
    batch = cifar10_batch(BATCH)
    results = store()
    started = time.monotonic()
    for done, arch in enumerate(archs[::-1] if reverse else archs, start=1):
        score_architectures(space, [arch], SCORES, batch, seed=SEED, store=results, compute=ONE_WORKER)
        if done % 10 == 0 or done == len(archs):
            print(f"ranking: {done}/{len(archs)} architectures, {(time.monotonic() - started) / 60:.1f} min")


def ranking(count: int, threads: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    fill_store(count, threads)
    space, archs = nasbench201_sample(count)
    batch = cifar10_batch(BATCH)
    table = nasbench201_table()
    names = SCORES
    scored = score_architectures(space, archs, names, batch, seed=SEED, store=store(), compute=ONE_WORKER)
    accuracies = [table.accuracy(a, "cifar10") for a in archs]
    sizes = scored.values("params", archs)
    summary = {}
    for name in names:
        values = scored.values(name, archs)
        corr = rank_correlation(values, accuracies)
        finite = [(v, a) for v, a in zip(values, accuracies) if math.isfinite(v)]
        pearson = float(scipy_stats.pearsonr(*zip(*finite)).statistic) if len(finite) > 2 else math.nan
        seconds = [scored.results[name][str(a)].seconds for a in archs]
        summary[name] = {"kendall_tau": corr.kendall_tau, "spearman_rho": corr.spearman_rho, "pearson_r": pearson,
                         "kendall_tau_with_params": rank_correlation(values, sizes).kendall_tau,
                         "undefined": corr.undefined, "median_seconds": statistics.median(seconds)}
        print(f"{name:22s} tau={corr.kendall_tau:+.3f} rho={corr.spearman_rho:+.3f} r={pearson:+.3f} "
              f"tau(params)={summary[name]['kendall_tau_with_params']:+.3f} undefined={corr.undefined}")
    per_arch = [{"arch": str(a), "accuracy": acc, "scores": {n: _finite(scored.results[n][str(a)].value) for n in names}}
                for a, acc in zip(archs, accuracies)]
    payload = {"n": len(archs), "batch": batch.fingerprint, "seed": SEED, "threads": threads, "scores": summary,
               "note": "median_seconds of 'llo' includes the shared computation; the other llo variants reuse it"}
    return payload, per_arch


def views(per_arch: list[dict[str, Any]]) -> list[str]:
    """Heat maps and histograms for the two most and two least accurate cells of the sample whose
    score is defined (a cell that outputs a constant has no live path and empty sets: nothing to see)."""
    defined = [row for row in per_arch if row["scores"]["llo"] is not None]
    ranked = sorted(defined, key=lambda row: row["accuracy"], reverse=True)
    chosen = ranked[:2] + ranked[-2:]
    batch = cifar10_batch(BATCH)
    space = NasBench201Space()
    entries = []
    for row in chosen:
        arch = space.parse(row["arch"])
        net = build_network(space, arch, SEED, batch.num_classes).train()
        entries.append(Entry(row["arch"], row["accuracy"], llo_statistics(net, batch)))
    labels = batch.labels.tolist()
    same = next((i, j) for i in range(BATCH) for j in range(i + 1, BATCH) if labels[i] == labels[j])
    different = next((i, j) for i in range(BATCH) for j in range(i + 1, BATCH) if labels[i] != labels[j])
    paths = [plot_pair_heatmaps(entries, *same, RESULTS / "llo_heatmaps_same_class.png"),
             plot_pair_heatmaps(entries, *different, RESULTS / "llo_heatmaps_different_class.png"),
             plot_jaccard_histograms(entries, RESULTS / "llo_jaccard_histograms.png")]
    return [str(p.relative_to(RESULTS.parent.parent)) for p in paths]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", type=int, default=200, help="architectures of the shared sample to rank")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for the ranking run")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--skip-ranking", action="store_true")
    parser.add_argument("--helper", action="store_true",
                        help="only score the sample, from its end, into the store (beside a normal run, to share the work)")
    args = parser.parse_args()
    if args.helper:
        fill_store(args.archs, args.threads, reverse=True)
        return
    payload: dict[str, Any] = {"thesis": THESIS}
    if not args.skip_cost:
        _, archs = nasbench201_sample(1)
        payload["cost"] = cost([str(archs[0]), LARGEST])
    if not args.skip_ranking:
        payload["ranking"], per_arch = ranking(args.archs, args.threads)
        payload["figures"] = views(per_arch)
        payload["per_arch"] = per_arch
    previous = RESULTS / "llo.json"  # read only now: a part skipped here keeps its latest result
    kept = json.loads(previous.read_text()) if previous.exists() else {}
    write_json("llo", {**{k: v for k, v in kept.items() if k not in ("benchmark", "machine")}, **payload})


if __name__ == "__main__":
    main()
