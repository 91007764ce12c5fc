"""A mini-batch of input images, drawn reproducibly and fingerprinted for the result store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import torch

from naswot.data.pixels import resized
from naswot.errors import NaswotError


@dataclass(frozen=True)
class Batch:
    """Normalised images (N x C x H x W, float32) with their labels (None for images without labels).

    The images are stored channels-last: convolutions on CPU run about twice as fast in that layout,
    and every network's activations follow the layout of its input.

    ``fingerprint`` names the data set, split, indices, seed and pixel content, so a stored score is
    only ever reused for the very same input. ``origin`` says where the images came from (a folder, a
    file) for messages; it is not part of the fingerprint, so moving a folder keeps its stored scores.
    ``notes`` say what was done to a user's images (normalised by their own statistics, resized): a run
    that scores them gives them once its input is accepted.
    """

    images: torch.Tensor
    labels: torch.Tensor | None
    num_classes: int
    fingerprint: str
    origin: str = ""
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def image_size(self) -> tuple[int, int]:
        """Height and width of the images."""
        return int(self.images.shape[2]), int(self.images.shape[3])

    def describe(self) -> str:
        """The images' origin for a message, else their fingerprint."""
        return self.origin or self.fingerprint


def check_batch_size(batch_size: int, available: int, source: str) -> None:
    """Reject batch sizes the scores cannot use, before any work starts."""
    if batch_size < 2:
        raise NaswotError(
            f"batch size {batch_size} is too small: scores compare images pairwise and BatchNorm needs "
            "two or more; use batch_size=2 or more (the papers use 128)"
        )
    if batch_size > available:
        raise NaswotError(f"batch size {batch_size} exceeds the {available} images in {source}: use a smaller batch_size=")


def draw_batch(
    pixels: np.ndarray,
    labels: np.ndarray,
    *,
    num_classes: int,
    mean: tuple[float, float, float],
    std: tuple[float, float, float],
    batch_size: int,
    seed: int,
    source: str,
    image_size: tuple[int, int] | None = None,
) -> Batch:
    """Pick ``batch_size`` images without replacement, the same ones for the same seed, and normalise them.

    ``pixels`` is N x 3 x H x W uint8; ``source`` names the data set and split for the fingerprint. The
    chosen images are resized to ``image_size`` where it is another size.
    """
    check_batch_size(batch_size, len(pixels), source)
    indices = np.random.default_rng(seed).choice(len(pixels), size=batch_size, replace=False)
    chosen = np.ascontiguousarray(pixels[indices] if image_size is None else resized(pixels[indices], image_size))
    digest = hashlib.sha1(indices.astype(np.int64).tobytes() + chosen.tobytes()).hexdigest()[:12]
    return Batch(
        images=normalise(chosen, mean, std),
        labels=torch.from_numpy(labels[indices].astype(np.int64)),
        num_classes=num_classes,
        fingerprint=f"{source}:n={batch_size}:seed={seed}:{digest}",
    )


def normalise(pixels: np.ndarray, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    """N x 3 x H x W pixels as float32 images, channels-last: uint8 values scaled to [0, 1] first, floats as
    they are; then each channel less ``mean``, over ``std``. Every data source goes through here, so the same
    pixels and statistics give bit-identical images whichever files they came from."""
    images = torch.from_numpy(np.ascontiguousarray(pixels)).float()
    if pixels.dtype == np.uint8:
        images = images.div_(255.0)
    images = (images - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    return images.contiguous(memory_format=torch.channels_last)


def rows_to_images(data: np.ndarray, path: str) -> np.ndarray:
    """Turn rows of channel-major planes (N x 3*S*S, the CIFAR/ImageNet16 layout) into N x 3 x S x S."""
    if data.ndim != 2 or data.dtype != np.uint8:
        raise NaswotError(f"{path}: 'data' is not an N x 3*S*S uint8 array: the file is not in the official layout")
    side = int(round((data.shape[1] / 3) ** 0.5))
    if 3 * side * side != data.shape[1]:
        raise NaswotError(
            f"{path}: rows of {data.shape[1]} values are not 3 square colour planes: the file is not in the official layout"
        )
    return data.reshape(-1, 3, side, side)
