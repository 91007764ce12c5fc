"""Sweep throughput on this machine: cells per second for 1 and 2 local workers and for Ray, each beside its
forward floor measured in the same run, and peak memory after a short and a ten times longer sweep.

The floor is what a sweep cannot beat, the straightforward loop: build each network and run it once (one
thread, BatchNorm in train mode, no hooks, no autograd), the same cells dealt to as many processes as the
setup has workers, started together (wall time of the slowest). Building counts because every scored
network must be built; the pass is the network's first, as in a sweep (a warm repeat is faster and would
flatter only the ratio). Each setup scores the same seeded cells into a fresh in-memory store, timed from
the call to its return (worker start-up included).
Memory: a sweep of the first N cells of the space in a fresh subprocess (one in-process worker, so its
peak resident memory is the whole run's), for N and 10 N; the issue's target is within 10%.

    python -m benchmarks.throughput            # 200 cells per setup, memory at 200 and 2,000 cells (batch 128)
    python -m benchmarks.throughput --quick    # a check that it runs: small networks, 16 cells, 20 and 200
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.common import SEED, cifar10_batch, write_json
from naswot.compute import Compute, build_network
from naswot.executor import score_architectures
from naswot.searching import sample_distinct
from naswot.spaces import get_space
from naswot.store import Store
from naswot.sweep import sweep, sweep_architectures
from naswot.threads import one_torch_thread

SETUPS = (("local", 1), ("local", 2), ("ray", 2))


def floor_seconds(space_spec: str, archs: list, batch_size: int, workers: int) -> float:
    """Build and run each network once, one thread per process, the cells dealt to ``workers`` processes that
    start together: the wall time of the slowest, the work no sweep with that many workers can skip (two
    processes on two shared cores do not run twice as fast as one, so the floor is measured, not divided)."""
    context = multiprocessing.get_context("spawn")
    barrier, times = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=_timed_builds, args=(space_spec, archs[k::workers], batch_size, barrier, times))
                 for k in range(workers)]
    for process in processes:
        process.start()
    slowest = max(times.get() for _ in processes)
    for process in processes:
        process.join()
    return slowest


def _timed_builds(space_spec: str, archs: list, batch_size: int, barrier: Any, times: Any) -> None:
    space, batch = get_space(space_spec), cifar10_batch(batch_size)
    with one_torch_thread(), torch.no_grad():
        build_network(space, archs[0], SEED, batch.num_classes)  # import and allocator warm-up, not timed
        barrier.wait()
        start = time.perf_counter()
        for arch in archs:
            build_network(space, arch, SEED, batch.num_classes).train()(batch.images)
        times.put(time.perf_counter() - start)


def rate(space_spec: str, archs: list, batch_size: int, backend: str, workers: int, floor_wall: float) -> dict:
    space, batch = get_space(space_spec), cifar10_batch(batch_size)
    start = time.perf_counter()
    table = score_architectures(space, archs, ["naswot"], batch, seed=SEED, store=Store(), keep_results=False,
                                compute=Compute(workers=workers, backend=backend, show_progress=False, device="cpu"))
    wall = time.perf_counter() - start
    return {"backend": backend, "workers": workers, "cells": table.computed, "wall_seconds": wall,
            "cells_per_second": table.computed / wall, "floor_seconds": floor_wall,
            "floor_cells_per_second": len(archs) / floor_wall, "wall_over_floor": wall / floor_wall}


def peak_memory(space_spec: str, cells: int, batch_size: int) -> dict:
    """Sweep the first ``cells`` cells in a fresh process; its peak resident memory (MiB)."""
    command = [sys.executable, "-m", "benchmarks.throughput", "--probe", str(cells), "--space", space_spec,
               "--batch-size", str(batch_size)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def probe(space_spec: str, cells: int, batch_size: int) -> None:
    space, batch = get_space(space_spec), cifar10_batch(batch_size)
    archs = sweep_architectures(space)[:cells]
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "probe.db") as store:
        result = sweep(space, ["naswot"], batch, archs, seed=SEED, store=store,
                       compute=Compute(workers=1, show_progress=False, device="cpu"))
    print(json.dumps({"cells": result.computed, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Small networks and few cells: checks that it runs.")
    parser.add_argument("--probe", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--space", default="nasbench201")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--cells", type=int, default=200, help="Cells per setup (full run).")
    parser.add_argument("--memory-cells", type=int, default=200, help="The short sweep of the memory check (and 10x it).")
    args = parser.parse_args()
    if args.probe:
        probe(args.space, args.probe, args.batch_size)
        return
    space_spec, batch_size, cells, short = (("nasbench201:C=8,N=1", 32, 16, 20) if args.quick
                                            else ("nasbench201", args.batch_size, args.cells, args.memory_cells))
    archs = sample_distinct(get_space(space_spec), cells, np.random.default_rng(SEED + 2))
    load_before = os.getloadavg()
    floors = {workers: floor_seconds(space_spec, archs, batch_size, workers) for workers in {w for _, w in SETUPS}}
    rates = [rate(space_spec, archs, batch_size, backend, workers, floors[workers]) for backend, workers in SETUPS]
    memory = [peak_memory(space_spec, n, batch_size) for n in (short, 10 * short)]
    local2 = next(r for r in rates if r["backend"] == "local" and r["workers"] == 2)
    ray2 = next(r for r in rates if r["backend"] == "ray")
    write_json("throughput-quick" if args.quick else "throughput", {
        "space": space_spec, "batch_size": batch_size, "cells": cells, "memory_cells": [short, 10 * short],
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(), "floor_seconds_by_workers": floors, "rates": rates,
        "ray_over_local_2_throughput": ray2["cells_per_second"] / local2["cells_per_second"],
        "memory": memory, "memory_growth": memory[1]["peak_rss_mib"] / memory[0]["peak_rss_mib"] - 1,
        "note": "floor = build + first plain one-thread forward pass per cell, the cells dealt to as many processes "
                "as workers started together, wall time of the slowest; "
                "wall includes worker start-up; memory = peak RSS of a one-worker sweep of the first N cells",
    })


if __name__ == "__main__":
    main()
