"""Every swept score's rank correlation over all 15,625 NAS-Bench-201 cells, beside the authors' all-cell figures.

Read from the benchmarks' store (``naswot sweep --dedupe`` fills it: one network per class of cells that
build the same function, the rest stored as copies), nothing is computed here. A score is reported only
when the store holds it for every cell; the others are listed as not swept, with how many cells they have.
Kendall τ and Spearman ρ are against the 200-epoch test accuracy of CIFAR-10, CIFAR-100 and ImageNet16-120.
A score too costly to sweep here is reported over the seeded 1,000-cell sample that
benchmarks/whole_space_sample.py scores, beside every swept score's τ over the same sample, and the
learned ensemble is refitted on that sample with and without those scores, so the two compare like with like.

The zero-label combination is then chosen honestly over the whole space: the classes of equal functions are
split in two by a seeded shuffle (so no function sits on both sides), the combination is picked on the
choosing half's CIFAR-10 accuracies by benchmarks/proxies.py's greedy rule among the swept scores, and it and
the registered ``zero_label`` are reported on the other half on all three data sets. So are the learned
ensembles (every swept score and the cells' graph features), fitted on 200 and on 1,000 labelled cells drawn
from the choosing half and judged on the reporting half, which they never saw.

    python -m naswot sweep --dedupe --score naswot,params,flops --store benchmarks/results/scores.db ...
    python -m benchmarks.whole_space [--scores naswot,params,flops,...]
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import numpy as np

from benchmarks.common import (
    SAMPLE_CELLS,
    SEED,
    cifar10_batch,
    median_costs,
    nasbench201_sample,
    nasbench201_table,
    store,
    stored_scores,
    write_json,
)
from benchmarks.proxies import select_zero_label
from naswot.evaluate import rank_correlation
from naswot.graph_features import graph_feature_columns
from naswot.learned_ensemble import fit_learned_ensemble
from naswot.scores.expressions import parse_score
from naswot.spaces.nasbench201 import NasBench201Space
from naswot.tables.nasbench201 import NasBench201Table

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
LABELS = (200, 1000)
ZERO_LABEL = ("naswot", "naswot_v1", "synflow", "snip", "grad_norm", "fisher", "zico", "meco", "meco_real",
              "az_expressivity", "az_expressivity_real", "az_progressivity", "az_trainability", "swap", "vkdnw_single",
              "flops", "params",
              "parameter_tensors")
AUTHORS_ALL_CELLS = {"flops": 0.578, "zico": 0.590, "naswot": 0.556, "synflow": 0.571, "naswot_v1": 0.545,
                     "jacov": 0.545, "parameter_tensors": 0.580, "vkdnw": 0.604, "az_nas": 0.739, "vkdnw_agg": 0.740}
"""CIFAR-10 τ over all 15,625 cells from the VKDNW authors' notebook (NB201/paper_preparation.ipynb). Their
"Jacov" is our naswot_v1 (registered as jacov too); their "VKDNW_single", the rank of the pair (ℵ, entropy), is our
vkdnw, not our vkdnw_single (the entropy alone); AZ-NAS's own notebook gives 0.741 for its aggregate."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", default=",".join(ZERO_LABEL), help="Scores to report (those swept are).")
    args = parser.parse_args()
    space, table, batch = NasBench201Space(), nasbench201_table(), cifar10_batch(128)
    names = args.scores.split(",")
    with store() as results:
        stored = stored_scores(results, space, batch, SEED, names)
    cells = list(space)
    texts = [str(cell) for cell in cells]
    accuracies = accuracy_columns(table, cells)
    sample_texts = [str(cell) for cell in nasbench201_sample(SAMPLE_CELLS)[1]]
    swept: dict[str, Any] = {}
    on_sample: dict[str, Any] = {}
    missing: dict[str, int] = {}
    for name in names:
        held = stored.get(name, {})
        if len(held) == len(texts):
            swept[name] = score_row(held, texts, accuracies, name)
        elif all(text in held for text in sample_texts):
            on_sample[name] = score_row(held, sample_texts, _restricted(accuracies, texts, sample_texts), name)
        else:
            missing[name] = len(held)
    choice = honest_choice(space, cells, {name: stored[name] for name in swept}, accuracies) if swept else None
    sample = sample_comparison(space, cells, stored, list(swept), list(on_sample), accuracies) if on_sample else None
    for name, row in swept.items():
        authors = f" (authors {row['authors_cifar10_tau']})" if row["authors_cifar10_tau"] is not None else ""
        print(f"{name:20s} " + "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS) + authors)
    for label, row in (choice or {}).get("rows", {}).items():
        taus = "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS if d in row)
        print(f"{label} = {row['definition']} on the reporting half: {taus}")
    for label, row in (choice or {}).get("learned", {}).items():
        print(f"learned ensemble, {label}: " + "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS))
    for name, row in on_sample.items():
        print(f"{name:20s} (on the {SAMPLE_CELLS:,}-cell sample) "
              + "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS))
    for label, row in (sample or {}).get("combinations", {}).items():
        print(f"on the sample, {label} = {row['definition']}: "
              + "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS))
    for label, row in (sample or {}).get("learned", {}).items():
        print(f"learned ensemble on the sample, {label}: "
              + "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS))
    write_json("whole_space", {"cells": len(texts), "batch": batch.fingerprint, "seed": SEED, "scores": swept,
                               "scores_on_sample": on_sample, "sample": sample,
                               "not_swept": {name: f"{count:,} of {len(texts):,} cells stored" for name, count in
                                             missing.items()},
                               "zero_label_choice": choice,
                               "authors_source": "VKDNW authors' NB201/paper_preparation.ipynb, all 15,625 cells"})


def accuracy_columns(table: NasBench201Table, cells: list[Any]) -> dict[str, list[float]]:
    """Each data set's 200-epoch test accuracy of every cell, in the cells' order."""
    return {dataset: [table.lookup(cell, dataset) for cell in cells] for dataset in DATASETS}


def score_row(held: dict[str, Any], texts: list[str], accuracies: dict[str, list[float]], name: str) -> dict[str, Any]:
    """One score's τ and ρ over ``texts`` on every data set, with its compute and the authors' all-cell figure."""
    values = [held[text].value for text in texts]
    row: dict[str, Any] = {dataset: correlation(values, accuracies[dataset]) for dataset in DATASETS}
    return {**row, "cells": len(texts), "authors_cifar10_tau": AUTHORS_ALL_CELLS.get(name),
            "compute_seconds": sum(held[text].seconds for text in texts)}


def _restricted(accuracies: dict[str, list[float]], texts: list[str], subset: list[str]) -> dict[str, list[float]]:
    position = {text: index for index, text in enumerate(texts)}
    return {dataset: [values[position[text]] for text in subset] for dataset, values in accuracies.items()}


def _choosing_half(classes: list[list[Any]]) -> set[str]:
    """The choosing half: the classes of equal functions split in two by a seeded shuffle."""
    order = np.random.default_rng(SEED).permutation(len(classes))
    return {str(cell) for index in order[: len(classes) // 2] for cell in classes[index]}


def sample_comparison(space: NasBench201Space, cells: list[Any], stored: dict[str, dict[str, Any]],
                      swept: list[str], sample_only: list[str], accuracies: dict[str, list[float]]) -> dict[str, Any]:
    """On the 1,000-cell sample: every swept score's τ there; a zero-label combination chosen among all the scores
    on the sample's choosing-half cells, beside the registered one, and the 200-label learned ensemble fitted there
    with and without the sample-only scores, all judged on the sample's reporting-half cells."""
    sample = nasbench201_sample(SAMPLE_CELLS)[1]
    texts = [str(cell) for cell in sample]
    sample_accuracies = _restricted(accuracies, [str(cell) for cell in cells], texts)
    choosing = _choosing_half(space.equivalence_classes(cells))
    choose = np.array([i for i, text in enumerate(texts) if text in choosing])
    report = np.array([i for i, text in enumerate(texts) if text not in choosing])
    columns = {name: np.array([stored[name][text].value for text in texts]) for name in swept + sample_only}
    costs = median_costs({name: stored[name] for name in columns}, unit="naswot" if "naswot" in columns else None)
    chosen = select_zero_label({n: c[choose] for n, c in columns.items()},
                               np.asarray(sample_accuracies["cifar10"])[choose], costs)
    combinations = {}
    for label, expression in {"chosen on the sample's choosing half": chosen,
                              "zero_label (registered)": parse_score("zero_label")}.items():
        values = expression.combine({m: columns[m][report] for m in expression.members})
        combinations[label] = {"definition": expression.definition,
                               **{d: correlation(list(values), list(np.asarray(a)[report]))
                                  for d, a in sample_accuracies.items()}}
    labels = min(LABELS[0], len(choose))
    learned = {
        f"{label}, {labels} labels": learned_rows(sample, {n: columns[n] for n in members}, sample_accuracies,
                                                  choose, report, (labels,))[f"{labels} labels"]
        for label, members in (("swept scores only", swept), ("with the sample-only scores", swept + sample_only))}
    return {"cells": len(texts), "choosing_cells": len(choose), "reporting_cells": len(report),
            "cost_ratios": costs, "swept_scores_on_sample": {
                name: {d: correlation(list(columns[name]), sample_accuracies[d]) for d in DATASETS} for name in swept},
            "combinations": combinations, "learned": learned}


def honest_choice(space: NasBench201Space, cells: list[Any], held: dict[str, dict[str, Any]],
                  accuracies: dict[str, list[float]]) -> dict[str, Any]:
    """Choose a combination on one half of the classes of equal functions, report it on the other half."""
    classes = space.equivalence_classes(cells)
    choosing_classes = _choosing_half(classes)
    texts = [str(cell) for cell in cells]
    choose = np.array([i for i, text in enumerate(texts) if text in choosing_classes])
    report = np.array([i for i, text in enumerate(texts) if text not in choosing_classes])
    columns = {name: np.array([values[text].value for text in texts]) for name, values in held.items()}
    ratios = median_costs(held, unit="naswot" if "naswot" in held else None)
    chosen = select_zero_label({n: c[choose] for n, c in columns.items()}, np.asarray(accuracies["cifar10"])[choose],
                               ratios)
    rows = {}
    for label, expression in {"chosen here": chosen, "zero_label (registered)": parse_score("zero_label")}.items():
        if not set(expression.members) <= set(columns):
            rows[label] = {"definition": expression.definition, "missing": sorted(set(expression.members) - set(columns))}
            continue
        values = expression.combine({m: columns[m][report] for m in expression.members})
        rows[label] = {"definition": expression.definition,
                       **{d: correlation(list(values), list(np.asarray(acc)[report])) for d, acc in accuracies.items()}}
    return {"classes": len(classes), "choosing_cells": len(choose), "reporting_cells": len(report),
            "cost_unit": "median stored seconds of naswot", "cost_ratios": ratios, "rows": rows,
            "learned": learned_rows(cells, columns, accuracies, choose, report)}


def learned_rows(cells: list[Any], columns: dict[str, np.ndarray], accuracies: dict[str, list[float]],
                 choose: np.ndarray, report: np.ndarray, label_counts: tuple[int, ...] = LABELS) -> dict[str, Any]:
    """Trees on every swept score and the graph features, fitted on a seeded draw of labelled choosing cells."""
    features = {**{n: list(c) for n, c in columns.items()}, **graph_feature_columns(cells)}
    matrix = {name: np.asarray(values, dtype=np.float64) for name, values in features.items()}
    rows: dict[str, Any] = {}
    for labels in label_counts:
        drawn = np.random.default_rng(SEED + labels).choice(choose, size=labels, replace=False)
        row: dict[str, Any] = {"labelled": labels, "features": list(matrix)}
        for dataset in DATASETS:
            acc = np.asarray(accuracies[dataset])
            fitted = fit_learned_ensemble({n: v[drawn] for n, v in matrix.items()}, acc[drawn], dataset=dataset, seed=SEED)
            predicted = fitted.predict({n: v[report] for n, v in matrix.items()})
            row[dataset] = correlation(list(predicted), list(acc[report]))
        rows[f"{labels} labels"] = row
    return rows


def correlation(values: list[float], accuracies: list[float]) -> dict[str, float | int]:
    """Kendall τ and Spearman ρ with how many values were undefined and how many counted."""
    found = rank_correlation(values, accuracies)
    return {"kendall_tau": found.kendall_tau, "spearman_rho": found.spearman_rho, "undefined": found.undefined,
            "defined": sum(1 for v in values if math.isfinite(v))}


if __name__ == "__main__":
    main()
