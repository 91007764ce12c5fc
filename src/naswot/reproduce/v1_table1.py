"""v1 paper, Table 1: NAS-Bench-201 test accuracy of the training-free search for several N, 500 runs."""

from __future__ import annotations

from naswot.reproduce.common import GPU_NOTE, IMAGES_NOTE, V1_PAPER, ItemResult, Quoted, Settings
from naswot.reproduce.items import ITEMS
from naswot.reproduce.pools import nasbench201_pool, search_rows, search_seconds_rows
from naswot.reproduce.strategies import QUICK_RUNS, RUNS, evolution_rows

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
SIZES = (10, 25, 50, 75, 100)
QUICK_SIZES = (10, 25)


def _table(rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, Quoted]]:
    """Per column, the quoted test accuracies (search seconds first) of v1 Table 1."""
    columns = ("search s", *DATASETS)
    return {column: {label: Quoted(values[i], V1_PAPER) for label, values in rows.items() if values[i]}
            for i, column in enumerate(columns)}


# Table 1 of 004_…txt: search seconds, then the test columns of CIFAR-10, CIFAR-100, ImageNet-16-120.
PAPER = _table({
    "REA": ("12000", "93.92±0.30", "71.84±0.99", "45.54±1.03"),
    "Ours (N=10)": ("1.7", "91.53±1.62", "66.63±3.14", "38.33±5.22"),
    "Ours (N=25)": ("4.8", "91.78±1.45", "67.05±2.89", "37.07±6.39"),
    "Ours (N=50)": ("9.7", "91.73±1.48", "66.93±2.99", "36.67±6.61"),
    "Ours (N=75)": ("14.6", "91.68±1.53", "66.91±3.04", "36.30±6.88"),
    "Ours (N=100)": ("17.4", "91.61±1.71", "66.56±3.28", "36.37±6.97"),
    "Random": ("", "86.61±13.46", "60.83±12.58", "33.13±9.66"),
    "Optimal (N=10)": ("", "93.06±0.59", "69.76±1.25", "43.30±1.87"),
    "Optimal (N=100)": ("", "93.84±0.23", "71.56±0.78", "45.67±0.64"),
})


def run(settings: Settings, score: str = "naswot") -> ItemResult:
    """Every row of Table 1 we can measure, from the whole scored space (a small sample when quick)."""
    pool = nasbench201_pool(settings, score, sample=30 if settings.quick else None,
                            batch_size=16 if settings.quick else 128)
    sizes = QUICK_SIZES if settings.quick else SIZES
    result = ItemResult("v1-table1", "NASWOT v1, Table 1: NAS-Bench-201 search without training", settings.quick)
    for dataset in DATASETS:
        result.rows += search_rows(pool, dataset, sizes, PAPER[dataset], f"{dataset} test")
    result.rows += search_seconds_rows(pool, sizes, PAPER["search s"])
    rows, evolution_notes = evolution_rows(pool, {d: f"{d} test" for d in DATASETS}, budget=max(sizes),
                                           runs=QUICK_RUNS if settings.quick else RUNS, paper=PAPER)
    result.rows += rows
    result.notes += [
        f"Pool: {pool.description}.",
        f"Score: {score} (the v2 paper's log|K_H|; v1's Table 1 used its Jacobian score, `naswot_v1`).",
        "The paper's validation columns are not reproduced: the shipped table holds test accuracies only.",
        IMAGES_NOTE, GPU_NOTE, *evolution_notes,
    ]
    result.details["pool"] = pool.to_json()
    return result


ITEMS.register("v1-table1", run)
