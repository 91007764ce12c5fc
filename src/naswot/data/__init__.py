"""Input batches for scoring: the official CIFAR-10/100 and ImageNet16-120 files, or Gaussian noise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from naswot.data.batch import Batch, check_batch_size, draw_batch
from naswot.data.cifar import CIFAR10_MEAN, CIFAR10_STD, CIFAR100_MEAN, CIFAR100_STD, load_cifar10, load_cifar100
from naswot.data.imagenet16 import MEAN as IN16_MEAN
from naswot.data.imagenet16 import STD as IN16_STD
from naswot.data.imagenet16 import load_imagenet16
from naswot.data.images import ImageSet
from naswot.errors import NaswotError


@dataclass(frozen=True)
class DataSet:
    """How to read one data set's files and normalise its images."""

    load: Callable[[Path, str], tuple[np.ndarray, np.ndarray]]
    num_classes: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]


DATASETS: dict[str, DataSet] = {
    "cifar10": DataSet(load_cifar10, 10, CIFAR10_MEAN, CIFAR10_STD),
    "cifar100": DataSet(load_cifar100, 100, CIFAR100_MEAN, CIFAR100_STD),
    "ImageNet16-120": DataSet(load_imagenet16, 120, IN16_MEAN, IN16_STD),
}
SPLITS = ("train", "test")


def load_images(name: str, root: str | Path | None, split: str = "train") -> ImageSet:
    """Every image of ``split`` of the official data set ``name`` under ``root``."""
    if split not in SPLITS:
        raise NaswotError(f"unknown split {split!r}: use train or test")
    if name not in DATASETS:
        raise NaswotError(f"unknown data set {name!r}: choose one of synthetic, {', '.join(DATASETS)}")
    if root is None:
        raise NaswotError(f"--data {name} reads the official files: pass --data-root DIR (or use --data synthetic)")
    root = Path(root).expanduser()
    if not root.is_dir():
        raise NaswotError(f"data root {root} is not a folder: pass --data-root pointing at the {name} files")
    dataset = DATASETS[name]
    pixels, labels = dataset.load(root, split)
    return ImageSet(pixels, labels, dataset.num_classes, dataset.mean, dataset.std, f"{name}:{split}")


def load_batch(
    name: str,
    root: str | Path | None = None,
    *,
    split: str = "train",
    batch_size: int = 128,
    seed: int = 0,
    image_size: int = 32,
    num_classes: int = 10,
) -> Batch:
    """The batch of ``batch_size`` images of data set ``name`` that ``seed`` picks.

    ``synthetic`` needs no files: standard Gaussian images of ``image_size`` with labels drawn over
    ``num_classes``; every other name reads the official files under ``root``.
    """
    if name == "synthetic":
        if split not in SPLITS:
            raise NaswotError(f"unknown split {split!r}: use train or test")
        return synthetic_batch(batch_size, seed, image_size=image_size, num_classes=num_classes)
    images = load_images(name, root, split)
    assert images.labels is not None
    return draw_batch(images.pixels, images.labels, num_classes=images.num_classes, mean=images.mean, std=images.std,
                      batch_size=batch_size, seed=seed, source=images.source)


def synthetic_batch(batch_size: int, seed: int, *, image_size: int = 32, num_classes: int = 10) -> Batch:
    """Standard Gaussian images: the v1 paper's random-input ablation, and a data-free smoke test."""
    check_batch_size(batch_size, batch_size, "synthetic data")
    generator = torch.Generator().manual_seed(seed)
    images = torch.randn(batch_size, 3, image_size, image_size, generator=generator)
    labels = torch.randint(num_classes, (batch_size,), generator=generator)
    return Batch(
        images=images.contiguous(memory_format=torch.channels_last),
        labels=labels,
        num_classes=num_classes,
        fingerprint=f"synthetic:gaussian:{image_size}px:n={batch_size}:seed={seed}",
    )


__all__ = ["Batch", "DATASETS", "SPLITS", "ImageSet", "load_batch", "load_images", "synthetic_batch"]
