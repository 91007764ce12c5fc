"""Latency: how long one forward pass of the network takes on the run's device, a cost a budget can limit.

Measured at batch 1 (a network deployed to answer one request at a time), BatchNorm in eval mode, without
autograd, on one thread as every worker runs: the shortest of ``REPEATS`` passes after ``WARM_UP`` passes
that fill caches and let the allocator settle. The shortest, not the median: on a shared machine a slower
pass is the network plus someone else's work, and the shortest is what repeats (100 NAS-Bench-201 cells
timed twice: benchmarks/results/practitioner-latency.json gives both estimates of the same passes). It is
a cost, not a fitness (higher is slower), and it depends on the machine, so the store keys it by the
processor's name and measures it once per network there.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import register_score

BATCH = 1
WARM_UP = 5
REPEATS = 31


def forward_times(net: nn.Module, images: torch.Tensor, warm_up: int = WARM_UP, repeats: int = REPEATS) -> list[float]:
    """Seconds of each of ``repeats`` forward passes, after ``warm_up`` untimed ones."""
    synchronise = torch.cuda.synchronize if images.device.type == "cuda" else (lambda: None)
    times = []
    for step in range(warm_up + repeats):
        synchronise()
        start = time.perf_counter()
        net(images)
        synchronise()
        if step >= warm_up:
            times.append(time.perf_counter() - start)
    return times


@register_score("latency", train_bn=False, per_machine=True, version=3)
def latency(net: nn.Module, batch: Batch) -> float:
    """Shortest forward latency in milliseconds at batch 1 on the run's device (a cost: higher is slower)."""
    return 1000.0 * min(forward_times(net, batch.images[:BATCH]))
