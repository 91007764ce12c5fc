"""The scores too costly to sweep over all 15,625 cells on this machine, computed on the seeded 1,000-cell sample.

Each costs 1.3-16 forward passes a network (benchmarks/results/proxies-n400.json), 2-8 hours of both cores
over the whole space; on the sample every benchmark draws (``nasbench201_sample``) they take minutes each.
They go into the benchmarks' store one score at a time, so a killed run resumes where it stopped; each score of
the run is then reported over the sample in whole_space_sample.json, and benchmarks/whole_space.py reports
them beside the whole-space sweep when the store holds both. With ``parameter_tensors`` and ``vkdnw_single``
both in the run, the published VKDNW ranking (``vkdnw``: ℵ, ties broken by the entropy) is reported too, built
from those two columns as the registered ``vkdnw`` builds it, so the costly entropy is computed once.

    python -m benchmarks.whole_space_sample [--cells 1000] [--scores zico,snip,...] [--workers 2]
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.common import SAMPLE_CELLS, SEED, cifar10_batch, nasbench201_sample, nasbench201_table, store, write_json
from benchmarks.whole_space import DATASETS, score_row
from naswot.compute import Compute
from naswot.data import Batch
from naswot.executor import score_architectures, stored_results
from naswot.scores import ScoreResult
from naswot.scores.vkdnw import lexicographic
from naswot.spaces.base import Arch
from naswot.spaces.nasbench201 import NasBench201Space
from naswot.store import Store

COSTLY = ("snip", "grad_norm", "fisher", "az_expressivity", "az_progressivity", "swap", "zico", "naswot_v1",
          "az_trainability", "parameter_tensors", "vkdnw_single")
"""Cheapest first, so an interrupted sweep leaves the most scores complete."""


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
        rows = sample_rows(results, space, cells, batch, names)
    for name, row in rows.items():
        print(f"{name:20s} " + "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS)
              + f"  ({row['compute_seconds']:.0f} CPU-s)")
    write_json("whole_space_sample", {"cells": len(cells), "batch": batch.fingerprint, "seed": SEED, "scores": rows,
                                      "authors_source": "VKDNW authors' NB201/paper_preparation.ipynb, all 15,625 cells"})


def sample_rows(results: Store, space: NasBench201Space, cells: list[Arch], batch: Batch,
                names: list[str]) -> dict[str, Any]:
    """Each score's τ and ρ over the sample on the three data sets, with the CPU-seconds it took."""
    table = nasbench201_table()
    texts = [str(cell) for cell in cells]
    accuracies = {dataset: [table.lookup(cell, dataset) for cell in cells] for dataset in DATASETS}
    held = stored_results(space, cells, names, batch, seed=SEED, store=results, copies=True)
    if {"parameter_tensors", "vkdnw_single"} <= set(names):
        held["vkdnw"] = {text: ScoreResult(lexicographic(int(tensors.value), held["vkdnw_single"][text].value),
                                           tensors.seconds + held["vkdnw_single"][text].seconds, None)
                         for text, tensors in held["parameter_tensors"].items() if text in held["vkdnw_single"]}
    return {name: score_row(found, texts, accuracies, name) for name, found in held.items() if len(found) == len(texts)}


if __name__ == "__main__":
    main()
