"""The zero-cost proxies of the field and their ensembles, side by side on NAS-Bench-201.

1,000 architectures of the shared seeded sample, one batch of 128 real CIFAR-10 training images and
network seed 0 for every score. The same CIFAR-10 images are used for all three accuracy columns
(no ImageNet16-120 images are available here), so the CIFAR-100 and ImageNet16-120 columns measure
how well CIFAR-10 scores transfer. For each score and ensemble:
- Kendall tau and Spearman rho against the 200-epoch test accuracy on CIFAR-10, CIFAR-100 and
  ImageNet16-120, on all 1,000 architectures and on the 800 that no learned ensemble saw;
- its time as a ratio to one plain forward pass of the same network on the same batch, both
  measured in this run on one thread, over the first 20 architectures (an ensemble costs the sum
  of its scores);
- the random-sampling search (best score of N = 100 drawn architectures, 500 repetitions).
Zero-label ensembles combine fixed sets of scores chosen before looking at any accuracy. The
learned ensemble is fitted on the first 200 architectures with their accuracies and judged on the
other 800 (its search too draws from those 800). Scoring is resumable through the shared store,
50 architectures at a time.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from benchmarks.common import RESULTS, cifar10_batch, forward_seconds, nasbench201_sample, nasbench201_table, store, write_json
from naswot.ensemble import rank_mean, rank_product
from naswot.evaluate import rank_correlation, simulate_search
from naswot.executor import ScoreTable, build_network, score_architectures
from naswot.learned_ensemble import LearnedEnsemble, fit_learned_ensemble
from naswot.scores import compute_score, get_score

N = 1000
CHUNK = 50
LABELLED = 200
TIMED = 20
SEARCH_N, REPETITIONS = 100, 500
SCORES = ("naswot", "naswot_v1", "params", "synflow", "snip", "grad_norm", "grasp", "fisher", "epe_nas", "zen",
          "flops", "naswot_norm", "naswot_last1", "naswot_last3")
ZERO_LABEL_SETS = {
    "naswot+synflow": ("naswot", "synflow"),
    # one score per aspect AZ-NAS names: expressivity, trainability, progressivity, complexity
    "aspects": ("naswot", "synflow", "zen", "flops"),
    # the three best Spearman rho Abdelfattah et al. publish for NAS-Bench-201 CIFAR-10
    "published_top3": ("synflow", "naswot_v1", "snip"),
    "all": SCORES,
}
PUBLISHED = {  # Spearman rho on NAS-Bench-201 CIFAR-10, Abdelfattah et al. 2021 (Table 3)
    "synflow": 0.74, "naswot_v1": 0.73, "snip": 0.60, "grad_norm": 0.59, "grasp": 0.51, "fisher": 0.36,
}
YARDSTICKS = {"AZ-NAS kendall_tau (CIFAR-10)": 0.741, "best published ensemble kendall_tau (CIFAR-10)": 0.794}
TARGETS = {"zero_label_kendall_tau": 0.75, "learned_kendall_tau": 0.80, "search_mean_n100": 93.5}


def score_sample() -> ScoreTable:
    """Every score of the shared 1,000-architecture sample, 50 architectures at a time; resumes from the store."""
    batch = cifar10_batch(128)
    space, archs = nasbench201_sample(N)
    table = ScoreTable({name: {} for name in SCORES})
    with store() as results:
        for start in range(0, N, CHUNK):
            chunk = score_architectures(space, archs[start:start + CHUNK], SCORES, batch, seed=0, store=results)
            for name in SCORES:
                table.results[name].update(chunk.results[name])
            print(f"scored {min(start + CHUNK, N)} of {N}", flush=True)
    return table


def time_ratios() -> dict[str, float]:
    """Median over the first architectures of (score seconds / forward seconds), one thread, this run."""
    torch.set_num_threads(1)
    batch = cifar10_batch(128)
    space, archs = nasbench201_sample(TIMED)
    ratios: dict[str, list[float]] = {name: [] for name in SCORES}
    for arch in archs:
        net = build_network(space, arch, 0, batch.num_classes)
        forward = forward_seconds(net, batch.images, repeats=3)
        for name in SCORES:
            ratios[name].append(compute_score(get_score(name), net, batch).seconds / forward)
    return {name: statistics.median(values) for name, values in ratios.items()}


def quality(values: Sequence[float], accuracies: Sequence[float], held_out: slice) -> dict[str, float]:
    everything = rank_correlation(values, accuracies)
    unseen = rank_correlation(values[held_out], accuracies[held_out])
    return {"kendall_tau": everything.kendall_tau, "spearman_rho": everything.spearman_rho,
            "kendall_tau_held_out": unseen.kendall_tau, "spearman_rho_held_out": unseen.spearman_rho,
            "undefined": everything.undefined}


def evaluate_dataset(columns: Mapping[str, np.ndarray], accuracies: np.ndarray, dataset: str,
                     ratios: Mapping[str, float]) -> tuple[dict[str, Any], LearnedEnsemble]:
    """Every row of the table for one accuracy column; the learned ensemble is fitted on this column's labels."""
    held_out = slice(LABELLED, None)
    rows: dict[str, Any] = {}
    for name, values in columns.items():
        search = simulate_search(values, accuracies, SEARCH_N, REPETITIONS, seed=0)
        rows[name] = {**quality(values, accuracies, held_out), "time_ratio": ratios[name], "search_mean": search.mean,
                      "search_std": search.std, "labelled": 0}
    for set_name, members in ZERO_LABEL_SETS.items():
        for method, combine in (("rank_mean", rank_mean), ("rank_product", rank_product)):
            values = combine({m: columns[m] for m in members})
            search = simulate_search(values, accuracies, SEARCH_N, REPETITIONS, seed=0)
            rows[f"{method}({set_name})"] = {
                **quality(values, accuracies, held_out), "members": list(members), "labelled": 0,
                "time_ratio": sum(ratios[m] for m in members), "search_mean": search.mean, "search_std": search.std}
    ensemble = fit_learned_ensemble({n: columns[n][:LABELLED] for n in SCORES}, accuracies[:LABELLED],
                                    dataset=dataset, seed=0)
    predicted = ensemble.predict({n: columns[n][held_out] for n in SCORES})
    unseen = rank_correlation(predicted, accuracies[held_out])
    search = simulate_search(predicted, accuracies[held_out], SEARCH_N, REPETITIONS, seed=0)
    rows["learned(all)"] = {
        "kendall_tau_held_out": unseen.kendall_tau, "spearman_rho_held_out": unseen.spearman_rho,
        "undefined": 0, "members": list(SCORES), "labelled": ensemble.labelled,
        "cv_kendall_tau": ensemble.cv_kendall_tau, "target": ensemble.target, "settings": ensemble.settings,
        "description": ensemble.describe(),
        "time_ratio": sum(ratios[m] for m in SCORES), "search_mean": search.mean, "search_std": search.std,
        "search_pool": N - LABELLED}
    return rows, ensemble


def markdown(results: Mapping[str, Mapping[str, Any]], batch: str) -> str:
    """One table: correlations for the three accuracy columns, cost, search, and the published value."""
    datasets = list(results)
    header = ["score", *(f"{d} τ / ρ" for d in datasets), f"CIFAR-10 τ ({N - LABELLED} unseen)", "× forward",
              f"search N={SEARCH_N} (CIFAR-10)", "published ρ"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in results[datasets[0]].items():
        cells = [f"`{name}`"]
        for d in datasets:
            r = results[d][name]
            cells.append(f"{r['kendall_tau']:.3f} / {r['spearman_rho']:.3f}" if "kendall_tau" in r else "—")
        cells += [f"{row['kendall_tau_held_out']:.3f}", f"{row['time_ratio']:.1f}",
                  f"{row['search_mean']:.2f} ± {row['search_std']:.2f}", f"{PUBLISHED[name]:.2f}" if name in PUBLISHED else ""]
        lines.append("| " + " | ".join(cells) + " |")
    learned = results[datasets[0]]["learned(all)"]
    notes = [
        "",
        f"{N} NAS-Bench-201 architectures (seeded sample), one batch {batch}: CIFAR-10 images for all three "
        "accuracy columns (no ImageNet16-120 images here). `naswot_v1` is the literature's `jacov`.",
        f"Zero-label ensembles use no accuracies. `learned(all)` was fitted on {learned['labelled']} labelled "
        f"architectures (the first {LABELLED} of the sample) and is judged on the other {N - LABELLED} only, "
        f"its search drawing from those {N - LABELLED}; {learned['description']}.",
        "Yardsticks: " + "; ".join(f"{k} {v}" for k, v in YARDSTICKS.items())
        + "; published ρ: Abdelfattah et al., CIFAR-10.",
    ]
    return "\n".join(lines + notes) + "\n"


def main() -> None:
    table = nasbench201_table()
    space, archs = nasbench201_sample(N)
    scored = score_sample()
    columns = {name: np.asarray(scored.values(name, archs)) for name in SCORES}
    ratios = time_ratios()
    results, ensembles = {}, {}
    for dataset in table.datasets:
        accuracies = np.asarray([table.accuracy(a, dataset) for a in archs])
        results[dataset], ensembles[dataset] = evaluate_dataset(columns, accuracies, dataset, ratios)
    path = RESULTS / "learned-ensemble-cifar10.pkl"
    ensembles["cifar10"].save(path)
    reloaded = LearnedEnsemble.load(path).predict({n: columns[n][LABELLED:] for n in SCORES})
    assert np.array_equal(reloaded, ensembles["cifar10"].predict({n: columns[n][LABELLED:] for n in SCORES}))
    batch = cifar10_batch(128).fingerprint
    (RESULTS / "proxies.md").write_text(markdown(results, batch))
    c10 = results["cifar10"]
    zero_label = {k: v for k, v in c10.items() if k.startswith("rank_")}
    best_zero = max(zero_label, key=lambda k: zero_label[k]["kendall_tau"])
    write_json("proxies", {
        "n": N, "batch": batch, "seed": 0, "labelled_for_learned": LABELLED, "timed_architectures": TIMED,
        "search": {"n": SEARCH_N, "repetitions": REPETITIONS},
        "note": "CIFAR-10 images for every accuracy column; naswot_v1 is jacov; time ratios are medians over "
                f"the first {TIMED} architectures, one thread",
        "best_zero_label": best_zero, "best_zero_label_kendall_tau": zero_label[best_zero]["kendall_tau"],
        "learned_kendall_tau_held_out": c10["learned(all)"]["kendall_tau_held_out"],
        "best_search_mean": max(r["search_mean"] for r in c10.values()),
        "targets": TARGETS, "published_spearman_rho": PUBLISHED, "yardsticks": YARDSTICKS,
        "results": results, "learned_ensemble_file": str(path),
    })
    print((RESULTS / "proxies.md").read_text())


if __name__ == "__main__":
    main()
