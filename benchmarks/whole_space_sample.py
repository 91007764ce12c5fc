"""The scores too costly to sweep over all 15,625 cells on this machine, computed on the seeded 1,000-cell sample.

Each costs 1.3-16 forward passes a network (benchmarks/results/proxies-n400.json), 2-8 hours of both cores
over the whole space; on the sample every benchmark draws (``nasbench201_sample``) they take minutes each.
They go into the benchmarks' store one score at a time, so a killed run resumes where it stopped; each score of
the run is then reported over the sample in whole_space_sample.json, and benchmarks/whole_space.py reports
them beside the whole-space sweep when the store holds both. With ``parameter_tensors`` and ``vkdnw_single``
both in the run, the published VKDNW ranking (``vkdnw``: ℵ, ties broken by the entropy) is built from those two
columns as the registered ``vkdnw`` builds it, so the costly entropy is computed once. The authors' aggregates
(``vkdnw_agg``, ``az_nas``) and ``zero_label`` are reported where the run holds their members, on the cells after
the first 200, on which ``zero_label`` was chosen (benchmarks/proxies.py at --n 400).

    python -m benchmarks.whole_space_sample [--cells 1000] [--scores zico,snip,...] [--workers 2]
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.common import SAMPLE_CELLS, SEED, cifar10_batch, nasbench201_sample, nasbench201_table, store, write_json
from benchmarks.whole_space import AUTHORS_ALL_CELLS, DATASETS, accuracy_columns, correlation, score_row
from naswot.compute import Compute
from naswot.data import Batch
from naswot.executor import score_architectures, stored_results
from naswot.scores import ScoreResult
from naswot.scores.expressions import parse_score
from naswot.scores.vkdnw import lexicographic
from naswot.spaces.base import Arch
from naswot.spaces.nasbench201 import NasBench201Space
from naswot.store import Store

COSTLY = ("parameter_tensors", "snip", "grad_norm", "fisher", "az_expressivity", "az_progressivity", "swap", "zico",
          "naswot_v1", "az_trainability", "vkdnw_single")
"""Cheapest first, so an interrupted sweep leaves the most scores complete; ``parameter_tensors`` costs nothing and
is here for ``vkdnw``."""
COMBINATIONS = ("vkdnw_agg", "az_nas", "zero_label")
CHOSEN_ON = 200
"""The sample's first cells, on which zero_label was chosen: the combinations are reported on the others."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=SAMPLE_CELLS)
    parser.add_argument("--scores", default=",".join(COSTLY))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    space, cells = nasbench201_sample(args.cells)
    batch = cifar10_batch(128)
    names = args.scores.split(",")
    with store() as results:
        for name in names:
            print(f"{name} on {len(cells):,} cells", flush=True)
            score_architectures(space, cells, [name], batch, seed=SEED, store=results,
                                compute=Compute(args.workers, show_progress=True), keep_results=False)
        held = sample_scores(results, space, cells, batch, names)
    texts = [str(cell) for cell in cells]
    accuracies = accuracy_columns(nasbench201_table(), cells)
    rows = {name: score_row(found, texts, accuracies, name) for name, found in held.items() if len(found) == len(texts)}
    combinations = combination_rows(held, texts, accuracies)
    for name, row in {**rows, **combinations}.items():
        print(f"{name:20s} " + "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS))
    write_json("whole_space_sample", {"cells": len(cells), "batch": batch.fingerprint, "seed": SEED, "scores": rows,
                                      "combinations_on_cells": len(cells) - CHOSEN_ON, "combinations": combinations,
                                      "authors_source": "VKDNW authors' NB201/paper_preparation.ipynb, all 15,625 cells"})


def sample_scores(results: Store, space: NasBench201Space, cells: list[Arch], batch: Batch,
                  names: list[str]) -> dict[str, dict[str, ScoreResult]]:
    """What the store holds of each score for the sample, with ``vkdnw`` built from ℵ and the entropy."""
    held = stored_results(space, cells, names, batch, seed=SEED, store=results, copies=True)
    if {"parameter_tensors", "vkdnw_single"} <= set(names):
        held["vkdnw"] = {text: ScoreResult(lexicographic(int(tensors.value), held["vkdnw_single"][text].value),
                                           tensors.seconds + held["vkdnw_single"][text].seconds, None)
                         for text, tensors in held["parameter_tensors"].items() if text in held["vkdnw_single"]}
    return held


def combination_rows(held: dict[str, dict[str, ScoreResult]], texts: list[str],
                     accuracies: dict[str, list[float]]) -> dict[str, Any]:
    """Each combination whose members are all held, ranked within the cells after ``CHOSEN_ON`` and judged there."""
    reported = texts[CHOSEN_ON:]
    rows: dict[str, Any] = {}
    for name in COMBINATIONS:
        expression = parse_score(name)
        if not all(text in held.get(member, {}) for member in expression.members for text in reported):
            continue
        values = expression.combine({m: [held[m][text].value for text in reported] for m in expression.members})
        rows[name] = {"definition": expression.definition, "authors_cifar10_tau": AUTHORS_ALL_CELLS.get(name),
                      **{d: correlation(list(values), acc[CHOSEN_ON:]) for d, acc in accuracies.items()}}
    return rows


if __name__ == "__main__":
    main()
