"""This machine: one worker in this process, or a pool of worker processes.

Worker processes ignore SIGINT: a Ctrl-C in a terminal reaches every process of the group, and
only the driver should react to it (by shutting the pool down and printing one line), not each
worker with a traceback of its own.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import TYPE_CHECKING

import torch

from naswot.backends import Task, WorkerSettings
from naswot.backends.worker import Scorer
from naswot.errors import NaswotError

if TYPE_CHECKING:
    from naswot.executor import Compute
    from naswot.scores.registry import ScoreResult
    from naswot.spaces.base import SearchSpace


@contextlib.contextmanager
def local_backend(compute: Compute, settings: WorkerSettings, tasks: int,
                  space: SearchSpace) -> Iterator[InProcess | ProcessPool]:
    from naswot.executor import check_workers, default_workers

    check_workers(compute.workers)
    workers = min(compute.workers or default_workers(), tasks)
    if workers <= 1:
        yield InProcess(Scorer(settings, space))
        return
    pool = ProcessPool(settings, workers)
    try:
        yield pool
    except BaseException:
        pool.close(interrupted=True)
        raise
    pool.close(interrupted=False)


class InProcess:
    """Scores in this process, one task per ``wait``: no pool to start for a single worker."""

    slots = 1

    def __init__(self, scorer: Scorer) -> None:
        self._scorer = scorer
        self._queue: list[Task] = []

    def submit(self, task: Task) -> None:
        self._queue.append(task)

    def pending(self) -> int:
        return len(self._queue)

    def wait(self, timeout: float) -> list[tuple[Task, list[ScoreResult]]]:
        task = self._queue.pop(0)
        return [(task, self._scorer.score(task))]

    def stop_unstarted(self) -> None:
        self._queue.clear()


class ProcessPool:
    """Worker processes started by a fork server, each with the run's settings from its start."""

    def __init__(self, settings: WorkerSettings, workers: int) -> None:
        self.slots = 2 * workers
        context = multiprocessing.get_context("forkserver")
        with _sigint_ignored():  # the fork server, and so every worker it forks, starts with SIGINT ignored
            forkserver.ensure_running()
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(settings,))
        self._pending: dict[Future, Task] = {}

    def submit(self, task: Task) -> None:
        self._pending[self._pool.submit(_score_in_worker, task)] = task

    def pending(self) -> int:
        return len(self._pending)

    def wait(self, timeout: float) -> list[tuple[Task, list[ScoreResult]]]:
        done, _ = wait(self._pending, timeout=timeout, return_when=FIRST_COMPLETED)
        finished = []
        for future in done:
            task = self._pending.pop(future)
            try:
                finished.append((task, future.result()))
            except BrokenProcessPool:
                raise NaswotError(f"a worker process died while scoring {task.arch} (out of memory?): finished results "
                                  "are stored; rerun with --workers 1 or a smaller --batch-size") from None
        return finished

    def stop_unstarted(self) -> None:
        for future in list(self._pending):
            if future.cancel():
                del self._pending[future]

    def close(self, interrupted: bool) -> None:
        """Shut the pool down; on an interrupt or error, without waiting for networks no one will store."""
        self._pool.shutdown(wait=not interrupted, cancel_futures=True)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_SCORER: list[Scorer] = []


def _exit_with_parent() -> None:
    """End this worker when the main process dies (even by SIGKILL), instead of idling forever.

    A killed main process never tells the pool to stop, and the workers hold their task queue open
    themselves; the parent's sentinel pipe is what reliably closes.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (parent.join(), os._exit(1)), daemon=True).start()


def _start_worker(settings: WorkerSettings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)
    _exit_with_parent()
    _SCORER.append(Scorer(settings))


def _score_in_worker(task: Task) -> list[ScoreResult]:
    return _SCORER[0].score(task)
