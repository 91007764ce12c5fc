"""The worker side, shared by every backend: settings arrive once, then architecture texts."""

from __future__ import annotations

import torch

from naswot.backends import Task, WorkerSettings
from naswot.device import batch_on
from naswot.scores.registry import ScoreResult, get_score
from naswot.spaces import get_space
from naswot.spaces.base import SearchSpace


class Scorer:
    """One worker's run state: the space, and the batch on the worker's device."""

    def __init__(self, settings: WorkerSettings, space: SearchSpace | None = None) -> None:
        """``space`` is the driver's own object when the worker runs in the driver's process."""
        self.space = space if space is not None else get_space(settings.space)
        self.batch = batch_on(settings.batch, torch.device(settings.device))
        self.seed = settings.seed

    def score(self, task: Task) -> list[ScoreResult]:
        from naswot.executor import score_network  # the executor imports the backends

        arch = self.space.parse(task.arch)
        return [score_network(self.space, arch, get_score(name), self.batch, self.seed) for name in task.scores]
