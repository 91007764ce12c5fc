"""Torch's thread count, pinned for a block of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run torch on one thread inside the block, then restore the caller's thread count.

    Scores run one network per process on one thread: the thread count changes convolution round-off
    (and through it near-zero ReLU codes), and on a busy CPU extra threads spin on small tensors.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
