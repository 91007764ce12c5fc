"""The zero-label scores on the 1,000 shared NAS-Bench-101 cells, and a zero-label combination chosen honestly there.

NAS-Bench-101's networks are 10-50x NAS-Bench-201's, about 10 s a cell for a score at 128 images on two
cores; so the scores here run on ``--batch-size 32`` real CIFAR-10 training images by default (the batch
is in the JSON). Cells are taken in benchmarks/spaces.py's seeded order, so ``--cells K`` is a uniform
subsample and a rerun resumes from the benchmarks' store. Kendall τ and Spearman ρ are against the
108-epoch validation accuracy, with bootstrap 95% intervals.

The combination is chosen as benchmarks/proxies.py chooses it (greedy members and rank method under a
cost cap of 5 naswot evaluations, each score priced at its median stored time) on the first half of the
cells and reported on the other half, beside the registered ``zero_label`` (chosen on NAS-Bench-201).
Yardsticks: the NASWOT v2 paper's naswot τ 0.285; ZiCo's published 0.46; target τ >= 0.45.

    python -m benchmarks.nasbench101 [--cells 1000] [--batch-size 32] [--scores naswot,params,...]
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from benchmarks.common import SEED, cifar10_batch, median_costs, store, write_json
from benchmarks.proxies import select_zero_label, tau_entry
from benchmarks.spaces import NB101_SAMPLE
from naswot.compute import Compute
from naswot.executor import score_architectures
from naswot.scores.expressions import ScoreExpression, parse_score
from naswot.spaces import get_space
from naswot.store import Store
from naswot.tables import load_table

SCORES = ("naswot", "params", "flops", "parameter_tensors", "synflow", "meco", "meco_real", "az_expressivity_real")
"""The scores the NAS-Bench-201 whole-space sweep holds: each costs at most about one forward pass."""
TARGET_TAU = 0.45
PUBLISHED = {"naswot": 0.285, "zico": 0.46}


def nasbench101_rows(cells: int, batch_size: int, names: list[str], results: Store, workers: int | None,
                     resamples: int, zero_label: ScoreExpression) -> dict[str, Any]:
    """Every score, the registered zero_label and a combination chosen on the first half, on the first ``cells``."""
    table = load_table("nasbench101", NB101_SAMPLE)
    space = get_space("nasbench101")
    every = list(table.archs() or [])
    order = [every[i] for i in np.random.default_rng(SEED).permutation(len(every))][:cells]
    batch = cifar10_batch(batch_size)
    names = list(dict.fromkeys([*names, *zero_label.members]))
    scored = score_architectures(space, order, names, batch, seed=SEED, store=results, compute=Compute(workers))
    columns = {name: np.asarray(scored.values(name, order)) for name in names}
    accuracies = np.asarray([table.accuracy(c, "cifar10-valid") for c in order])
    costs = median_costs(scored.results, unit="naswot" if "naswot" in names else None)
    choose, report = slice(0, len(order) // 2), slice(len(order) // 2, len(order))
    chosen = select_zero_label({n: c[choose] for n, c in columns.items()}, accuracies[choose], costs)
    combinations = {}
    for label, expression in {"zero_label (registered)": zero_label, "chosen on the first half": chosen}.items():
        values = expression.combine({m: columns[m][report] for m in expression.members})
        combinations[label] = {"definition": expression.definition, "cost_in_naswot_evaluations":
                               sum(costs[m] for m in expression.members),
                               **tau_entry(values, accuracies[report], resamples)}
    return {"cells": len(order), "batch": batch.fingerprint, "batch_size": batch_size,
            "accuracy": "108-epoch validation accuracy", "published": PUBLISHED, "target_tau": TARGET_TAU,
            "cost_in_naswot_evaluations": costs,
            "scores": {name: tau_entry(columns[name], accuracies, resamples) for name in names},
            "reported_cells": len(order) - len(order) // 2, "combinations": combinations}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--scores", default=",".join(SCORES))
    parser.add_argument("--workers", type=int, default=None, help="scoring processes (default: one per CPU)")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples for the tau intervals")
    args = parser.parse_args()
    with store() as results:
        payload = nasbench101_rows(args.cells, args.batch_size, args.scores.split(","), results, args.workers,
                                   args.resamples, parse_score("zero_label"))
    for name, row in {**payload["scores"], **payload["combinations"]}.items():
        low, high = row["kendall_tau_95"]
        print(f"{name:28s} τ {row['kendall_tau']:.3f} [{low:.3f}, {high:.3f}]  ρ {row['spearman_rho']:.3f}")
    write_json("nasbench101", payload)


if __name__ == "__main__":
    main()
