"""The field's zero-cost proxies side by side on NAS-Bench-201, judged honestly on cells nothing was chosen on.

Protocol (everything seeded, one batch of 128 real CIFAR-10 training images, network seed 0):
- the shared sample of N = 1,000 cells (``nasbench201_sample``) is split in two halves: the first
  500 cells choose, the other 500 report. The zero-label combination is picked on the first half
  (greedy forward selection of members, and rank product vs rank mean, under a cost cap of 5
  forward passes) and reported on the second; the registered ``zero_label`` is reported beside it,
  and so are ``az_nas`` and ``vkdnw_agg`` as their authors define them (no choice involved);
- every single score: Kendall tau on all N cells and on the reported half, each with a bootstrap
  95 % interval, beside the published value (VKDNW paper's table, all 15,625 cells);
- cost: each score's time as a ratio to one plain forward pass of the same network and batch,
  both measured in this run on one thread (median over the first ``--timed`` cells); a
  combination costs the sum of its members;
- learned ensembles, always with their number of labels: (a) 200 labels, the first 200 cells of
  the choosing half, every single score plus the cells' graph features; (b) 1,000 labels drawn from
  the whole space outside the sample, on the cheap features every cell has (naswot from the
  whole-space sweep in the store, graph features, parameter count, synflow where stored); both are
  judged on the reported half only.
NAS-Bench-101's zero-label table is benchmarks/nasbench101.py.
The same CIFAR-10 images serve all three accuracy columns (no ImageNet16-120 images are here).
Scores go to the shared store as they finish, so a rerun resumes.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

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
from benchmarks.spaces import tau_interval
from naswot.compute import Compute, build_network
from naswot.data import Batch
from naswot.ensemble import RANK_METHODS, combine_by_rank
from naswot.evaluate import rank_correlation
from naswot.executor import score_architectures, stored_results
from naswot.graph_features import graph_feature_columns
from naswot.learned_ensemble import fit_learned_ensemble, with_graph_features
from naswot.scores import compute_score, get_score
from naswot.scores.expressions import NAMED_COMBINATIONS, ScoreExpression, member_scores, parse_score
from naswot.spaces.base import SearchSpace
from naswot.spaces.nasbench201 import NasBench201Space, conv_parameter_count
from naswot.store import Store

OLD_SCORES = ("naswot", "naswot_v1", "params", "flops", "synflow", "snip", "grad_norm", "grasp", "fisher", "epe_nas", "zen")
QUICK_OLD_SCORES = ("naswot", "params", "flops", "synflow")
NEW_SCORES = ("zico", "meco", "meco_real", "swap", "swap_reg", "naswot_class", "az_expressivity", "az_progressivity",
              "az_trainability", "parameter_tensors", "vkdnw_single", "vkdnw_single_paper", "vkdnw")
COMPOSITES = ("zero_label", "az_nas", "vkdnw_agg", "vkdnw_agg_mbv2")
COST_CAP = 5.0
"""The issue's budget for zero_label: forward passes per cell."""
SMALL_LABELS, WHOLE_SPACE_LABELS = 200, 1000
PUBLISHED_TAU = {  # Kendall tau, NAS-Bench-201 CIFAR-10 test accuracy, all 15,625 cells (VKDNW paper, Table 1)
    "zico": 0.607, "naswot": 0.571, "flops": 0.623, "az_nas": 0.712,
}
PUBLISHED_VKDNW_AGG = {"cifar10": 0.750, "cifar100": 0.753, "ImageNet16-120": 0.743}
TARGETS = {"zero_label_kendall_tau": PUBLISHED_VKDNW_AGG | {"cifar10": 0.76}, "zero_label_cost": COST_CAP,
           "learned_200_kendall_tau": 0.83, "learned_1000_kendall_tau": 0.86}


def score_sample(space: SearchSpace, archs: Sequence[Any], names: Sequence[str], batch: Batch, results: Store,
                 workers: int | None) -> dict[str, np.ndarray]:
    """Every score of every cell, resuming from the store; undefined scores stay -inf."""
    table = score_architectures(space, archs, names, batch, seed=SEED, store=results, compute=Compute(workers=workers))
    return {name: np.asarray(table.values(name, archs)) for name in names}


def time_ratios(space: SearchSpace, archs: Sequence[Any], names: Sequence[str], batch: Batch) -> dict[str, float]:
    """Median over ``archs`` of (score seconds / plain forward seconds), one thread, this run."""
    torch.set_num_threads(1)
    ratios: dict[str, list[float]] = {name: [] for name in names}
    for arch in archs:
        net = build_network(space, arch, SEED, batch.num_classes)
        forward = forward_seconds(net, batch.images, repeats=3)
        for name in names:
            ratios[name].append(compute_score(get_score(name), net, batch).seconds / forward)
    return {name: statistics.median(values) for name, values in ratios.items()}


def tau_entry(values: np.ndarray, accuracies: np.ndarray, resamples: int) -> dict[str, Any]:
    corr = rank_correlation(values, accuracies)
    return {"kendall_tau": corr.kendall_tau, "kendall_tau_95": tau_interval(list(values), list(accuracies), resamples),
            "spearman_rho": corr.spearman_rho, "cells": len(values), "undefined": corr.undefined}


def kendall(values: np.ndarray, accuracies: np.ndarray) -> float:
    return rank_correlation(values, accuracies).kendall_tau


def greedy_selection(columns: Mapping[str, np.ndarray], accuracies: np.ndarray, ratios: Mapping[str, float],
                     method: str) -> tuple[list[str], float]:
    """Add the member that most raises tau of the combination on these cells, while the cost stays within the cap."""
    chosen: list[str] = []
    best = -1.0
    while True:
        trials = {}
        for name in columns:
            cost = sum(ratios[m] for m in chosen) + ratios[name]
            if name in chosen or cost > COST_CAP:
                continue
            members = [*chosen, name]
            values = columns[name] if len(members) == 1 else combine_by_rank(method, {m: columns[m] for m in members})
            trials[name] = kendall(values, accuracies)
        if not trials or max(trials.values()) <= best + 0.002:
            return chosen, best
        pick = max(trials, key=trials.__getitem__)
        chosen.append(pick)
        best = trials[pick]


def select_zero_label(columns: Mapping[str, np.ndarray], accuracies: np.ndarray,
                      ratios: Mapping[str, float]) -> ScoreExpression:
    """The combination (method and members) with the highest tau on the choosing half."""
    picks = {method: greedy_selection(columns, accuracies, ratios, method) for method in RANK_METHODS.names()}
    method = max(picks, key=lambda m: picks[m][1])
    members = picks[method][0]
    if len(members) < 2:
        return ScoreExpression(members[0], (members[0],))
    return parse_score(f"{method}({','.join(members)})")


def combination_rows(expressions: Mapping[str, ScoreExpression], columns: Mapping[str, np.ndarray],
                     accuracies: Mapping[str, np.ndarray], report: slice, ratios: Mapping[str, float],
                     resamples: int) -> dict[str, Any]:
    """Each combination ranked within the reported half only (ranks within the scored population), per column."""
    rows = {}
    for label, expression in expressions.items():
        values = expression.combine({m: columns[m][report] for m in expression.members})
        rows[label] = {"definition": expression.definition, "members": list(expression.members), "labelled": 0,
                       "time_ratio": sum(ratios[m] for m in expression.members),
                       **{d: tau_entry(values, acc[report], resamples) for d, acc in accuracies.items()}}
    return rows


def learned_on_sample(archs: Sequence[Any], columns: Mapping[str, np.ndarray], accuracies: Mapping[str, np.ndarray],
                      report: slice, ratios: Mapping[str, float], resamples: int) -> dict[str, Any]:
    """Fitted on the first SMALL_LABELS cells (all in the choosing half) with every single score and the graph
    features, judged on the reported half."""
    labels = min(SMALL_LABELS, report.start)
    labelled = slice(0, labels)
    features = with_graph_features({n: list(v) for n, v in columns.items()}, archs)
    row: dict[str, Any] = {"labelled": labels, "features": list(features),
                           "time_ratio": sum(ratios[n] for n in columns)}
    for dataset, acc in accuracies.items():
        fitted = fit_learned_ensemble({n: v[labelled] for n, v in features.items()}, acc[labelled], dataset=dataset,
                                      seed=SEED)
        predicted = fitted.predict({n: v[report] for n, v in features.items()})
        row[dataset] = {**tau_entry(predicted, acc[report], resamples), "description": fitted.describe()}
    return row


def learned_on_whole_space(archs: Sequence[Any], sample_naswot: np.ndarray, accuracies: Mapping[str, np.ndarray],
                           report: slice, batch: Batch, results: Store, labels: int, resamples: int,
                           synflow: np.ndarray) -> dict[str, Any]:
    """Fitted on ``labels`` cells drawn from the whole space outside the sample, on features every cell has."""
    table = nasbench201_table()
    space = NasBench201Space()
    sample = {str(a) for a in archs}
    outside = [cell for cell in table.order if str(cell) not in sample]

    def stored(name: str, cells: Sequence[Any]) -> dict[str, float]:
        found = stored_results(space, cells, [name], batch, seed=SEED, store=results)[name]
        return {text: r.value for text, r in found.items()}

    naswot = stored("naswot", outside)
    pool = [cell for cell in outside if str(cell) in naswot]
    if len(pool) < labels:
        return {"skipped": f"only {len(pool)} cells outside the sample have a stored naswot score (batch 128, seed 0): "
                           f"run the whole-space naswot sweep into {results.path} first"}
    rng = np.random.default_rng(SEED)
    drawn = [pool[i] for i in rng.choice(len(pool), size=labels, replace=False)]
    train = {"naswot": [naswot[str(c)] for c in drawn], "params": [float(conv_parameter_count(c)) for c in drawn]}
    test = {"naswot": list(sample_naswot[report]), "params": [float(conv_parameter_count(c)) for c in archs[report]]}
    drawn_synflow = stored("synflow", drawn)
    if len(drawn_synflow) == labels:
        train["synflow"] = [drawn_synflow[str(c)] for c in drawn]
        test["synflow"] = list(synflow[report])
    train = {**train, **graph_feature_columns(drawn)}
    test = {**test, **graph_feature_columns(archs[report])}
    row: dict[str, Any] = {"labelled": labels, "features": list(train), "drawn_from": f"{len(pool)} cells outside the sample"}
    for dataset, acc in accuracies.items():
        fitted = fit_learned_ensemble(train, [table.accuracy(c, dataset) for c in drawn], dataset=dataset, seed=SEED)
        row[dataset] = {**tau_entry(fitted.predict(test), acc[report], resamples), "description": fitted.describe()}
    return row


def markdown(payload: Mapping[str, Any]) -> str:
    datasets = payload["datasets"]
    report = payload["report_cells"]
    head = ["score", f"τ CIFAR-10, all {payload['n']} [95%]", *(f"τ {d}, reported {report} [95%]" for d in datasets),
            "× forward", "published τ"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def cell(entry: Mapping[str, Any]) -> str:
        low, high = entry["kendall_tau_95"]
        return f"{entry['kendall_tau']:.3f} [{low:.3f}, {high:.3f}]"

    for name, row in payload["singles"].items():
        lines.append("| " + " | ".join([f"`{name}`", cell(row["all"]), *(cell(row["reported"][d]) for d in datasets),
                                        f"{row['time_ratio']:.1f}", str(PUBLISHED_TAU.get(name, ""))]) + " |")
    for name, row in payload["combinations"].items():
        published = PUBLISHED_TAU.get(name, "") if name != "vkdnw_agg" else "/".join(map(str, PUBLISHED_VKDNW_AGG.values()))
        lines.append("| " + " | ".join([f"`{name}` = `{row['definition']}`", "—", *(cell(row[d]) for d in datasets),
                                        f"{row['time_ratio']:.1f}", str(published)]) + " |")
    for name, row in payload["learned"].items():
        if "skipped" in row:
            lines.append(f"| {name} | skipped: {row['skipped']} |")
            continue
        lines.append("| " + " | ".join([f"{name} ({row['labelled']} labels)", "—", *(cell(row[d]) for d in datasets),
                                        "", ""]) + " |")
    notes = ["", f"Choosing half: the first {payload['choose_cells']} cells; reported half: the other {report}. "
             f"Selected on the choosing half: `{payload['selected_zero_label']}`; registered `zero_label` = "
             f"`{NAMED_COMBINATIONS['zero_label']}`. Batch {payload['batch']}; CIFAR-10 images for every column."]
    return "\n".join(lines + notes) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="cells of the shared sample (even; half choose, half report)")
    parser.add_argument("--quick", action="store_true",
                        help="verify the pipeline: --n 24, 2 timed cells, 100 resamples, the new scores and 4 old ones only")
    parser.add_argument("--timed", type=int, default=10, help="cells whose scores are timed against a forward pass")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples for the tau intervals")
    parser.add_argument("--old-scores", help="comma-separated subset of the earlier proxies to rank beside the new ones "
                                             f"(default: all of {', '.join(OLD_SCORES)})")
    parser.add_argument("--workers", type=int, default=None, help="scoring processes (default: one per CPU)")
    parser.add_argument("--sweep-store", help="the store holding the whole-space naswot sweep (default: the benchmarks' store)")
    args = parser.parse_args()
    n, timed, resamples = (24, 2, 100) if args.quick else (args.n, args.timed, args.resamples)
    whole_space_labels = min(WHOLE_SPACE_LABELS, 4 * n)
    batch = cifar10_batch(128)
    space, archs = nasbench201_sample(n)
    choose, report = slice(0, n // 2), slice(n // 2, n)
    table = nasbench201_table()
    old = args.old_scores.split(",") if args.old_scores else (QUICK_OLD_SCORES if args.quick else OLD_SCORES)
    composites = [parse_score(name) for name in COMPOSITES]
    singles = list(dict.fromkeys([*old, *NEW_SCORES, *member_scores(composites)]))
    with store() as results, (Store(args.sweep_store) if args.sweep_store else store()) as sweep:
        columns = score_sample(space, archs, singles, batch, results, args.workers)
        ratios = time_ratios(space, archs[:timed], singles, batch)
        accuracies = {d: np.asarray([table.accuracy(a, d) for a in archs]) for d in table.datasets}
        selected = select_zero_label({s: columns[s][choose] for s in singles}, accuracies["cifar10"][choose], ratios)
        expressions = dict(zip(COMPOSITES, composites)) | {"selected_on_first_half": selected}
        payload: dict[str, Any] = {
            "n": n, "choose_cells": n // 2, "report_cells": n - n // 2, "batch": batch.fingerprint, "seed": SEED,
            "datasets": list(table.datasets), "timed_cells": timed, "resamples": resamples,
            "selected_zero_label": selected.name, "registered_zero_label": NAMED_COMBINATIONS["zero_label"],
            "singles": {s: {"all": tau_entry(columns[s], accuracies["cifar10"], resamples), "time_ratio": ratios[s],
                            "reported": {d: tau_entry(columns[s][report], a[report], resamples) for d, a in accuracies.items()},
                            "published_kendall_tau": PUBLISHED_TAU.get(s)} for s in singles},
            "combinations": combination_rows(expressions, columns, accuracies, report, ratios, resamples),
            "learned": {
                "learned_200": learned_on_sample(archs, columns, accuracies, report, ratios, resamples),
                f"learned_{whole_space_labels}_whole_space": learned_on_whole_space(
                    archs, columns["naswot"], accuracies, report, batch, sweep, whole_space_labels, resamples,
                    columns["synflow"]),
            },
        }
    zero = payload["combinations"]["zero_label"]
    payload["targets"] = TARGETS
    payload["targets_met"] = {
        "zero_label_kendall_tau": {d: zero[d]["kendall_tau"] >= t for d, t in TARGETS["zero_label_kendall_tau"].items()},
        "zero_label_cost": zero["time_ratio"] <= COST_CAP,
        "learned_200": payload["learned"]["learned_200"]["cifar10"]["kendall_tau"] >= TARGETS["learned_200_kendall_tau"],
    }
    name = "proxies" if n == 1000 else f"proxies-n{n}"
    write_json(name, payload)
    (RESULTS / f"{name}.md").write_text(markdown(payload))
    print((RESULTS / f"{name}.md").read_text())


if __name__ == "__main__":
    main()
