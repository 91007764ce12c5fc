"""Reading the official python-pickle batch files (CIFAR and ImageNet16), with one-line errors."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from naswot.data.batch import rows_to_images
from naswot.errors import NaswotError


def read_pickle(path: Path, fix: str) -> dict[str, Any]:
    """Load one batch file, accepting bytes or str keys; ``fix`` tells the user how to get a good file."""
    if not path.is_file():
        raise NaswotError(f"{path} is missing: {fix}")
    try:
        with path.open("rb") as handle:
            content = pickle.load(handle, encoding="bytes")
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError, MemoryError) as exc:
        raise NaswotError(f"{path} is truncated or not a python pickle ({type(exc).__name__}): {fix}") from None
    if not isinstance(content, dict):
        raise NaswotError(f"{path} holds a {type(content).__name__}, not the official dict of arrays: {fix}")
    return {key.decode("latin1") if isinstance(key, bytes) else key: value for key, value in content.items()}


def read_images(path: Path, label_key: str, fix: str) -> tuple[np.ndarray, np.ndarray]:
    """The images (N x 3 x S x S uint8) and labels of one official batch file."""
    content = read_pickle(path, fix)
    images = rows_to_images(np.asarray(require(content, "data", path, fix)), str(path))
    return images, labels_array(require(content, label_key, path, fix), len(images), path, fix)


def require(content: dict[str, Any], key: str, path: Path, fix: str) -> Any:
    if key not in content:
        raise NaswotError(f"{path} has no {key!r} entry, so it is not in the official layout: {fix}")
    return content[key]


def labels_array(values: Any, count: int, path: Path, fix: str) -> np.ndarray:
    labels = np.asarray(values, dtype=np.int64)
    if labels.shape != (count,):
        raise NaswotError(f"{path} holds {labels.size} labels for {count} images: the file is damaged; {fix}")
    return labels
