"""Training-free scores, all reached through the registry in ``naswot.scores.registry``."""

from naswot.scores.registry import (
    ScoreResult,
    ScoreSpec,
    UndefinedScore,
    compute_score,
    get_score,
    register_score,
    score_names,
)

__all__ = ["ScoreResult", "ScoreSpec", "UndefinedScore", "compute_score", "get_score", "register_score", "score_names"]
