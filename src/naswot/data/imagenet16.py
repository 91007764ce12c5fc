"""ImageNet16-120 in the official downsampled-ImageNet layout (Chrabaszcz et al., as NAS-Bench-201 uses it).

``train_data_batch_1..10`` and ``val_data`` are pickles of ``data`` (N x 3*S*S uint8) and 1-based
``labels`` over 1,000 classes; ImageNet16-120 keeps the images of classes 1-120.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from naswot.data.pickles import read_images

MEAN = (122.68 / 255, 116.66 / 255, 104.01 / 255)
STD = (63.22 / 255, 61.26 / 255, 65.09 / 255)
NUM_CLASSES = 120
_FIX = ("pass data_root= pointing at the ImageNet16 folder "
        "(train_data_batch_1..10, val_data from image-net.org's downsampled ImageNet 16x16)")


def load_imagenet16(root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and 0-based labels of classes 1-120 of the train batches or of ``val_data`` (split ``test``)."""
    names = [f"train_data_batch_{i}" for i in range(1, 11)] if split == "train" else ["val_data"]
    pixels, labels = [], []
    for name in names:
        images, classes = read_images(root / name, "labels", _FIX)
        keep = (classes >= 1) & (classes <= NUM_CLASSES)
        pixels.append(images[keep])
        labels.append(classes[keep] - 1)
    return np.concatenate(pixels), np.concatenate(labels)
