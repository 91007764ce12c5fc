"""The Ray backend's actors, one per worker, and what happens when one dies (its node lost, its process killed).

Ray restarts a dead actor, up to ``retries`` times (its ``max_restarts``). The actor's tasks are not retried
by Ray (``max_task_retries=0``): a Ray retry waits for that same actor, which never comes back where the
cluster has no room left for it, so the sweep would hang on its last networks. They fail at once instead,
and the driver hands them to the living actors, each network at most ``retries`` times; it sends the
restarting actor the run's settings again until it answers, and then gives it work again. The driver alone
writes the store, so a network that ran twice (its first result lost with its worker) is stored once.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, deque
from typing import TYPE_CHECKING, Any

from naswot.backends import Task, WorkerSettings
from naswot.errors import NaswotError
from naswot.notes import note

if TYPE_CHECKING:
    from naswot.score_result import ScoreResult

START_EVERY = 1.0
"""Seconds between the settings sent to a restarting actor (each send fails at once while Ray restarts it)."""
SIGNS = "its node lost, or out of memory?"


class RayActors:
    """One actor per worker, each kept busy with up to two tasks; a dead one is restarted and its networks moved."""

    def __init__(self, ray: Any, settings: WorkerSettings, workers: int, retries: int) -> None:
        self._ray = ray
        self._retries = retries
        gpus = 1 if settings.device.startswith("cuda") else 0
        if gpus:  # Ray shows each actor only its own GPU, as cuda:0
            settings = dataclasses.replace(settings, device="cuda")
        self._settings = ray.put(settings)  # in the object store once, for every start and restart
        from naswot.backends.worker import RestartableScorer

        actor = ray.remote(num_cpus=1, num_gpus=gpus, max_restarts=retries, max_task_retries=0)(RestartableScorer)
        self._actors = [actor.remote() for _ in range(workers)]
        self._starts = {handle.start.remote(self._settings): index for index, handle in enumerate(self._actors)}
        """Settings sent and not yet taken; an actor runs its tasks in order, so its first ones need not wait."""
        self._pending: dict[Any, tuple[Task, int]] = {}
        self._down: dict[int, float] = {}
        """Actors Ray is restarting: when to send each its settings again (``inf`` while they are on their way)."""
        self._dead: set[int] = set()
        """Actors Ray will not restart again."""
        self._backlog: deque[Task] = deque()
        """Networks of a lost actor while no actor lives to take them."""
        self._deaths: Counter[str] = Counter()
        """How often each network's worker died under it."""
        self.slots = 2 * workers

    def submit(self, task: Task) -> None:
        live = [index for index in range(len(self._actors)) if index not in self._down and index not in self._dead]
        if not live:
            self._backlog.append(task)
            return
        load = Counter(index for _, index in self._pending.values())
        index = min(live, key=load.__getitem__)
        self._pending[self._actors[index].score.remote(task)] = (task, index)

    def pending(self) -> int:
        return len(self._pending) + len(self._backlog)

    def wait(self, timeout: float) -> list[tuple[Task, list[ScoreResult]]]:
        deadline = time.monotonic() + timeout
        while True:
            self._send_starts()
            refs = [*self._starts, *self._pending]  # a start that failed explains the tasks behind it
            left = max(0.0, deadline - time.monotonic())
            ready = []
            if refs:
                ready, _ = self._ray.wait(refs, num_returns=1, timeout=min(left, START_EVERY))
                if ready:
                    ready, _ = self._ray.wait(refs, num_returns=len(refs), timeout=0)
            else:  # every actor restarting, between sends
                time.sleep(min(left, START_EVERY))
            finished = []
            for ref in ready:
                if ref in self._starts:
                    self._started(ref)
                else:
                    finished.extend(self._collect(ref))
            if finished or time.monotonic() >= deadline:
                return finished

    def _collect(self, ref: Any) -> list[tuple[Task, list[ScoreResult]]]:
        from naswot.backends.worker import NotStarted

        exceptions = self._ray.exceptions
        task, index = self._pending.pop(ref)
        try:
            return [(task, self._ray.get(ref))]
        except exceptions.RayTaskError as exc:
            if not isinstance(exc.cause, NotStarted):
                raise _failed(exc, f"scoring {task.arch}") from None
            self._mark_down(index)  # restarted while idle, before the driver knew: nothing was lost
        except exceptions.RayActorError:
            self._deaths[task.arch] += 1
            deaths = self._deaths[task.arch]
            if deaths > self._retries:
                raise NaswotError(f"the Ray worker scoring {task.arch} died {deaths} time{'s' * (deaths > 1)} "
                                  f"({SIGNS}): finished results are stored; rerun to resume, with a smaller "
                                  f"batch_size= or fewer workers=, or more than retries={self._retries}") from None
            self._mark_down(index)
        self.submit(task)
        return []

    def _mark_down(self, index: int) -> None:
        if index not in self._down and index not in self._dead:
            self._down[index] = time.monotonic()
            note(f"a Ray worker was lost ({SIGNS}): Ray restarts it (up to retries={self._retries} times) and the "
                 "other workers take its networks")

    def _send_starts(self) -> None:
        now = time.monotonic()
        for index, at in self._down.items():
            if at <= now:
                self._starts[self._actors[index].start.remote(self._settings)] = index
                self._down[index] = float("inf")

    def _started(self, ref: Any) -> None:
        """An actor took its settings (it works, or is back after a restart), is still restarting, or is gone."""
        exceptions = self._ray.exceptions
        index = self._starts.pop(ref)
        try:
            self._ray.get(ref)
        except exceptions.RayTaskError as exc:
            raise _failed(exc, "starting a worker") from None
        except exceptions.ActorDiedError:  # restarted ``retries`` times already, or unable to start
            self._down.pop(index, None)
            self._dead.add(index)
            if len(self._dead) == len(self._actors):
                raise NaswotError(f"every Ray worker died, and Ray restarts none again (each restarts up to "
                                  f"retries={self._retries} times; {SIGNS}): finished results are stored; rerun to "
                                  "resume, with a smaller batch_size= or more retries=") from None
            return
        except exceptions.RayActorError:  # Ray is still restarting it
            self._mark_down(index)
            self._down[index] = time.monotonic() + START_EVERY
            return
        if index in self._down:
            del self._down[index]
            live = len(self._actors) - len(self._down) - len(self._dead)
            note(f"a Ray worker is back after a restart: {live} of {len(self._actors)} workers score")
            while self._backlog:
                self.submit(self._backlog.popleft())

    def stop_unstarted(self) -> None:
        """Drop the networks waiting for a living actor; each actor's own two tasks finish and are stored."""
        self._backlog.clear()

    def stop(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)


def _failed(exc: Any, doing: str) -> NaswotError:
    """The one-line error of a task that raised on its worker (not a worker that died)."""
    if isinstance(exc.cause, NaswotError):
        return exc.cause
    first_line = (str(exc.cause).strip().splitlines() or [""])[0]
    return NaswotError(f"{doing} failed on a Ray worker ({type(exc.cause).__name__}: {first_line}): finished results "
                       "are stored; rerun to retry")
