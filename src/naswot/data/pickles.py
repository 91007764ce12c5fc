"""Reading the official python-pickle batch files (CIFAR and ImageNet16), with one-line errors.

The files are read with an allow-list unpickler (numpy arrays, containers, strings and numbers; see
``naswot.safe_pickle``): a batch file that names any other global is refused, so no code in it can run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from naswot.data.batch import rows_to_images
from naswot.errors import NaswotError
from naswot.safe_pickle import ARRAYS, READ_ERRORS, load_pickle


def read_pickle(path: Path, fix: str) -> dict[str, Any]:
    """Load one batch file, accepting bytes or str keys; ``fix`` tells the user how to get a good file."""
    if not path.is_file():
        raise NaswotError(f"{path} is missing: {fix}")
    try:
        with path.open("rb") as handle:
            content = load_pickle(handle, ARRAYS, encoding="bytes")
    except READ_ERRORS as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NaswotError(f"{path} is truncated or not a python pickle of the official arrays ({reason}): {fix}") from None
    if not isinstance(content, dict):
        raise NaswotError(f"{path} holds a {type(content).__name__}, not the official dict of arrays: {fix}")
    return {key.decode("latin1") if isinstance(key, bytes) else key: value for key, value in content.items()}


def read_images(path: Path, label_key: str, fix: str) -> tuple[np.ndarray, np.ndarray]:
    """The images (N x 3 x S x S uint8) and labels of one official batch file."""
    content = read_pickle(path, fix)
    data = require(content, "data", path, fix)
    if not isinstance(data, np.ndarray):
        raise NaswotError(f"{path}: 'data' is a {type(data).__name__}, not the official array of images: {fix}")
    images = rows_to_images(data, str(path))
    return images, labels_array(require(content, label_key, path, fix), len(images), path, fix)


def require(content: dict[str, Any], key: str, path: Path, fix: str) -> Any:
    if key not in content:
        raise NaswotError(f"{path} has no {key!r} entry, so it is not in the official layout: {fix}")
    return content[key]


def labels_array(values: Any, count: int, path: Path, fix: str) -> np.ndarray:
    """The labels as int64, refusing anything but whole numbers (strings, floats, nested lists) in one line."""
    try:
        labels = np.asarray(values)
        whole = labels.dtype.kind in "iu" or labels.size == 0
    except ValueError:  # nested lists of different lengths
        whole = False
    if not whole:
        raise NaswotError(f"{path} holds labels that are not whole numbers: the file is not in the official layout; {fix}")
    labels = labels.astype(np.int64)
    if labels.shape != (count,):
        raise NaswotError(f"{path} holds {labels.size} labels for {count} images: the file is damaged; {fix}")
    return labels
