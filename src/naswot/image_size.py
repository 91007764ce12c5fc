"""An image size as a user gives it (32, (48, 64), "48x64") and as the library uses it: (height, width).

Nothing here imports torch, so the command line refuses a bad ``--image-size`` while it reads its options.
"""

from __future__ import annotations

from collections.abc import Sequence

from naswot.errors import NaswotError


def image_shape(image_size: int | Sequence[int]) -> tuple[int, int]:
    """``image_size`` as (height, width): one number is a square."""
    size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
    if len(size) != 2 or not all(isinstance(side, int) and not isinstance(side, bool) and side > 0 for side in size):
        raise NaswotError(f"image_size={image_size!r} is not a positive whole number or (height, width): pass e.g. 32")
    return int(size[0]), int(size[1])


def parse_image_size(text: str) -> tuple[int, int]:
    """``H`` or ``HxW`` as (height, width), the way the command line's ``--image-size`` is written."""
    parts = text.lower().split("x")
    if len(parts) in (1, 2) and all(part.strip().isdigit() and int(part) > 0 for part in parts):
        return int(parts[0]), int(parts[-1])
    raise NaswotError(f"image_size={text!r} is not H or HxW in pixels: pass e.g. 32 or 64x48")
