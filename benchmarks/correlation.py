"""Rank correlation of naswot, naswot_v1 and params with NAS-Bench-201 test accuracy.

1,000 architectures of the shared seeded sample, one batch of 128 real CIFAR-10 training images.
Yardstick: the v2 paper reports Kendall tau 0.574 for naswot on NAS-Bench-201 CIFAR-10.
"""

from __future__ import annotations

from benchmarks.common import RESULTS, cifar10_batch, nasbench201_sample, nasbench201_table, store, write_json
from naswot.evaluate import rank_correlation
from naswot.executor import score_architectures
from naswot.report.plots import plot_score_vs_accuracy

SCORES = ("naswot", "naswot_v1", "params")
PAPER = {"naswot": {"kendall_tau": 0.574, "source": "NASWOT v2 (Mellor et al.), NAS-Bench-201 CIFAR-10"}}
N = 1000


def main() -> None:
    batch = cifar10_batch(128)
    table = nasbench201_table()
    space, archs = nasbench201_sample(N)
    with store() as results:
        scored = score_architectures(space, archs, SCORES, batch, seed=0, store=results)
    by_dataset = {}
    for dataset in table.datasets:
        accuracies = [table.accuracy(a, dataset) for a in archs]
        by_dataset[dataset] = {}
        panels = {}
        for name in SCORES:
            corr = rank_correlation(scored.values(name, archs), accuracies)
            by_dataset[dataset][name] = {"kendall_tau": corr.kendall_tau, "spearman_rho": corr.spearman_rho,
                                         "undefined": corr.undefined}
            panels[name] = (scored.values(name, archs), accuracies, corr)
        plot_score_vs_accuracy(panels, RESULTS / f"correlation-{dataset}.png", dataset=dataset,
                               subtitle=f"{N} NAS-Bench-201 cells, images: {batch.fingerprint}")
        print(dataset, {k: round(v["kendall_tau"], 3) for k, v in by_dataset[dataset].items()})
    write_json("correlation", {
        "n": N, "batch": batch.fingerprint,
        "note": "the batch is CIFAR-10 images for every accuracy column (no ImageNet16-120 images here)",
        "kendall_tau_naswot_cifar10": by_dataset["cifar10"]["naswot"]["kendall_tau"], "target_kendall_tau": 0.55,
        "results": by_dataset, "paper": PAPER,
    })


if __name__ == "__main__":
    main()
