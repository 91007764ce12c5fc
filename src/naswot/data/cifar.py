"""CIFAR-10 and CIFAR-100 in the official python layout (``cifar-10-batches-py``, ``cifar-100-python``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from naswot.data.pickles import read_images

# The normalisation the NAS-Bench-201 training pipeline uses.
CIFAR10_MEAN = (125.3 / 255, 123.0 / 255, 113.9 / 255)
CIFAR10_STD = (63.0 / 255, 62.1 / 255, 66.7 / 255)
CIFAR100_MEAN = (129.3 / 255, 124.1 / 255, 112.4 / 255)
CIFAR100_STD = (68.2 / 255, 65.4 / 255, 70.4 / 255)


def _fix(folder: str, url: str) -> str:
    return f"pass data_root= pointing at {folder} (the official python version from {url})"


def find_folder(root: Path, folder: str) -> Path:
    """Accept the data folder itself or its parent."""
    return root / folder if (root / folder).is_dir() else root


def load_cifar10(root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """All images and labels of the train (``data_batch_1..5``) or test (``test_batch``) split."""
    folder = find_folder(root, "cifar-10-batches-py")
    fix = _fix("cifar-10-batches-py", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz")
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    images, labels = zip(*(read_images(folder / name, "labels", fix) for name in names))
    return np.concatenate(images), np.concatenate(labels)


def load_cifar100(root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """All images and fine labels of the ``train`` or ``test`` file."""
    folder = find_folder(root, "cifar-100-python")
    fix = _fix("cifar-100-python", "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz")
    return read_images(folder / ("train" if split == "train" else "test"), "fine_labels", fix)
