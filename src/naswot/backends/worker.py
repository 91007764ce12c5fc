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

    def score(self, task: Task) -> list[ScoreResult]:
        arch = self.space.parse(task.arch)
        return [score_network(self.space, arch, self.scores[name], self.batch, self.seed) for name in task.scores]


class NotStarted(Exception):
    """A restarted worker was handed a network before the driver sent it the run's settings again."""


class RestartableScorer:
    """A worker whose settings arrive by ``start`` after it is created, and again after each restart.

    Ray restarts an actor by calling its constructor again with the same arguments; settings passed there
    would have to stay in Ray's object store for as long as the actor might restart, and Ray warns on stderr
    about every such actor.
    """

    def __init__(self) -> None:
        self._scorer: Scorer | None = None

    def start(self, settings: WorkerSettings) -> None:
        self._scorer = Scorer(settings)

    def score(self, task: Task) -> list[ScoreResult]:
        if self._scorer is None:
            raise NotStarted
        return self._scorer.score(task)
