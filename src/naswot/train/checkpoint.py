"""Checkpoints: written whole or not at all, and read without running any code from the file.

A checkpoint holds the network's and the optimiser's state, the epochs done with their history, and
the run's settings (to refuse resuming a different run). ``torch.load(weights_only=True)`` reads only
tensors and plain containers, so a planted file cannot execute anything.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import torch

from naswot.errors import NaswotError


def save_atomic(payload: Any, path: Path) -> None:
    """Write ``payload`` to a temporary file beside ``path``, flushed to disk, then rename it over ``path``:
    a kill at any moment leaves either the previous checkpoint or the new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            torch.save(payload, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load_safe(path: Path, what: str) -> Any:
    """The file's contents as tensors and plain values only; an unreadable file ends in one line naming it."""
    try:
        with warnings.catch_warnings():  # torch's remarks on a file's pickle protocol: the file is read or refused here
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a truncated, foreign or hostile file: whatever torch raises, one line
        raise NaswotError(f"{path} is not a readable {what} ({type(exc).__name__}): delete it or pass another file") from None


def read_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """A network's weights from a state-dict file or a ``naswot train`` checkpoint (its ``model`` entry)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise NaswotError(f"weights={path} is not a file: pass a state dict saved with torch.save or a train checkpoint")
    payload = load_safe(path, "weights file")
    if isinstance(payload, dict) and isinstance(payload.get("model"), dict):
        payload = payload["model"]
    if not isinstance(payload, dict) or not all(isinstance(v, torch.Tensor) for v in payload.values()):
        raise NaswotError(f"weights={path} holds no state dict (names to tensors): pass model.pt from naswot train")
    return payload
