"""Standard Gaussian images: the v1 paper's random-input ablation, and a data-free smoke test."""

from __future__ import annotations

from pathlib import Path

import torch

from naswot.data.batch import Batch, check_batch_size
from naswot.data.pixels import Size
from naswot.data.sources import DataSource, check_split, register_data
from naswot.image_size import image_shape

DEFAULT_SIZE = 32


def synthetic_batch(batch_size: int, seed: int, *, image_size: int | Size = DEFAULT_SIZE, num_classes: int = 10) -> Batch:
    """``batch_size`` Gaussian images of ``image_size`` with labels drawn over ``num_classes``, seeded."""
    check_batch_size(batch_size, batch_size, "synthetic data")
    height, width = image_shape(image_size)
    generator = torch.Generator().manual_seed(seed)
    images = torch.randn(batch_size, 3, height, width, generator=generator)
    labels = torch.randint(num_classes, (batch_size,), generator=generator)
    size = f"{height}px" if height == width else f"{height}x{width}px"
    return Batch(
        images=images.contiguous(memory_format=torch.channels_last),
        labels=labels,
        num_classes=num_classes,
        fingerprint=f"synthetic:gaussian:{size}:n={batch_size}:seed={seed}",
    )


class SyntheticSource(DataSource):
    summary = "(Gaussian images, no files needed)"

    def batch(self, root: Path | None, *, split: str, batch_size: int, seed: int, image_size: Size | None,
              num_classes: int) -> Batch:
        check_split(split)
        return synthetic_batch(batch_size, seed, image_size=image_size or DEFAULT_SIZE, num_classes=num_classes)


register_data("synthetic", SyntheticSource())
