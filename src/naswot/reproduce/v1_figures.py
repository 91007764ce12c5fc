"""v1 paper, Figures 1, 3, 4, 5 and 6 (and the ablation's rank claim), plus v2's K_H heat maps.

Figures 1, 3, 4 and 5 use the v1 paper's own score (``naswot_v1``: the spectrum of the Jacobian
correlations); the rank claim, Figure 6 and the heat maps use v2's ``naswot`` (log|K_H|).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from scipy import stats

from naswot.compute import build_network
from naswot.data import Batch, synthetic_batch
from naswot.evaluate import rank_correlation, simulate_search
from naswot.executor import score_architectures
from naswot.report.plots import (
    plot_ablation,
    plot_correlation_histograms,
    plot_kernels,
    plot_score_vs_accuracy,
    plot_time_vs_accuracy,
)
from naswot.reproduce import v1_table1
from naswot.reproduce.common import IMAGES_NOTE, THESIS, V1_PAPER, ItemResult, Quoted, Row, Settings
from naswot.reproduce.items import ITEMS
from naswot.reproduce.pools import SEED, ScoredPool, cifar10_batch, nasbench201_pool
from naswot.reproduce.strategies import QUICK_RUNS, RUNS, repeated_searches
from naswot.scores.jacob_cov import input_jacobians
from naswot.scores.naswot import hamming_kernel
from naswot.spaces.nasbench201 import conv_parameter_count
from naswot.spaces.zoo import ZooModel, ZooSpace
from naswot.tables import load_table

V1_SCORE = "naswot_v1"
# Figure 1's columns, as the seed labels them (CIFAR-10 accuracy when trained).
BINS = (("< 60.0%", -math.inf, 60.0), ("[60.0% , 70.0%)", 60.0, 70.0), ("[70.0% , 80.0%)", 70.0, 80.0),
        ("[80.0% , 90.0%)", 80.0, 90.0), (">= 90.0%", 90.0, math.inf))
FIGURE1_CLAIM = Quoted("this distribution narrows towards zero correlation for networks that attain higher performance "
                       "when trained", V1_PAPER)
FIGURE3_CLAIM = Quoted("For all datasets there is a strong correlation between our score and the final accuracy, "
                       "although it is noisier for ImageNet", V1_PAPER)
THESIS_TAU = Quoted("0.574", THESIS)  # the thesis quotes v2's Kendall tau on 1000 NAS-Bench-201 cells
RANK_BY_SCORE, RANK_BY_PARAMS = Quoted("667", V1_PAPER), Quoted("8597", V1_PAPER)
ABLATION_CLAIMS = {
    "minibatch": Quoted("the ranking of the scores is reasonably robust to the specific minibatch used", V1_PAPER),
    "initialisation": Quoted("specific initialisations of the network has a larger effect on the score", V1_PAPER),
    "Gaussian input": Quoted("The input data has the least effect on the score", V1_PAPER),
}
ZOO_CLAIM = Quoted("a statistically significant linear association was found even when correcting for number of "
                   "parameters", V1_PAPER)
QUICK_ZOO = ("resnet20_cifar10", "preresnet20_cifar10", "seresnet20_cifar10", "nin_cifar10")
ZOO_MAX_PARAMS = 5_000_000
"""Fig. 5 leaves out the largest pytorchcv models: one Jacobian of DenseNet-BC-190 on 128 images is minutes of CPU."""
V1_SAMPLE = 200
"""Cells scored with v1's Jacobian score for Fig. 3 and 4 (the paper: 1,000; about a CPU-second each at 128 images)."""
# Figure 6 plots every method of Table 1 (004_…txt): search seconds and CIFAR-10 test accuracy.
FIGURE6_PAPER = {"RS": ("12000", "93.70"), "REINFORCE": ("12000", "93.85"), "BOHB": ("12000", "93.61"),
                 "RSPS": ("7587", "87.66"), "DARTS-V1": ("10890", "54.30"), "DARTS-V2": ("29902", "54.30"),
                 "GDAS": ("28926", "93.51"), "SETN": ("31010", "86.19"), "ENAS": ("13315", "54.30")}


def run(settings: Settings) -> ItemResult:
    quick = settings.quick
    batch_size = 16 if quick else 128
    result = ItemResult("v1-figures", "NASWOT v1, Figures 1, 3-6, and v2's K_H heat maps", quick)
    sample = nasbench201_pool(settings, V1_SCORE, sample=12 if quick else V1_SAMPLE, batch_size=batch_size)
    naswot_sample = nasbench201_pool(settings, "naswot", sample=12 if quick else 1000, batch_size=batch_size)
    space_pool = nasbench201_pool(settings, "naswot", sample=30 if quick else None, batch_size=batch_size)
    figure1(settings, sample, result)
    figure3(settings, sample, naswot_sample, result)
    rank_claim(space_pool, result)
    figure4(settings, sample, result)
    figure5(settings, result)
    figure6(settings, space_pool, result)
    kernels(settings, naswot_sample, result)
    result.notes += [IMAGES_NOTE, "Accuracies are NAS-Bench-201 test accuracies; v1's figures 1 and 3 used validation "
                     "accuracy, which the shipped table lacks."]
    return result


def jacobian_correlations(net: torch.nn.Module, batch: Batch) -> np.ndarray:
    """The off-diagonal entries of Σ_J, the correlations of the images' input Jacobians (v1's eq. 1)."""
    jacobians = input_jacobians(net.train(), batch.images).numpy().astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.corrcoef(jacobians)
    values = matrix[np.triu_indices(len(matrix), k=1)]
    return values[np.isfinite(values)]


def figure1(settings: Settings, sample: ScoredPool, result: ItemResult) -> None:
    """Histograms of Σ_J for untrained cells, a column per trained-accuracy bin (v1: 256 images).

    The cells of each bin are the first of the whole table, in a seeded random order, to reach that bin
    (skipping cells whose Jacobians are constant, which have no correlations).
    """
    per_bin = 1 if settings.quick else 3
    batch = cifar10_batch(settings, 16 if settings.quick else 256)
    table = load_table("nasbench201", settings.nasbench201)
    order = [table.arch_at(int(i)) for i in np.random.default_rng(SEED).permutation(len(table))]
    columns: dict[str, list[tuple[str, np.ndarray]]] = {}
    for label, low, high in BINS:
        cells = []
        for arch in (a for a in order if low <= table.accuracy(a, "cifar10") < high):
            correlations = jacobian_correlations(build_network(sample.space, arch, SEED, batch.num_classes), batch)
            if len(correlations):  # a cell whose output is constant has no correlations to draw
                cells.append((f"{table.accuracy(arch, 'cifar10'):.2f}%", correlations))
            if len(cells) == per_bin:
                break
        columns[label] = cells
        spread = [float(np.std(c)) for _, c in cells]
        result.rows.append(Row(f"Fig. 1 {label}", "std of Σ_J entries", float(np.mean(spread)) if spread else None, None,
                               FIGURE1_CLAIM if high == math.inf else None, f"{len(spread)} cell(s), {len(batch)} images"))
    result.figures.append(plot_correlation_histograms(columns, settings.out / "v1_figure1_jacobian_correlations.png"))


def figure3(settings: Settings, sample: ScoredPool, naswot_sample: ScoredPool, result: ItemResult) -> None:
    """Score against accuracy for the sample, one panel per data set."""
    panels = {}
    for dataset, accuracies in sample.accuracies.items():
        corr = rank_correlation(sample.scores, accuracies)
        panels[dataset] = (sample.scores, accuracies, corr)
        result.rows.append(Row(f"Fig. 3 {dataset}", f"Kendall tau ({V1_SCORE})", corr.kendall_tau, None,
                               FIGURE3_CLAIM if dataset == "ImageNet16-120" else None, f"{len(sample)} cells"))
    tau = rank_correlation(naswot_sample.scores, naswot_sample.accuracies["cifar10"]).kendall_tau
    result.rows.append(Row("Fig. 3 cifar10", "Kendall tau (naswot, v2)", tau, None, THESIS_TAU,
                           f"{len(naswot_sample)} cells; the thesis quotes v2's tau on 1000 cells"))
    result.figures.append(plot_score_vs_accuracy(panels, settings.out / "v1_figure3_score_vs_accuracy.png",
                                                 dataset="NAS-Bench-201", x_label=f"{V1_SCORE} score at initialisation",
                                                 subtitle=sample.description))
    result.details["figure3"] = sample.to_json()


def _rank(values: np.ndarray, index: int) -> int:
    """1 + how many entries beat ``values[index]`` (the best has rank 1)."""
    return int((values > values[index]).sum()) + 1


def rank_claim(pool: ScoredPool, result: ItemResult) -> None:
    """v1's ablation: where the score and the parameter count rank the smallest cell above 90% on CIFAR-10."""
    accuracies = pool.accuracies["cifar10"]
    params = np.array([conv_parameter_count(a) for a in pool.archs], dtype=float)
    above = np.flatnonzero(accuracies > 90.0)
    note = f"of {len(pool):,} ({pool.description}); test accuracy > 90% (paper: validation)"
    if not len(above):
        result.rows.append(Row("smallest cell > 90%: rank by score", "rank", None, None, RANK_BY_SCORE,
                               f"no cell of the pool reaches 90%: {note}"))
        return
    smallest = int(above[np.argmin(params[above])])
    result.rows += [Row("smallest cell > 90%: rank by score", "rank", _rank(pool.scores, smallest), None, RANK_BY_SCORE, note),
                    Row("smallest cell > 90%: rank by #params", "rank", _rank(params, smallest), None, RANK_BY_PARAMS, note)]
    result.details["smallest_above_90"] = str(pool.archs[smallest])


def figure4(settings: Settings, sample: ScoredPool, result: ItemResult) -> None:
    """The score of a few cells over several minibatches, initialisations and Gaussian inputs."""
    cells = sample.archs[:3 if settings.quick else 8]
    repeats = 2 if settings.quick else 10
    batch_size = 16 if settings.quick else 128
    accuracies = sample.accuracies["cifar10"][:len(cells)]
    runs: dict[str, list[tuple[Batch, int]]] = {
        "minibatch": [(cifar10_batch(settings, batch_size, seed=r), SEED) for r in range(repeats)],
        "initialisation": [(cifar10_batch(settings, batch_size), r) for r in range(repeats)],
        "Gaussian input": [(synthetic_batch(batch_size, r), SEED) for r in range(repeats)],
    }
    panels = {}
    for name, settings_list in runs.items():
        values = np.array([score_architectures(sample.space, cells, [V1_SCORE], batch, seed=seed, store=settings.store,
                                               compute=settings.compute).values(V1_SCORE, cells)
                           for batch, seed in settings_list]).T  # cells x repeats
        panels[f"({'abc'[len(panels)]}) {name}"] = (accuracies, values.tolist())
        finite = np.where(np.isfinite(values), values, np.nan)
        means = np.nanmean(finite, axis=1)
        noise = float(np.nanmean(np.nanstd(finite, axis=1)) / np.nanstd(means))
        tau = rank_correlation(np.nan_to_num(means, nan=-math.inf), accuracies).kendall_tau
        result.rows += [Row(f"Fig. 4 {name}", "within-cell std / between-cell std", noise, None, ABLATION_CLAIMS[name],
                            f"{len(cells)} cells x {repeats} repeats"),
                        Row(f"Fig. 4 {name}", "Kendall tau of mean score", tau, None, None, f"{len(cells)} cells")]
    result.figures.append(plot_ablation(panels, settings.out / "v1_figure4_ablations.png", score=V1_SCORE))


def published_accuracy(model: ZooModel) -> float | None:
    """pytorchcv's published CIFAR-10 test accuracy: its model store keeps each model's error in 1/100 %."""
    from pytorchcv.models.model_store import _model_sha1

    entry = _model_sha1.get(model.function)
    return None if entry is None else 100.0 - int(entry[0]) / 100.0


def partial_correlation(x: np.ndarray, y: np.ndarray, control: np.ndarray) -> tuple[float, float]:
    """Pearson r of x and y after regressing both on ``control`` (with an intercept), and its p-value."""
    design = np.column_stack([np.ones_like(control), control])
    residual = [v - design @ np.linalg.lstsq(design, v, rcond=None)[0] for v in (x, y)]
    r = float(np.corrcoef(*residual)[0, 1])
    dof = len(x) - 3
    t = r * math.sqrt(dof / max(1e-300, 1 - r * r))
    return r, float(2 * stats.t.sf(abs(t), dof))


def figure5(settings: Settings, result: ItemResult) -> None:
    """pytorchcv's CIFAR-10 models, untrained: mean score over initialisations vs published test accuracy."""
    space = ZooSpace()
    models = [m for m in space.models() if published_accuracy(m) is not None]
    if settings.quick:
        models = [m for m in models if m.function in QUICK_ZOO]
    inits = 1 if settings.quick else 3
    batch = cifar10_batch(settings, 8 if settings.quick else 128)
    params = np.array(score_architectures(space, models, ["params"], batch, seed=SEED, store=settings.store,
                                          compute=settings.compute
                                          ).values("params", models))
    small = params <= ZOO_MAX_PARAMS
    left_out = len(models) - int(small.sum())
    models, params = [m for m, k in zip(models, small) if k], params[small]
    runs = np.array([score_architectures(space, models, [V1_SCORE], batch, seed=seed, store=settings.store,
                                         compute=settings.compute
                                         ).values(V1_SCORE, models) for seed in range(inits)])
    keep = np.isfinite(runs).all(axis=0)
    scores, accuracies = runs[:, keep].mean(axis=0), np.array([published_accuracy(m) for m in models])[keep]
    names = [m.function.removesuffix("_cifar10") for m, k in zip(models, keep) if k]
    r = float(stats.pearsonr(scores, accuracies).statistic)
    partial, p_value = partial_correlation(scores, accuracies, np.log10(params[keep]))
    note = (f"{int(keep.sum())} models ({int((~keep).sum())} with an undefined score and {left_out} above "
            f"{ZOO_MAX_PARAMS:,} parameters left out), {inits} init(s)")
    result.rows += [Row("Fig. 5 pytorchcv", "Pearson r (score, accuracy)", r, None, None, note),
                    Row("Fig. 5 pytorchcv", "partial r given log10 #params", partial, None, ZOO_CLAIM, note),
                    Row("Fig. 5 pytorchcv", "p-value of the partial r", p_value, None, None, "t test, n - 3 degrees of freedom")]
    panels = {V1_SCORE: (scores, accuracies, rank_correlation(scores, accuracies))}
    result.figures.append(plot_score_vs_accuracy(panels, settings.out / "v1_figure5_pytorchcv.png",
                                                 dataset="CIFAR-10 (published)", labels={V1_SCORE: names},
                                                 subtitle="pytorchcv CIFAR-10 models, untrained"))
    result.notes.append("Fig. 5: published accuracy = 100 - error, the error pytorchcv 0.0.67 keeps per model in "
                        "pytorchcv.models.model_store._model_sha1 (in 1/100 %); models without one are left out.")
    result.details["figure5"] = {"models": names, "scores": scores.tolist(), "accuracies": accuracies.tolist(),
                                 "params": params[keep].tolist()}


def figure6(settings: Settings, pool: ScoredPool, result: ItemResult) -> None:
    """Search time against the CIFAR-10 accuracy found: the paper's methods (GPU s) and our searches (CPU s).

    Ours: random sampling for each N, and ``evolve`` (evolution on the score, no training) with N scores.
    """
    sizes: Sequence[int] = v1_table1.QUICK_SIZES if settings.quick else (*v1_table1.SIZES, 1000)
    per_arch = float(pool.seconds.mean())
    ours = [(n * per_arch, simulate_search(pool.scores, pool.accuracies["cifar10"], n, seed=SEED).mean, f"N={n}")
            for n in sizes]
    paper = [(Quoted(s, V1_PAPER).value, Quoted(a, V1_PAPER).value, name) for name, (s, a) in FIGURE6_PAPER.items()]
    paper += [(quote.value, v1_table1.PAPER["cifar10"][label].value, label)
              for label, quote in v1_table1.PAPER["search s"].items()]
    runs = QUICK_RUNS if settings.quick else RUNS
    evolve = [(repeated.summary()["search_seconds"], float(repeated.accuracies().mean()), f"n={n}")
              for n in sizes for repeated in repeated_searches(pool, "cifar10", budget=n, runs=runs, labels=("evolve",)).values()]
    trained = repeated_searches(pool, "cifar10", budget=max(sizes), runs=runs, labels=("REA", "AREA"))
    series = {"seed 004, Table 1 (GPU s)": paper, f"ours: random sampling, {pool.score} (CPU s)": ours,
              f"ours: evolve on {pool.score} (CPU s)": evolve}
    result.notes.append("Fig. 6: our REA and AREA have no place on the time axis (the shipped table has no training "
                        f"times); with {max(sizes)} trained networks they reach " + ", ".join(
                            f"{label} {repeated.accuracies().mean():.2f}" for label, repeated in trained.items()) + ".")
    result.figures.append(plot_time_vs_accuracy(series, settings.out / "v1_figure6_time_vs_accuracy.png",
                                                y_label="CIFAR-10 test accuracy (%)"))
    result.details["figure6"] = {name: points for name, points in series.items()}


def kernels(settings: Settings, sample: ScoredPool, result: ItemResult) -> None:
    """v2's K_H / N_A for the most and the least accurate cell of the sample whose score is defined."""
    defined = np.flatnonzero(np.isfinite(sample.scores))
    accuracies = sample.accuracies["cifar10"]
    chosen = {"good": int(defined[np.argmax(accuracies[defined])]), "bad": int(defined[np.argmin(accuracies[defined])])}
    batch = cifar10_batch(settings, 16 if settings.quick else 128)
    maps = {}
    for label, i in chosen.items():
        net = build_network(sample.space, sample.archs[i], SEED, batch.num_classes).train()
        with torch.no_grad():
            kernel = hamming_kernel(net, batch.images).numpy()
        maps[f"{label}: {accuracies[i]:.2f}%, log|K_H| = {sample.scores[i]:.1f}\n{sample.archs[i]}"] = kernel / kernel[0, 0]
        result.rows.append(Row(f"K_H {label} cell", "mean off-diagonal K_H / N_A", float(_off_diagonal(kernel / kernel[0, 0])),
                               None, None, f"{sample.archs[i]} ({accuracies[i]:.2f}%)"))
    result.figures.append(plot_kernels(maps, settings.out / "v2_kernels_good_bad.png"))


def _off_diagonal(matrix: np.ndarray) -> float:
    return float(matrix[~np.eye(len(matrix), dtype=bool)].mean())


ITEMS.register("v1-figures", run)
