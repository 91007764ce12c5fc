"""Input batches for scoring: the official CIFAR-10/100 and ImageNet16-120 files, a folder or .npz file of your
own images, or Gaussian noise; each a data source in the ``DATASETS`` registry (see ``naswot.data.sources``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from naswot.data.batch import Batch
from naswot.data.images import ImageSet
from naswot.data.sources import DATASETS, SPLITS, DataSource, check_split, register_data
from naswot.data.synthetic import synthetic_batch
from naswot.image_size import image_shape


def load_images(name: str, root: str | Path | None, split: str = "train", *,
                image_size: int | Sequence[int] | None = None) -> ImageSet:
    """Every image of ``split`` of the data ``name`` under ``root`` (at ``image_size``: H or (H, W))."""
    check_split(split)
    source = DATASETS.get(name)
    return source.images(_path(root), split=split, image_size=_shape(image_size))


def load_batch(
    name: str,
    root: str | Path | None = None,
    *,
    split: str = "train",
    batch_size: int = 128,
    seed: int = 0,
    image_size: int | Sequence[int] | None = None,
    num_classes: int = 10,
) -> Batch:
    """The batch of ``batch_size`` images of data ``name`` that ``seed`` picks.

    ``image_size`` (H or (H, W)) resizes the images; by default they keep the data's own size (32 for
    ``synthetic``). ``num_classes`` is for ``synthetic``, whose labels are drawn over it; every other source
    counts its own classes.
    """
    check_split(split)
    source = DATASETS.get(name)
    return source.batch(_path(root), split=split, batch_size=batch_size, seed=seed, image_size=_shape(image_size),
                        num_classes=num_classes)


def _shape(image_size: int | Sequence[int] | None) -> tuple[int, int] | None:
    return None if image_size is None else image_shape(image_size)


def _path(root: str | Path | None) -> Path | None:
    return None if root is None else Path(root)


__all__ = ["Batch", "DATASETS", "SPLITS", "DataSource", "ImageSet", "load_batch", "load_images", "register_data",
           "synthetic_batch"]
