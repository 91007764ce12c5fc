"""A user's own images (a folder, an .npz file) made into a scoring batch, reading only the images it needs.

A source lists its images first (names and labels, no pixels); then the seeded class-balanced batch and
the seeded sample that gives the data's own normalisation are read, and nothing else, so scoring a folder
of a million files decodes a few hundred of them.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from naswot.data.balance import balanced_choice
from naswot.data.batch import Batch, check_batch_size, normalise
from naswot.data.images import ImageSet
from naswot.data.pixels import Size, channel_stats, check_finite, common_size, stacked, stats_note, stats_sample
from naswot.data.sources import DataSource
from naswot.errors import NaswotError
from naswot.notes import note

UNLABELLED_CLASSES = 10
"""The outputs networks get for images without labels (label-free scores do not read them)."""


@dataclass(frozen=True)
class OwnData:
    """A user's images before any is read: one name each (a file's path in its folder), the labels, how to read."""

    kind: str
    """``folder`` or ``npz``: the fingerprint's first word."""
    origin: str
    """The folder or file, for messages."""
    names: Sequence[str]
    labels: np.ndarray | None
    """0 .. num_classes-1 per image, or None for images without labels."""
    num_classes: int
    read: Callable[[Sequence[int]], tuple[list[np.ndarray], list[str]]]
    """The images at the given positions, 3 x H x W each (uint8, or float on the data's own scale), and notes on
    what reading them took (a conversion to RGB)."""
    notes: tuple[str, ...] = ()
    """What the listing found that the user should know (no labels)."""

    def __len__(self) -> int:
        return len(self.names)


def own_batch(data: OwnData, *, batch_size: int, seed: int, image_size: Size | None) -> Batch:
    """The seeded class-balanced batch, normalised by the data's own statistics.

    Its fingerprint covers the chosen images' names, labels and pixels and the normalisation, so the store
    reuses a score only for exactly the same images.
    """
    check_batch_size(batch_size, len(data), data.origin)
    chosen = balanced_choice(data.labels, len(data), batch_size, seed)
    sample = stats_sample(len(data))
    wanted = np.union1d(chosen, sample).tolist()
    images, read_notes = data.read(wanted)
    decoded = dict(zip(wanted, images))
    size, size_note = common_size([decoded[i].shape[1:] for i in wanted], image_size, data.origin)
    mean, std = channel_stats(check_finite(stacked([decoded[i] for i in sample.tolist()], size), data.origin))
    notes = [*data.notes, *read_notes, *([size_note] if size_note else []),
             stats_note(data.origin, mean, std, len(sample), len(data))]
    pixels = check_finite(stacked([decoded[i] for i in chosen.tolist()], size), data.origin)
    labels = None if data.labels is None else data.labels[chosen].astype(np.int64)
    digest = hashlib.sha1()
    for i in chosen.tolist():
        digest.update(data.names[i].encode() + b"\0")
    digest.update(b"unlabelled" if labels is None else labels.tobytes())
    digest.update(pixels.dtype.str.encode() + pixels.tobytes() + repr((mean, std)).encode())
    return Batch(
        images=normalise(pixels, mean, std),
        labels=None if labels is None else torch.from_numpy(labels),
        num_classes=data.num_classes,
        fingerprint=f"{data.kind}:{size[0]}x{size[1]}:n={batch_size}:seed={seed}:{digest.hexdigest()[:12]}",
        origin=data.origin,
        notes=tuple(notes),
    )


def own_images(data: OwnData, *, image_size: Size | None) -> ImageSet:
    """Every image, at one size, with the normalisation the scoring batch uses; the notes on them are given now."""
    images, read_notes = data.read(list(range(len(data))))
    size, size_note = common_size([image.shape[1:] for image in images], image_size, data.origin)
    sample = stats_sample(len(data)).tolist()
    pixels = check_finite(stacked(images, size), data.origin)
    mean, std = channel_stats(pixels[sample])
    for line in [*data.notes, *read_notes, *([size_note] if size_note else []),
                 stats_note(data.origin, mean, std, len(sample), len(data))]:
        note(line)
    return ImageSet(pixels, data.labels, data.num_classes, mean, std, f"{data.kind}:{data.origin}")


class OwnSource(DataSource):
    """A source of your own images: ``open`` lists them, then the batch or every image is read from the listing.

    Your own data is one set of images: a test set is another folder or file, not a split of this one.
    """

    name: str

    @abstractmethod
    def open(self, root: Path | None) -> OwnData:
        """The images under ``root`` (data_root=), listed without reading their pixels."""

    def batch(self, root: Path | None, *, split: str, batch_size: int, seed: int, image_size: Size | None,
              num_classes: int) -> Batch:
        self._check_split(split)
        return own_batch(self.open(root), batch_size=batch_size, seed=seed, image_size=image_size)

    def images(self, root: Path | None, *, split: str, image_size: Size | None) -> ImageSet:
        self._check_split(split)
        return own_images(self.open(root), image_size=image_size)

    def _check_split(self, split: str) -> None:
        if split != "train":
            raise NaswotError(f"data={self.name} has no {split!r} split: point data_root= at your {split} images "
                              "instead (and leave split= at train)")
