"""Latency: how long one forward pass of the network takes on the run's device, a cost a budget can limit.

Measured at batch 1 (a network deployed to answer one request at a time), BatchNorm in eval mode, without
autograd, on one thread as every worker runs: the median of ``REPEATS`` passes after ``WARM_UP`` passes
that fill caches and let the allocator settle. It is a cost, not a fitness (higher is slower), and it
depends on the machine, so the store keys it by the processor's name and measures it once per network there.
"""

from __future__ import annotations

import statistics
import time

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import register_score

BATCH = 1
WARM_UP = 5
REPEATS = 31


@register_score("latency", train_bn=False, per_machine=True, version=2)
def latency(net: nn.Module, batch: Batch) -> float:
    """Median forward latency in milliseconds at batch 1 on the run's device (a cost: higher is slower)."""
    images = batch.images[:BATCH]
    synchronise = torch.cuda.synchronize if images.device.type == "cuda" else (lambda: None)
    times = []
    for step in range(WARM_UP + REPEATS):
        synchronise()
        start = time.perf_counter()
        net(images)
        synchronise()
        if step >= WARM_UP:
            times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)
