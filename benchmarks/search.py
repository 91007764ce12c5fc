"""The random-sampling search, repeated: which CIFAR-10 test accuracy does NASWOT pick with N = 10 and 100?

A pool of 3,000 architectures (the shared seeded sample) is scored once on 128 real CIFAR-10 images;
each of 500 repetitions draws N distinct architectures from the pool and keeps the best-scoring one,
as Algorithm 1 would. Yardstick, the v2 paper: 92.44 +- 1.13 (N=10) and 92.81 +- 0.99 (N=100).
"""

from __future__ import annotations

import statistics

from benchmarks.common import cifar10_batch, nasbench201_sample, nasbench201_table, store, write_json
from naswot.evaluate import simulate_search
from naswot.executor import score_architectures

POOL = 3000
REPETITIONS = 500
PAPER = {10: (92.44, 1.13), 100: (92.81, 0.99)}


def main() -> None:
    batch = cifar10_batch(128)
    table = nasbench201_table()
    space, archs = nasbench201_sample(POOL)
    with store() as results:
        scored = score_architectures(space, archs, ["naswot"], batch, seed=0, store=results)
    scores = scored.values("naswot", archs)
    accuracies = [table.accuracy(a, "cifar10") for a in archs]
    seconds_per_arch = statistics.median(scored.results["naswot"][str(a)].seconds for a in archs)
    rows = {}
    for n, (paper_mean, paper_std) in PAPER.items():
        outcome = simulate_search(scores, accuracies, sample_size=n, repetitions=REPETITIONS, seed=0)
        rows[n] = {"mean": outcome.mean, "std": outcome.std, "optimal_mean": outcome.optimal_mean,
                   "paper_mean": paper_mean, "paper_std": paper_std,
                   "search_seconds_one_core": n * seconds_per_arch}
        print(f"N={n}: {outcome.mean:.2f} +- {outcome.std:.2f} (paper {paper_mean} +- {paper_std}, "
              f"best possible {outcome.optimal_mean:.2f}), ~{n * seconds_per_arch:.1f} s on one core")
    write_json("search", {"pool": POOL, "repetitions": REPETITIONS, "batch": batch.fingerprint,
                          "median_score_seconds": seconds_per_arch, "pool_mean_accuracy": statistics.mean(accuracies),
                          "results": {str(n): row for n, row in rows.items()}})


if __name__ == "__main__":
    main()
