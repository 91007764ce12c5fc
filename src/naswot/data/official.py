"""The official data sets NAS-Bench-201 trains on: CIFAR-10, CIFAR-100 and ImageNet16-120, in their python
pickles, normalised as NAS-Bench-201's training pipeline does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from naswot.data.batch import Batch, draw_batch
from naswot.data.cifar import CIFAR10_MEAN, CIFAR10_STD, CIFAR100_MEAN, CIFAR100_STD, load_cifar10, load_cifar100
from naswot.data.imagenet16 import MEAN as IN16_MEAN
from naswot.data.imagenet16 import STD as IN16_STD
from naswot.data.imagenet16 import load_imagenet16
from naswot.data.images import ImageSet
from naswot.data.pixels import Size, resized
from naswot.data.sources import DataSource, check_split, register_data, root_folder


@dataclass(frozen=True)
class OfficialSet(DataSource):
    """How to read one official data set's files and normalise its images."""

    name: str
    load: Callable[[Path, str], tuple[np.ndarray, np.ndarray]]
    num_classes: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    @property
    def summary(self) -> str:  # type: ignore[override]
        return f"({self.num_classes} classes; the official python files under data_root=DIR)"

    def images(self, root: Path | None, *, split: str, image_size: Size | None) -> ImageSet:
        check_split(split)
        pixels, labels = self.load(root_folder(root, self.name, f"the official {self.name} files"), split)
        if image_size is not None:
            pixels = resized(pixels, image_size)
        return ImageSet(pixels, labels, self.num_classes, self.mean, self.std, f"{self.name}:{split}")

    def batch(self, root: Path | None, *, split: str, batch_size: int, seed: int, image_size: Size | None,
              num_classes: int) -> Batch:
        """The seeded uniform draw the papers use; at another ``image_size``, the drawn images resized."""
        images = self.images(root, split=split, image_size=None)
        assert images.labels is not None
        source = images.source if image_size in (None, images.image_size) else f"{images.source}:{image_size[0]}x{image_size[1]}"
        return draw_batch(images.pixels, images.labels, num_classes=images.num_classes, mean=images.mean, std=images.std,
                          batch_size=batch_size, seed=seed, source=source, image_size=image_size)


for _set in (OfficialSet("cifar10", load_cifar10, 10, CIFAR10_MEAN, CIFAR10_STD),
             OfficialSet("cifar100", load_cifar100, 100, CIFAR100_MEAN, CIFAR100_STD),
             OfficialSet("ImageNet16-120", load_imagenet16, 120, IN16_MEAN, IN16_STD)):
    register_data(_set.name, _set)
