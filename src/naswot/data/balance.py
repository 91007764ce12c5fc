"""A seeded, class-balanced choice of images: every class as equally represented as its images allow.

Scores that read labels compare classes, and even label-free ones see a batch of one class as easy to
tell apart; so a user's own data is sampled per class, as a balanced data loader would, not uniformly.
"""

from __future__ import annotations

import numpy as np


def class_counts(sizes: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """How many images to take of each class: ``total`` split evenly (the remainder to classes ``rng`` picks),
    a class with fewer images giving all it has and the rest shared among the others."""
    counts = np.zeros(len(sizes), dtype=np.int64)
    remaining = min(total, int(sizes.sum()))
    while remaining > 0:
        open_classes = np.flatnonzero(counts < sizes)
        share, extra = divmod(remaining, len(open_classes))
        add = np.full(len(open_classes), share, dtype=np.int64)
        add[rng.choice(len(open_classes), size=extra, replace=False)] += 1
        take = np.minimum(add, sizes[open_classes] - counts[open_classes])
        counts[open_classes] += take
        remaining -= int(take.sum())
    return counts


def balanced_choice(labels: np.ndarray | None, count: int, batch_size: int, seed: int) -> np.ndarray:
    """Indices of ``batch_size`` of ``count`` images, class-balanced by ``labels`` (uniform without labels), in a
    seeded random order; the same ones for the same seed."""
    rng = np.random.default_rng(seed)
    if labels is None:
        return rng.choice(count, size=batch_size, replace=False)
    classes, inverse = np.unique(labels, return_inverse=True)
    members = [np.flatnonzero(inverse == c) for c in range(len(classes))]
    counts = class_counts(np.array([len(m) for m in members]), batch_size, rng)
    chosen = np.concatenate([rng.choice(m, size=k, replace=False) for m, k in zip(members, counts)])
    return rng.permutation(chosen)
