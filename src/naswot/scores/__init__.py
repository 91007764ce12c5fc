"""Training-free scores, all reached through the registry in ``naswot.scores.registry``.

Importing this package imports no torch; ``compute_score`` (which runs one) loads it when first used.
"""

from __future__ import annotations

from typing import Any

from naswot.score_result import ScoreResult
from naswot.scores.registry import SCORES, ScoreSpec, UndefinedScore, get_score, register_score, score_names


def __getattr__(name: str) -> Any:
    if name in ("compute_score", "ScoreFailed"):
        from naswot.scores import compute

        return getattr(compute, name)
    raise AttributeError(f"module 'naswot.scores' has no attribute {name!r}")


__all__ = ["SCORES", "ScoreFailed", "ScoreResult", "ScoreSpec", "UndefinedScore", "compute_score", "get_score",
           "register_score", "score_names"]
