"""v2 paper, Table 2 (NAS-Bench-201 part): CIFAR-10 test accuracy and search time for N = 10, 100, 1000."""

from __future__ import annotations

from naswot.reproduce.common import GPU_NOTE, IMAGES_NOTE, V1_PAPER, V2_PAPER, ItemResult, Quoted, Settings
from naswot.reproduce.items import ITEMS
from naswot.reproduce.pools import nasbench201_pool, search_rows, search_seconds_rows
from naswot.reproduce.strategies import QUICK_RUNS, RUNS, evolution_rows

SIZES = (10, 100, 1000)
QUICK_SIZES = (10,)
EVOLUTION_BUDGET = 150  # trained networks: the issue's REA/AREA budget beside the papers' REA
# The NAS-Bench-201 table of 002_…txt ("Performance on NAS-Bench-201"): search seconds and CIFAR-10 test accuracy.
ACCURACY = {f"Ours (N={n})": Quoted(text, V2_PAPER) for n, text in
            ((10, "92.44±1.13"), (100, "92.81±0.99"), (1000, "92.96±0.81"))}
# 002_…txt gives no NAS-Bench-201 REA row; v1's Table 1 (004_…txt) does, with the same 12000 s budget.
ACCURACY["REA"] = Quoted("93.92±0.30", V1_PAPER)
SECONDS = {f"Ours (N={n})": Quoted(text, V2_PAPER) for n, text in ((10, "3.05"), (100, "30.01"), (1000, "306.19"))}


def run(settings: Settings, score: str = "naswot") -> ItemResult:
    pool = nasbench201_pool(settings, score, sample=30 if settings.quick else None,
                            batch_size=16 if settings.quick else 128)
    sizes = QUICK_SIZES if settings.quick else SIZES
    result = ItemResult("v2-table2", "NASWOT v2, Table 2: NAS-Bench-201, CIFAR-10", settings.quick)
    result.rows += search_rows(pool, "cifar10", sizes, ACCURACY, "cifar10 test")
    result.rows += search_seconds_rows(pool, sizes, SECONDS)
    budget = max(sizes) if settings.quick else EVOLUTION_BUDGET
    rows, evolution_notes = evolution_rows(pool, {"cifar10": "cifar10 test"}, budget=budget,
                                           runs=QUICK_RUNS if settings.quick else RUNS, paper={"cifar10": ACCURACY})
    result.rows += rows
    result.notes += [f"Pool: {pool.description}.", f"Score: {score}.",
                     "The REA yardstick is v1's (004): the v2 seed (002) prints REA/AREA only for NAS-Bench-101; "
                     "no seed prints AREA on NAS-Bench-201.",
                     IMAGES_NOTE, GPU_NOTE, *evolution_notes]
    result.details["pool"] = pool.to_json()
    return result


ITEMS.register("v2-table2", run)
