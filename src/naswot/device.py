"""Which device scores run on: ``auto`` (CUDA when available), ``cpu``, ``cuda`` or ``cuda:N``."""

from __future__ import annotations

import dataclasses

import torch

from naswot.compute import check_device_text
from naswot.data.batch import Batch
from naswot.errors import NaswotError


def resolve_device(text: str) -> torch.device:
    """The device named by ``text``, checked to exist here."""
    check_device_text(text)
    if text == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(text)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise NaswotError(f"device={text}: torch sees no CUDA device here: use device=cpu (or auto)")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise NaswotError(f"device={text}: there are only {torch.cuda.device_count()} CUDA devices (cuda:0..)")
    return device


def batch_on(batch: Batch, device: torch.device) -> Batch:
    """``batch`` with its images and labels on ``device`` (the same object when they are there already)."""
    if batch.images.device == device:
        return batch
    labels = None if batch.labels is None else batch.labels.to(device)
    return dataclasses.replace(batch, images=batch.images.to(device), labels=labels)
