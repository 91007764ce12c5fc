"""A folder of your own images: one subfolder per class (the ImageFolder layout), or images without labels.

``DIR/cat/1.png, DIR/dog/2.jpg, ...`` gives one class per subfolder (sorted by name, so classes get the
indices torchvision's ImageFolder gives them; a class folder's images may sit in folders of their own);
``DIR/1.png, DIR/2.png, ...`` gives images without labels, for label-free scores. PNG, JPEG, BMP and WebP
are read with Pillow; grayscale, palette and RGBA images become RGB. Hidden files and folders are skipped.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from naswot.data.own import UNLABELLED_CLASSES, OwnData, OwnSource
from naswot.data.sources import register_data, root_folder
from naswot.errors import NaswotError

SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
_LAYOUT = "one subfolder per class, or the images themselves for scoring without labels"


def is_image(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(SUFFIXES)


def images_under(folder: Path) -> list[str]:
    """The image files under ``folder`` (at any depth), as sorted paths relative to it."""
    found = []
    for directory, subfolders, files in os.walk(folder, followlinks=True):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = Path(directory).relative_to(folder)
        found += [(relative / name).as_posix() for name in files if is_image(name)]
    return sorted(found)


def list_folder(root: Path) -> OwnData:
    """The folder's images and labels, read from names alone: no image is opened."""
    try:
        with os.scandir(root) as found:
            entries = sorted((entry for entry in found if not entry.name.startswith(".")), key=lambda e: e.name)
    except OSError as exc:
        raise NaswotError(f"cannot read the folder {root} ({exc.strerror}): pass data_root= a folder you may read") from None
    if not entries:
        raise NaswotError(f"{root} is empty: put your images in it ({_LAYOUT})")
    classes = [entry.name for entry in entries if entry.is_dir()]
    loose = [entry.name for entry in entries if entry.is_file() and is_image(entry.name)]
    if classes and loose:
        raise NaswotError(f"{root} holds both class folders ({classes[0]}, ...) and images ({loose[0]}, ...): "
                          "move the loose images into a class folder, or score them from a folder of their own")
    if loose:
        unlabelled = (f"{root}: {len(loose):,} images without labels (no class folders): networks get "
                      f"{UNLABELLED_CLASSES} outputs, and only label-free scores apply")
        return OwnData("folder", str(root), loose, None, UNLABELLED_CLASSES, lambda at: read_images(root, loose, at),
                       (unlabelled,))
    names: list[str] = []
    labels: list[int] = []
    for label, name in enumerate(classes):
        files = images_under(root / name)
        if not files:
            raise NaswotError(f"class folder {root / name} holds no image files ({', '.join(SUFFIXES)}): "
                              "add its images or remove it")
        names += [f"{name}/{file}" for file in files]
        labels += [label] * len(files)
    if not names:
        raise NaswotError(f"{root} holds no image files ({', '.join(SUFFIXES)}): put your images in it ({_LAYOUT})")
    return OwnData("folder", str(root), names, np.array(labels, dtype=np.int64), len(classes),
                   lambda at: read_images(root, names, at))


def read_images(root: Path, names: Sequence[str], at: Sequence[int]) -> tuple[list[np.ndarray], list[str]]:
    """The images ``names[i]`` for ``i`` in ``at`` as 3 x H x W uint8 RGB, and a note of how many were not RGB."""
    images, modes = [], Counter()
    for i in at:
        image, mode = read_image(root / names[i])
        images.append(image)
        modes[mode] += 1
    converted = {mode: count for mode, count in modes.items() if mode != "RGB"}
    kinds = ", ".join(f"{count:,} {mode}" for mode, count in sorted(converted.items()))
    return images, [f"{root}: converted to RGB: {kinds} of the {len(at):,} images read"] if converted else []


def read_image(path: Path) -> tuple[np.ndarray, str]:
    """One image file as 3 x H x W uint8 RGB, and the mode it was stored in (``L`` for grayscale, ``RGBA``...)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            mode = image.mode
            rgb = image.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        reason = str(exc).split("\n")[0] or type(exc).__name__
        raise NaswotError(f"{path} is not a readable image ({reason}): replace it or remove it from the folder") from None
    return np.asarray(rgb).transpose(2, 0, 1).copy(), mode


class FolderSource(OwnSource):
    name = "folder"
    summary = "(your images: data_root=DIR with one subfolder per class, or images without labels)"

    def open(self, root: Path | None) -> OwnData:
        return list_folder(root_folder(root, self.name, f"a folder of your images ({_LAYOUT})"))


register_data("folder", FolderSource())
