"""The scores too costly to sweep over all 15,625 cells on this machine, computed on the seeded 1,000-cell sample.

Each costs 1.3-16 forward passes a network (benchmarks/results/proxies-n400.json), 2-8 hours of both cores
over the whole space; on the sample every benchmark draws (``nasbench201_sample``) they take minutes each.
They go into the benchmarks' store one score at a time, so a killed run resumes where it stopped;
benchmarks/whole_space.py then reports them over the sample and says so.

    python -m benchmarks.whole_space_sample [--cells 1000] [--scores zico,snip,...] [--workers 2]
"""

from __future__ import annotations

import argparse

from benchmarks.common import SEED, cifar10_batch, nasbench201_sample, store
from naswot.compute import Compute
from naswot.executor import score_architectures

SAMPLE_CELLS = 1000
COSTLY = ("snip", "grad_norm", "fisher", "az_expressivity", "az_progressivity", "swap", "zico", "naswot_v1",
          "az_trainability", "vkdnw_single")
"""Cheapest first, so an interrupted sweep leaves the most scores complete."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=SAMPLE_CELLS)
    parser.add_argument("--scores", default=",".join(COSTLY))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    space, cells = nasbench201_sample(args.cells)
    batch = cifar10_batch(128)
    with store() as results:
        for name in args.scores.split(","):
            print(f"{name} on {len(cells):,} cells", flush=True)
            score_architectures(space, cells, [name], batch, seed=SEED, store=results,
                                compute=Compute(args.workers, show_progress=True), keep_results=False)


if __name__ == "__main__":
    main()
