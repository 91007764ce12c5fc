"""Every swept score's rank correlation over all 15,625 NAS-Bench-201 cells, beside the authors' all-cell figures.

Read from the benchmarks' store (``naswot sweep --dedupe`` fills it: one network per class of cells that
build the same function, the rest stored as copies), nothing is computed here. A score is reported only
when the store holds it for every cell; the others are listed as not swept, with how many cells they have.
Kendall τ and Spearman ρ are against the 200-epoch test accuracy of CIFAR-10, CIFAR-100 and ImageNet16-120.

    python -m naswot sweep --dedupe --score naswot,params,flops --store benchmarks/results/scores.db ...
    python -m benchmarks.whole_space [--scores naswot,params,flops,...]
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from benchmarks.common import SEED, cifar10_batch, nasbench201_table, store, stored_scores, write_json
from naswot.evaluate import rank_correlation
from naswot.spaces.nasbench201 import NasBench201Space

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
ZERO_LABEL = ("naswot", "naswot_v1", "synflow", "snip", "grad_norm", "fisher", "zico", "meco", "meco_real",
              "az_expressivity", "az_progressivity", "az_trainability", "swap", "vkdnw_single", "flops", "params",
              "parameter_tensors")
AUTHORS_ALL_CELLS = {"flops": 0.578, "zico": 0.590, "naswot": 0.556, "synflow": 0.571, "naswot_v1": 0.545,
                     "parameter_tensors": 0.580, "vkdnw_single": 0.604}
"""CIFAR-10 τ over all 15,625 cells from the VKDNW authors' notebook (NB201/paper_preparation.ipynb); naswot_v1
is their "Jacov". AZ-NAS's own notebook gives 0.741 for the AZ-NAS aggregate, and VKDNW_agg is 0.740."""


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
    accuracies = {dataset: [table.lookup(cell, dataset) for cell in cells] for dataset in DATASETS}
    swept: dict[str, Any] = {}
    missing: dict[str, int] = {}
    for name in names:
        held = stored.get(name, {})
        if len(held) < len(texts):
            missing[name] = len(held)
            continue
        values = [held[text].value for text in texts]
        swept[name] = {dataset: _correlation(values, accuracies[dataset]) for dataset in DATASETS}
        swept[name]["authors_cifar10_tau"] = AUTHORS_ALL_CELLS.get(name)
        swept[name]["compute_seconds"] = sum(held[text].seconds for text in texts)
    for name, row in swept.items():
        authors = f" (authors {row['authors_cifar10_tau']})" if row["authors_cifar10_tau"] is not None else ""
        print(f"{name:20s} " + "  ".join(f"{d} τ {row[d]['kendall_tau']:.3f}" for d in DATASETS) + authors)
    write_json("whole_space", {"cells": len(texts), "batch": batch.fingerprint, "seed": SEED, "scores": swept,
                               "not_swept": {name: f"{count:,} of {len(texts):,} cells stored" for name, count in
                                             missing.items()},
                               "authors_source": "VKDNW authors' NB201/paper_preparation.ipynb, all 15,625 cells"})


def _correlation(values: list[float], accuracies: list[float]) -> dict[str, float | int]:
    found = rank_correlation(values, accuracies)
    return {"kendall_tau": found.kendall_tau, "spearman_rho": found.spearman_rho, "undefined": found.undefined,
            "defined": sum(1 for v in values if math.isfinite(v))}


if __name__ == "__main__":
    main()
