"""Output files are checked before any work starts, so a finished run is never lost to an unwritable path."""

from __future__ import annotations

import os
from pathlib import Path

from naswot.errors import NaswotError


def check_writable(path: str | Path, option: str) -> Path:
    """``path`` as a Path once its folder exists and is writable and it is not itself a folder.

    ``option`` names the command-line option that gave the path, so the message can name the fix.
    """
    path = Path(path).expanduser()
    folder = path.resolve().parent
    if path.is_dir():
        raise NaswotError(f"{path} is a folder: pass a file name to {option}")
    if not folder.is_dir():
        raise NaswotError(f"cannot write {path}: folder {folder} does not exist: create it or pass another {option}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise NaswotError(f"cannot write {path}: permission denied: pass a writable {option}")
    return path
