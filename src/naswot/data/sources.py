"""Data sources, registered by name: the official data sets, a folder of your own images, an .npz file, noise.

A source turns ``data_root=`` and the batch settings into the scoring ``Batch`` (and, for training, every
image as an ``ImageSet``). A user's own kind of data is one ``register_data("name", source)`` away, and is
then named by ``data=`` (``--data``) like the built-ins.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING

from naswot.errors import NaswotError
from naswot.registry import Registry

if TYPE_CHECKING:
    from naswot.data.batch import Batch
    from naswot.data.images import ImageSet
    from naswot.data.pixels import Size

SPLITS = ("train", "test")


class DataSource(ABC):
    """One kind of input images: where they are read from, and how a seeded scoring batch is drawn."""

    summary: str = ""
    """One line for ``naswot list data``."""

    @abstractmethod
    def batch(self, root: Path | None, *, split: str, batch_size: int, seed: int, image_size: Size | None,
              num_classes: int) -> Batch:
        """The ``batch_size`` images ``seed`` picks, at ``image_size`` (None: the data's own size).

        ``num_classes`` is for data that has no classes of its own (noise); a real source counts its own.
        """

    def images(self, root: Path | None, *, split: str, image_size: Size | None) -> ImageSet:
        """Every image of ``split`` (what training reads)."""
        raise NaswotError(f"this data ({self.summary.strip('()')}) has no images to read one by one: use a data set of images")


DATASETS: Registry[DataSource] = Registry("data set", builtins=[
    f"naswot.data.{module}" for module in ("official", "folder", "npz", "synthetic")], listed_by="naswot list data")


def register_data(name: str, source: DataSource) -> DataSource:
    """Make ``source`` the data named ``name`` (``data=name``, ``--data name``)."""
    return DATASETS.register(name, source)


def check_split(split: str) -> None:
    if split not in SPLITS:
        raise NaswotError(f"unknown split {split!r}: use split=train or split=test")


def root_folder(root: Path | None, name: str, what: str) -> Path:
    """``data_root=`` as an existing folder; ``what`` says what the folder should hold."""
    if root is None:
        raise NaswotError(f"data={name} reads {what}: pass data_root=DIR (or use data=synthetic)")
    root = Path(root).expanduser()
    if not root.is_dir():
        raise NaswotError(f"data root {root} is not a folder: pass data_root= pointing at {what}")
    return root
