"""The images a training run learns from and the ones it is measured on, drawn reproducibly.

An official data set name reads its train split; ``split="test"`` measures on its test split, otherwise a
seeded ``held_out`` fraction of the training images is set aside. ``limit`` keeps a seeded subset of each
part (a quick trial). The fingerprint covers the pixels and labels, so a checkpoint resumes only on the same data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from naswot.data.images import ImageSet
from naswot.errors import NaswotError

SPLITS = ("train", "test")


@dataclass(frozen=True)
class Part:
    """Images (N x 3 x H x W uint8) and their labels."""

    pixels: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.pixels)


@dataclass(frozen=True)
class TrainingData:
    train: Part
    held: Part
    num_classes: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    held_out: str
    """What the held-out part is, in words: ``cifar10:test, 10,000 images``."""
    fingerprint: str


def training_data(data: ImageSet | str, *, data_root: str | Path | None = None, split: str = "train",
                  held_out: float = 0.1, limit: int | None = None, seed: int = 0) -> TrainingData:
    """The training and held-out images of ``data`` (an ``ImageSet`` or a data set name read from ``data_root``)."""
    if split not in SPLITS:
        raise NaswotError(f"split={split!r} is not train or test: train holds out part of the training images, "
                          "test measures on the official test split")
    if data == "synthetic":
        raise NaswotError("data=synthetic is Gaussian noise with random labels, nothing to learn: train on a real data set")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 2):
        raise NaswotError(f"limit={limit!r} is not a whole number of at least 2 images: pass e.g. 5000, or no limit")
    images = _images(data, data_root, "train")
    if split == "test":
        if not isinstance(data, str):
            raise NaswotError("split=test needs an official data set named by data= (its test split): "
                              "pass a name, or hold out part of these images with split=train")
        test = _images(data, data_root, "test")
        train, held = _subset(_part(images), limit, seed), _subset(_part(test), limit, seed)
        held_out_text = f"{test.source}, {len(held):,} images"
    else:
        if not 0 < held_out < 1:
            raise NaswotError(f"held_out={held_out!r} is not a fraction between 0 and 1: pass e.g. 0.1")
        train, held = _hold_out(_subset(_part(images), limit, seed), held_out, seed)
        held_out_text = f"{held_out:.0%} of {images.source} held out, {len(held):,} images"
    if len(train) < 2 or len(held) < 1:
        raise NaswotError(f"{images.source} leaves {len(train)} training and {len(held)} held-out images: "
                          "use more images (a larger limit=) or another held_out=")
    digest = hashlib.sha1()
    for part in (train, held):
        digest.update(part.pixels.tobytes())
        digest.update(part.labels.astype(np.int64).tobytes())
    return TrainingData(train, held, images.num_classes, images.mean, images.std, held_out_text,
                        f"{images.source}:n={len(train)}+{len(held)}:{digest.hexdigest()[:12]}")


def _images(data: ImageSet | str, root: str | Path | None, split: str) -> ImageSet:
    if isinstance(data, ImageSet):
        images = data
    else:
        from naswot.data import load_images

        images = load_images(data, root, split)
    if images.labels is None:
        raise NaswotError(f"{images.source} has no labels, and training needs them: use a folder with one subfolder per class")
    return images


def _part(images: ImageSet) -> Part:
    assert images.labels is not None
    return Part(np.ascontiguousarray(images.pixels), np.asarray(images.labels, dtype=np.int64))


def _subset(part: Part, limit: int | None, seed: int) -> Part:
    if limit is None or limit >= len(part):
        return part
    keep = np.sort(np.random.default_rng([seed, 1]).choice(len(part), size=limit, replace=False))
    return Part(part.pixels[keep], part.labels[keep])


def _hold_out(part: Part, fraction: float, seed: int) -> tuple[Part, Part]:
    order = np.random.default_rng([seed, 2]).permutation(len(part))
    count = max(1, round(fraction * len(part)))
    held, kept = np.sort(order[:count]), np.sort(order[count:])
    return Part(part.pixels[kept], part.labels[kept]), Part(part.pixels[held], part.labels[held])
