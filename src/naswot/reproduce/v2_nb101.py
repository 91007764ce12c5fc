"""v2 paper, NAS-Bench-101 table, restricted to the 1,000 cells of the project's shared sample."""

from __future__ import annotations

from naswot.reproduce.common import GPU_NOTE, V2_PAPER, ItemResult, Quoted, Settings
from naswot.reproduce.items import ITEMS
from naswot.reproduce.pools import cifar10_batch, scored_pool, search_rows, search_seconds_rows
from naswot.reproduce.strategies import QUICK_RUNS, RUNS, evolution_rows
from naswot.tables import load_table

# The NAS-Bench-101 table of 002_…txt: method, search seconds, CIFAR-10 accuracy.
ACCURACY = {"REA": Quoted("93.87±0.22", V2_PAPER), "AREA": Quoted("93.91±0.29", V2_PAPER),
            "Ours (N=100)": Quoted("91.77±0.05", V2_PAPER)}
SECONDS = {"Ours (N=100)": Quoted("23", V2_PAPER)}
QUICK_CELLS, QUICK_N = 5, 3


def run(settings: Settings, score: str = "naswot") -> ItemResult:
    table = load_table("nasbench101", settings.nasbench101)
    archs = list(table.archs() or [])
    if settings.quick:
        archs = archs[:QUICK_CELLS]
    batch = cifar10_batch(settings, 8 if settings.quick else 128)
    pool = scored_pool(settings, table, archs, score, batch,
                       f"the first {len(archs):,} of the 1,000 shared NAS-Bench-101 cells, {score} on {batch.fingerprint}")
    sizes = (QUICK_N,) if settings.quick else (100,)
    (dataset,) = table.datasets
    result = ItemResult("v2-nb101", "NASWOT v2, NAS-Bench-101 (1,000 shared cells only)", settings.quick)
    result.rows += search_rows(pool, dataset, sizes, ACCURACY, dataset)
    result.rows += search_seconds_rows(pool, sizes, SECONDS)
    rows, evolution_notes = evolution_rows(pool, {dataset: dataset}, budget=max(sizes),
                                           runs=QUICK_RUNS if settings.quick else RUNS, paper={dataset: ACCURACY})
    result.rows += rows
    result.notes += [
        f"Pool: {pool.description}. The paper searched the whole NAS-Bench-101 space; here every search draws from the "
        "1,000 cells whose accuracies the project ships, so its best pick is bounded by theirs.",
        f"Accuracy: {dataset}, the 108-epoch validation accuracy (the only column of the shared sample).",
        GPU_NOTE, *evolution_notes,
    ]
    result.details["pool"] = pool.to_json()
    return result


ITEMS.register("v2-nb101", run)
