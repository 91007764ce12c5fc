"""Input batches: the official file layouts, reproducible draws, fingerprints and one-line errors."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from naswot.data import load_batch, synthetic_batch
from naswot.data.cifar import CIFAR10_MEAN, CIFAR10_STD
from naswot.errors import NaswotError


def write_batch(path: Path, content: dict, str_keys: bool = False) -> None:
    content = {(k if str_keys else k.encode()): v for k, v in content.items()}
    path.write_bytes(pickle.dumps(content, protocol=2))


def test_real_cifar10_batch_is_normalised_and_reproducible(cifar10_root):
    first = load_batch("cifar10", cifar10_root, batch_size=64, seed=3)
    again = load_batch("cifar10", cifar10_root.parent, batch_size=64, seed=3)  # the parent folder works too
    other = load_batch("cifar10", cifar10_root, batch_size=64, seed=4)
    assert first.images.shape == (64, 3, 32, 32) and first.labels.dtype == torch.int64
    assert torch.equal(first.images, again.images) and first.fingerprint == again.fingerprint
    assert first.fingerprint != other.fingerprint
    # undo the normalisation: pixels are k/255 for integer k in 0..255
    pixels = first.images * torch.tensor(CIFAR10_STD).view(1, 3, 1, 1) + torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    assert torch.allclose(pixels * 255, (pixels * 255).round(), atol=1e-3)
    assert abs(float(first.images.mean())) < 0.2 and 0.8 < float(first.images.std()) < 1.2


def test_pixels_and_labels_come_from_the_same_image(cifar10_root, tmp_path):
    # a one-batch copy with str keys, where every image is filled with its own label value
    labels = np.arange(40) % 10
    data = np.repeat(labels[:, None] * 20, 3072, axis=1).astype(np.uint8)
    for i in range(1, 6):
        write_batch(tmp_path / f"data_batch_{i}", {"data": data, "labels": labels.tolist()}, str_keys=True)
    batch = load_batch("cifar10", tmp_path, batch_size=16, seed=0)
    pixels = batch.images * torch.tensor(CIFAR10_STD).view(1, 3, 1, 1) + torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    assert torch.allclose((pixels[:, 0, 0, 0] * 255).round() / 20, batch.labels.float())


def test_cifar100_uses_fine_labels(tmp_path):
    data = np.zeros((5, 3072), dtype=np.uint8)
    write_batch(tmp_path / "train", {"data": data, "fine_labels": [7, 8, 9, 10, 99], "coarse_labels": [0] * 5})
    batch = load_batch("cifar100", tmp_path, batch_size=5, seed=0)
    assert sorted(batch.labels.tolist()) == [7, 8, 9, 10, 99] and batch.num_classes == 100


def test_imagenet16_keeps_classes_1_to_120_as_0_to_119(tmp_path):
    data = np.arange(6 * 768, dtype=np.int64).reshape(6, 768).astype(np.uint8)
    write_batch(tmp_path / "val_data", {"data": data, "labels": [1, 120, 121, 500, 2, 1000]})
    batch = load_batch("ImageNet16-120", tmp_path, split="test", batch_size=3, seed=0)
    assert batch.images.shape == (3, 3, 16, 16) and sorted(batch.labels.tolist()) == [0, 1, 119]


def test_synthetic_batches_are_gaussian_and_seeded():
    a, b = synthetic_batch(256, 1), synthetic_batch(256, 1)
    assert torch.equal(a.images, b.images) and a.fingerprint == b.fingerprint
    assert abs(float(a.images.mean())) < 0.01 and abs(float(a.images.std()) - 1) < 0.01


def test_missing_truncated_and_wrong_files_name_the_file(cifar10_root, tmp_path):
    with pytest.raises(NaswotError, match="data_batch_1 is missing.*data_root="):
        load_batch("cifar10", tmp_path)
    (tmp_path / "data_batch_1").write_bytes((cifar10_root / "data_batch_1").read_bytes()[:5000])
    with pytest.raises(NaswotError, match="data_batch_1 is truncated"):
        load_batch("cifar10", tmp_path)
    write_batch(tmp_path / "data_batch_1", {"pixels": np.zeros((2, 3072), dtype=np.uint8)})
    with pytest.raises(NaswotError, match="no 'data' entry"):
        load_batch("cifar10", tmp_path)
    write_batch(tmp_path / "data_batch_1", {"data": np.zeros((2, 1000), dtype=np.uint8), "labels": [0, 1]})
    with pytest.raises(NaswotError, match="not 3 square colour planes"):
        load_batch("cifar10", tmp_path)


@pytest.mark.parametrize("size", [0, 1])
def test_batches_below_two_images_are_refused(size):
    with pytest.raises(NaswotError, match="batch_size=2 or more"):
        synthetic_batch(size, 0)
