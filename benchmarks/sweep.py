"""A whole NAS-Bench-201 sweep, end to end through the real `naswot sweep` command, against its forward floor.

The command runs in a subprocess exactly as a user would type it (batch 128, seed 0, the benchmarks'
store), and is timed from outside with its peak resident memory (the largest of its processes) and
the machine's load average. The floor is what the sweep cannot beat: each cell built and run once on
one thread, by as many processes as workers started together (benchmarks/throughput.py's floor); it is
estimated in the same run from a seeded sample of cells (timing every cell would cost as much as the sweep).
Rerunning on a full store measures nothing new, so pass a fresh ``--store`` for a new measurement (and
for ``--dedupe``, whose wall time means something only on a store that does not already hold the cells).
Kendall tau against CIFAR-10 accuracy over all cells is read back from the store, so the with- and
without-dedupe runs can be compared.

    python -m benchmarks.sweep [--workers 2] [--dedupe] [--store PATH] [--floor-cells 300]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import (
    RESULTS,
    SEED,
    SHARED,
    cifar10_batch,
    nasbench201_sample,
    nasbench201_table,
    write_json,
)
from benchmarks.throughput import floor_seconds
from naswot.spaces.nasbench201 import NasBench201Space

BATCH = 128


def sweep_command(store: str, workers: int, dedupe: bool, json_path: str) -> list[str]:
    return [sys.executable, "-m", "naswot", "sweep", "--space", "nasbench201", "--score", "naswot", "--seed", str(SEED),
            "--data", "cifar10", "--data-root", str(SHARED / "cifar-10-batches-py"), "--batch-size", str(BATCH),
            "--store", store, "--workers", str(workers), "--json", json_path, *(["--dedupe"] if dedupe else [])]


def forward_floor(cells: int, workers: int, total: int) -> dict[str, float]:
    """The sweep's floor, from a seeded sample of cells each built and run once by ``workers`` processes started
    together (benchmarks/throughput.py's floor), scaled to ``total`` cells."""
    _, archs = nasbench201_sample(cells, seed=SEED + 1)
    sample_wall = floor_seconds("nasbench201", archs, BATCH, workers)
    return {"cells_timed": cells, "sample_floor_seconds": sample_wall, "floor_seconds": sample_wall * total / cells}


def correlation(store: str, dedupe: bool) -> dict[str, dict[str, float | int]]:
    """Kendall tau and Spearman rho of the sweep's naswot scores against CIFAR-10 accuracy over the swept cells
    (with dedupe, each copy holds its class's value). A plain sweep also reports the tau a dedupe sweep gives:
    the same seeds give each class's first cell the same value either way, so it needs no second sweep."""
    from naswot.evaluate import rank_correlation
    from naswot.keys import KeyBuilder
    from naswot.scores import get_score
    from naswot.spaces.nasbench201_classes import equivalence_classes
    from naswot.store import Store

    table = nasbench201_table()
    space = NasBench201Space()
    cells = list(space)
    key = KeyBuilder(space, cifar10_batch(BATCH), SEED, "cpu").key(cells[0], get_score("naswot"))
    with Store(store) as results:
        values = {text: r.value for text, r in results.get_many(key, [str(cell) for cell in cells], copies=dedupe).items()}
    first = {str(m): str(members[0]) for members in equivalence_classes(cells).values() for m in members}
    views = {"deduplicated" if dedupe else "plain": values}
    if not dedupe:
        views["as_deduplicated"] = {text: values[first[text]] for text in values if first[text] in values}
    out = {}
    for name, view in views.items():
        held = [cell for cell in cells if str(cell) in view]
        corr = rank_correlation([view[str(c)] for c in held], [table.accuracy(c, "cifar10") for c in held])
        out[name] = {"cells": len(held), "kendall_tau": corr.kendall_tau, "spearman_rho": corr.spearman_rho,
                     "undefined": corr.undefined}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dedupe", action="store_true", help="Score one cell per class of equivalent cells.")
    parser.add_argument("--store", default=str(RESULTS / "scores.db"))
    parser.add_argument("--floor-cells", type=int, default=300)
    args = parser.parse_args()
    name = "sweep-dedupe" if args.dedupe else "sweep"
    json_path = str(RESULTS / f"{name}-command.json")
    RESULTS.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    start = time.perf_counter()
    subprocess.run(sweep_command(args.store, args.workers, args.dedupe, json_path), check=True)
    wall = time.perf_counter() - start
    load_after = os.getloadavg()
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = json.loads(Path(json_path).read_text())
    floor = forward_floor(args.floor_cells, args.workers, 15625)
    tau = correlation(args.store, args.dedupe)
    write_json(name, {"workers": args.workers, "batch_size": BATCH, "wall_seconds": wall, "peak_rss_mib": peak_mib,
                      "load_average_before": load_before, "load_average_after": load_after, "command": summary,
                      **floor, "wall_over_floor": wall / floor["floor_seconds"], "cifar10_correlation": tau,
                      "note": "floor = build and first run of a seeded sample of cells by as many one-thread processes as "
                              "workers, x 15,625 / sample size"})


if __name__ == "__main__":
    main()
