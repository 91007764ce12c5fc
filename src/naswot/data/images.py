"""All images of one split of a data set, read and described, before a scoring batch is drawn from them.

Scoring needs one seeded batch; training needs every image. Both start from an ``ImageSet``: pixels,
labels (absent for an unlabelled folder), and the normalisation that goes with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ImageSet:
    """Images as N x 3 x H x W uint8 (or float32, for float or resized data) with their labels (None when the data has none).

    ``source`` names the data and split for fingerprints (``cifar10:train``); ``mean`` and ``std`` are the
    per-channel normalisation of pixel values scaled to [0, 1].
    """

    pixels: np.ndarray
    labels: np.ndarray | None
    num_classes: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    source: str

    def __len__(self) -> int:
        return len(self.pixels)

    @property
    def image_size(self) -> tuple[int, int]:
        return int(self.pixels.shape[2]), int(self.pixels.shape[3])
