"""Your own images as arrays in an .npz file: ``x`` (N x H x W x C or N x C x H x W, uint8 or float), optional ``y``.

Save them with ``np.savez("mine.npz", x=images, y=labels)``. C is 1 (grayscale, repeated to RGB), 3 or 4 (RGBA,
the alpha dropped); a layout is channels-last when the last axis has 1, 3 or 4 entries. uint8 pixels are scaled
to [0, 1] as images are; float pixels are taken as they are, since they are normalised by their own
statistics either way. Labels may be any whole numbers or strings; they become classes 0 .. C-1 in sorted
order. The file is read without pickle (``allow_pickle=False``), so it can run no code.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from naswot.data.own import UNLABELLED_CLASSES, OwnData, OwnSource
from naswot.data.sources import register_data
from naswot.errors import NaswotError

CHANNELS = (1, 3, 4)
_SAVE = "save it with np.savez(path, x=images, y=labels)"


def load_npz(path: Path) -> OwnData:
    """The file's images (as a view; each is copied when read) and labels."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise NaswotError(f"{path} is not a readable .npz file ({type(exc).__name__}): {_SAVE}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise NaswotError(f"{path} holds one array, not an .npz archive of x and y: {_SAVE}")
    with archive:
        if "x" not in archive.files:
            held = ", ".join(archive.files) or "nothing"
            raise NaswotError(f"{path} has no array 'x' (it holds {held}): {_SAVE}")
        x = _array(archive, "x", path)
        y = _array(archive, "y", path) if "y" in archive.files else None
    pixels = channels_first(x, path)
    labels, num_classes = (None, UNLABELLED_CLASSES) if y is None else class_labels(y, len(pixels), path)
    notes = () if labels is not None else (
        f"{path}: no labels (no array 'y'): networks get {UNLABELLED_CLASSES} outputs, and only label-free scores apply",)
    names = [str(i) for i in range(len(pixels))]
    return OwnData("npz", str(path), names, labels, num_classes, lambda at: (rgb_images(pixels, at), []), notes)


def _array(archive: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    try:
        return archive[key]
    except ValueError:  # an object array, which only pickle can read
        raise NaswotError(f"{path}: array {key!r} holds Python objects: {_SAVE} with numeric arrays") from None


def channels_first(x: np.ndarray, path: Path) -> np.ndarray:
    """``x`` as N x C x H x W (a view), checked to be images."""
    if x.ndim != 4 or not (x.shape[3] in CHANNELS or x.shape[1] in CHANNELS):
        raise NaswotError(f"{path}: x has shape {x.shape}, not N x H x W x C or N x C x H x W images with C = 1, 3 or 4: "
                          f"{_SAVE}")
    if x.dtype != np.uint8 and not np.issubdtype(x.dtype, np.floating):
        raise NaswotError(f"{path}: x holds {x.dtype} values: give uint8 pixels (0-255) or floats")
    if len(x) == 0:
        raise NaswotError(f"{path}: x holds no images: {_SAVE}")
    return x.transpose(0, 3, 1, 2) if x.shape[3] in CHANNELS else x


def class_labels(y: np.ndarray, count: int, path: Path) -> tuple[np.ndarray, int]:
    """``y`` as classes 0 .. C-1 (sorted values), and C."""
    if y.shape != (count,):
        raise NaswotError(f"{path}: y has shape {y.shape} for {count:,} images: give one label per image")
    if not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.str_) or y.dtype == np.bool_):
        raise NaswotError(f"{path}: y holds {y.dtype} values: give whole numbers or strings as labels")
    classes, labels = np.unique(y, return_inverse=True)
    return labels.astype(np.int64), len(classes)


def rgb_images(pixels: np.ndarray, at: Sequence[int]) -> list[np.ndarray]:
    """The images at ``at`` as 3 x H x W: grayscale repeated, alpha dropped, floats as float32."""
    images = []
    for i in at:
        image = pixels[i]
        image = np.repeat(image, 3, axis=0) if len(image) == 1 else image[:3]
        images.append(np.ascontiguousarray(image if image.dtype == np.uint8 else image.astype(np.float32)))
    return images


class NpzSource(OwnSource):
    name = "npz"
    summary = "(your images: data_root=FILE.npz with x, N x H x W x C or N x C x H x W, and optional labels y)"

    def open(self, root: Path | None) -> OwnData:
        if root is None:
            raise NaswotError("data=npz reads your images from an .npz file: pass data_root=FILE.npz")
        path = Path(root).expanduser()
        if not path.is_file():
            raise NaswotError(f"data root {path} is not a file: pass data_root= pointing at your .npz file")
        return load_npz(path)


register_data("npz", NpzSource())
