"""The value of one score for one network: what the scores compute, the store keeps and results list.

It lives apart from the scores so that the store, and every command that only reads it, never imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScoreResult:
    """One score's value for one network; ``reason`` explains a ``-inf`` (an undefined score)."""

    value: float
    seconds: float
    reason: str | None = None
