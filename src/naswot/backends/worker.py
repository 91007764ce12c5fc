"""The worker side, shared by every backend: settings arrive once, then architecture texts."""

from __future__ import annotations

import torch

from naswot.backends import Task, WorkerSettings
from naswot.compute import score_network
from naswot.device import batch_on
from naswot.score_result import ScoreResult


class Scorer:
    """One worker's run state: the space and scores, and the batch on the worker's device."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.space = settings.space
        self.scores = settings.scores
        self.batch = batch_on(settings.batch, torch.device(settings.device))
        self.seed = settings.seed

    def ready(self) -> bool:
        """Answers once this worker holds its settings: how a driver learns that a restarted worker is back."""
        return True

    def score(self, task: Task) -> list[ScoreResult]:
        arch = self.space.parse(task.arch)
        return [score_network(self.space, arch, self.scores[name], self.batch, self.seed) for name in task.scores]
