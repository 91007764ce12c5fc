"""What every benchmark shares: the real data in ../shared, one result store, one sample, JSON output.

All benchmarks score the same seeded sample of architectures on the same batch, so scores computed
by one benchmark are reused (from the store) by the others.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from naswot.data import Batch, load_batch
from naswot.executor import stored_results
from naswot.scores import ScoreResult
from naswot.scores.expressions import parse_score
from naswot.searching import sample_distinct
from naswot.spaces.base import Arch, SearchSpace
from naswot.spaces.nasbench201 import NasBench201Space
from naswot.store import Store
from naswot.tables.nasbench201 import NasBench201Table

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NASWOT_SHARED_DATA", ROOT / ".." / "shared" / "data")).resolve()
RESULTS = ROOT / "benchmarks" / "results"
SEED = 0
CEILING_SCORES = ("naswot", "params", "flops", "parameter_tensors", "synflow", "meco", "meco_real",
                  "az_expressivity_real")
"""The scores the whole-space sweep stores (benchmarks/results/whole-space-sweep-command.json)."""
CEILING_MEMBERS = 4
SAMPLE_CELLS = 1000
"""The seeded sample on which the scores too costly for the whole space are computed (benchmarks/whole_space_sample.py)."""


def store() -> Store:
    RESULTS.mkdir(parents=True, exist_ok=True)
    return Store(RESULTS / "scores.db")


def cifar10_batch(batch_size: int = 128, seed: int = SEED) -> Batch:
    return load_batch("cifar10", SHARED / "cifar-10-batches-py", batch_size=batch_size, seed=seed)


def nasbench201_table() -> NasBench201Table:
    return NasBench201Table(SHARED / "nasbench201_accuracies.csv")


def nasbench201_sample(n: int, seed: int = SEED) -> tuple[NasBench201Space, list[Arch]]:
    """The first ``n`` of the seeded sample every benchmark uses (a larger n extends a smaller one)."""
    space = NasBench201Space()
    return space, sample_distinct(space, n, np.random.default_rng(seed))


def stored_scores(results: Store, space: SearchSpace, batch: Batch, seed: int,
                  names: Sequence[str]) -> dict[str, dict[str, ScoreResult]]:
    """What the store holds of each score for every architecture of ``space``, read without computing anything; a
    ``sweep --dedupe`` stores one value per class of cells that compute the same function, which counts for all."""
    return stored_results(space, space, names, batch, seed=seed, store=results, copies=True)


def median_costs(stored: dict[str, dict[str, ScoreResult]], unit: str | None = None) -> dict[str, float]:
    """Each score's median computed time (a dedupe sweep's copies, stored with 0 s, left out); with ``unit``, in
    multiples of that score's."""
    costs = {name: float(np.median([r.seconds for r in found.values() if r.seconds > 0] or [0.0]))
             for name, found in stored.items()}
    scale = costs[unit] if unit is not None else 1.0
    return {name: cost / scale for name, cost in costs.items()}


def per_evaluation_costs(stored: dict[str, dict[str, ScoreResult]],
                         unit: str | None = None) -> tuple[dict[str, dict[str, ScoreResult]], dict[str, float]]:
    """The same results, each carrying its score's ``median_costs`` instead of its own time, and those costs.

    A search's compute is then the number of evaluations of each score times a fixed price: the load of the
    sweep that stored them cannot tilt it, and a dedupe sweep's copies cost what a computed network costs."""
    costs = median_costs(stored, unit)
    priced = {name: {text: ScoreResult(r.value, costs[name], r.reason) for text, r in found.items()}
              for name, found in stored.items()}
    return priced, costs


def median_seconds(run: Callable[[], Any], repeats: int = 5) -> float:
    """Median wall time of ``run`` after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def forward_seconds(net: torch.nn.Module, images: torch.Tensor, repeats: int = 5) -> float:
    """The baseline every timing is divided by: one plain forward pass, BatchNorm in train mode, no autograd."""
    net.train()

    def forward() -> None:
        with torch.no_grad():
            net(images)

    return median_seconds(forward, repeats)


def write_json(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` with the machine it was measured on to benchmarks/results/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **payload}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {path}")
    return path


def machine() -> dict[str, Any]:
    return {"cpu_count": os.cpu_count(), "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "processor": platform.processor() or platform.machine(),
            "cpu_model": cpu_model(), "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def cpu_model() -> str:
    """The CPU's model name as /proc/cpuinfo gives it (timings mean little without it), else the platform's word."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.processor() or platform.machine()


def fitness_ceiling(columns: dict[str, list[float]], accuracies: list[float]) -> dict[str, Any]:
    """What each fitness picks when it ranks every feasible cell: zero_label's pick, and the best pick of any
    rank product of up to ``CEILING_MEMBERS`` swept scores (chosen with hindsight, on CIFAR-10 itself, so an
    upper bound on what these scores can pick within the budget, not a result)."""
    accuracy = np.asarray(accuracies)

    def ranked(text: str) -> np.ndarray:
        expression = parse_score(text)
        values = np.nan_to_num(expression.combine({m: columns[m] for m in expression.members}), nan=-np.inf)
        return np.argsort(-values, kind="stable")

    combos = [combo for size in range(1, CEILING_MEMBERS + 1) for combo in itertools.combinations(columns, size)]
    picks = {text: float(accuracy[ranked(text)[0]])
             for text in (combo[0] if len(combo) == 1 else f"rank_product({','.join(combo)})" for combo in combos)}
    best = max(picks, key=picks.__getitem__)
    zero_label = ranked("zero_label")
    return {"zero_label_first_choice": float(accuracy[zero_label[0]]),
            "zero_label_top10_mean": float(accuracy[zero_label[:10]].mean()),
            "fitnesses_tried": len(picks), "best_fitness_with_hindsight": best,
            "best_first_choice_with_hindsight": picks[best]}
