"""Pixel arrays of a user's own images: the size to bring them to, resizing, and their own normalisation.

Arrays are N x 3 x H x W, uint8 (0-255) or float32 (on whatever scale the user's data has). Resizing
turns uint8 into float32 on the [0, 1] scale that normalisation would give them, so ``normalise`` treats a
resized and an original image alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from naswot.errors import NaswotError

Size = tuple[int, int]
"""Height and width of an image."""
STATS_IMAGES = 500
"""At most this many images (a seeded sample of a larger data set) give the data's own mean and std."""
STATS_SEED = 0
"""The sample for the statistics does not depend on the run's seed: the normalisation belongs to the data."""


def common_size(sizes: Sequence[Size], requested: Size | None, origin: str) -> tuple[Size, str | None]:
    """The size every image is brought to: ``requested``, else the most common one (the first of equals in
    ``sizes``' order); and the note that says so when images will be resized."""
    counts = Counter(sizes)
    target = requested or max(counts, key=lambda size: counts[size])  # max keeps the first of equal counts
    others = sum(count for size, count in counts.items() if size != target)
    if others and requested is None:
        return target, (f"{origin}: images come in {len(counts)} sizes: {others:,} of the {len(sizes):,} read resized to "
                        f"{target[0]}x{target[1]}, the most common (image_size= sets another)")
    return target, f"{origin}: images resized to image_size={target[0]}x{target[1]}" if others else None


def resized(images: np.ndarray, size: Size) -> np.ndarray:
    """N x 3 x H x W images at ``size`` (bilinear, antialiased when shrinking); as they are when already there."""
    if images.shape[2:] == size:
        return images
    import torch

    scale = 255.0 if images.dtype == np.uint8 else 1.0
    tensor = torch.from_numpy(np.ascontiguousarray(images)).float().div_(scale)
    out = torch.nn.functional.interpolate(tensor, size=size, mode="bilinear", align_corners=False, antialias=True)
    if images.dtype == np.uint8:
        out = out.clamp_(0.0, 1.0)
    return out.numpy()


def stacked(images: Sequence[np.ndarray], size: Size) -> np.ndarray:
    """3 x H x W images as one N x 3 x H x W array at ``size``: uint8 as they are when none needs resizing,
    else every one float32 on the [0, 1] scale (a resized uint8 image is no longer whole numbers)."""
    if all(image.shape[1:] == size for image in images):
        return np.stack(images)
    return np.stack([unit_scale(resized(image[None], size))[0] for image in images])


def unit_scale(images: np.ndarray) -> np.ndarray:
    """uint8 images as float32 on [0, 1]; float images as they are."""
    return images.astype(np.float32) / 255.0 if images.dtype == np.uint8 else images


def channel_stats(images: np.ndarray) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """Per-channel mean and standard deviation of N x 3 x H x W images, uint8 scaled to [0, 1] as ``normalise`` does."""
    values = images.astype(np.float64) / (255.0 if images.dtype == np.uint8 else 1.0)
    mean = values.mean(axis=(0, 2, 3))
    std = values.std(axis=(0, 2, 3))
    std = np.where(std > 0, std, 1.0)  # a constant channel is centred but not scaled
    return (float(mean[0]), float(mean[1]), float(mean[2])), (float(std[0]), float(std[1]), float(std[2]))


def check_finite(images: np.ndarray, origin: str) -> np.ndarray:
    """``images``, refused in one line when they hold a NaN or an infinity (which no normalisation undoes)."""
    if images.dtype != np.uint8 and not np.isfinite(images).all():
        raise NaswotError(f"{origin}: the images hold NaN or infinite pixel values: give finite values")
    return images


def stats_sample(count: int) -> np.ndarray:
    """The indices (sorted) of the images that give the data's own statistics: all of them, or a seeded sample."""
    if count <= STATS_IMAGES:
        return np.arange(count)
    return np.sort(np.random.default_rng(STATS_SEED).choice(count, size=STATS_IMAGES, replace=False))


def stats_note(origin: str, mean: Sequence[float], std: Sequence[float], sampled: int, total: int) -> str:
    """Which normalisation the images get (the data's own), and over how many of them it was measured."""
    over = f"all {total:,} images" if sampled == total else f"a seeded sample of {sampled:,} of its {total:,} images"
    return (f"{origin}: normalised by its own per-channel mean ({', '.join(f'{m:.4f}' for m in mean)}) and std "
            f"({', '.join(f'{s:.4f}' for s in std)}), over {over}")
