"""This machine: one worker in this process, or a pool of worker processes.

Worker processes ignore SIGINT: a Ctrl-C in a terminal reaches every process of the group, and
only the driver should react to it (by shutting the pool down and printing one line), not each
worker with a traceback of its own.

Workers are forked from a fork server that has imported torch and naswot already, so a pool starts in
a fraction of a second. The server does not import the user's ``__main__``, and a script that calls
naswot at its top level, outside ``if __name__ == "__main__":``, is scored in this process instead of by
workers (which would run the whole script again), with a note saying how to get the workers.
"""

from __future__ import annotations

import ast
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import TYPE_CHECKING

import cloudpickle

from naswot.backends import BACKENDS, Task, WorkerSettings
from naswot.compute import local_workers
from naswot.errors import NaswotError
from naswot.notes import note

if TYPE_CHECKING:
    from naswot.backends.worker import Scorer
    from naswot.compute import Compute
    from naswot.score_result import ScoreResult


@contextlib.contextmanager
def local_backend(compute: Compute, settings: WorkerSettings, tasks: int) -> Iterator[InProcess | ProcessPool]:
    workers = local_workers(compute.workers, tasks)
    if workers > 1 and unguarded_script_line() is not None:
        note(f"scoring in this process: {sys.modules['__main__'].__file__} calls naswot at its top level (line "
             f"{unguarded_script_line()}), and each worker process would run the whole script again; put that code "
             f"under `if __name__ == \"__main__\":` to score with {workers} workers")
        workers = 1
    if workers <= 1:
        from naswot.backends.worker import Scorer

        yield InProcess(Scorer(settings))
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


BACKENDS.register("local", local_backend)


def unguarded_script_line() -> int | None:
    """The line of the user's script that called naswot at module level outside ``if __name__ == "__main__":``.

    Worker processes import the main module again (as multiprocessing must, to find what it defines), which
    re-runs such a line in every worker. None when the caller is guarded, a module run with ``-m``, an
    interactive session, or not a script at all.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    spec = getattr(main, "__spec__", None)
    if main is None or path is None or (spec is not None and spec.name.endswith(".__main__")):
        return None  # multiprocessing itself never re-runs a package's __main__
    frame = sys._getframe()
    line = None
    while frame is not None:
        if frame.f_globals is vars(main) and frame.f_code.co_name == "<module>":
            line = frame.f_lineno
        frame = frame.f_back
    if line is None:
        return None
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    guarded = [node for node in tree.body if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test)
               and "__main__" in ast.unparse(node.test)]
    inside = any(node.body[0].lineno <= line <= (node.end_lineno or line) for node in guarded)
    return None if inside else line


class ProcessPool:
    """Worker processes started by a fork server, each with the run's settings from its start."""

    def __init__(self, settings: WorkerSettings, workers: int) -> None:
        self.slots = 2 * workers
        context = multiprocessing.get_context("forkserver")
        with _sigint_ignored():  # the fork server, and so every worker it forks, starts with SIGINT ignored
            forkserver.set_forkserver_preload(["naswot.backends.preload"])  # not __main__: see the module docstring
            forkserver.ensure_running()
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                         initargs=(cloudpickle.dumps(settings),))
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
                                  "are stored; rerun with workers=1 or a smaller batch_size=") from None
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


def _start_worker(settings: bytes) -> None:
    import torch

    from naswot.backends.worker import Scorer

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)
    _exit_with_parent()
    _SCORER.append(Scorer(cloudpickle.loads(settings)))


def _score_in_worker(task: Task) -> list[ScoreResult]:
    return _SCORER[0].score(task)
