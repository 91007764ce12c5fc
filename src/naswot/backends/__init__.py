"""Where networks are scored: in this process, in a local process pool, or on a Ray cluster.

A backend takes tasks (one network and the scores to compute for it), keeps up to ``slots`` of them in
flight and hands back finished ones; it never touches the store. Every worker receives the run's settings
(the space and score objects themselves, the batch, the seed, the device) once, when it starts, and then
only architecture texts. The settings travel with cloudpickle, so a space or score defined in the user's
own script (even in ``__main__``) reaches every worker without being registered there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

from naswot.registry import Registry

if TYPE_CHECKING:
    from naswot.compute import Compute
    from naswot.data.batch import Batch
    from naswot.score_result import ScoreResult
    from naswot.scores.registry import ScoreSpec
    from naswot.spaces.base import SearchSpace


class Task(NamedTuple):
    """One network to score: its architecture text and the names of the scores it needs."""

    arch: str
    scores: tuple[str, ...]


@dataclass(frozen=True)
class WorkerSettings:
    """What every task of a run shares, sent to each worker once."""

    space: SearchSpace
    scores: Mapping[str, ScoreSpec]
    batch: Batch
    """On the CPU: each worker moves it to ``device`` itself."""
    seed: int
    device: str


class Backend(Protocol):
    slots: int
    """Tasks to keep in flight: enough to keep every worker busy, few enough to stop promptly."""

    def submit(self, task: Task) -> None: ...

    def pending(self) -> int: ...

    def wait(self, timeout: float) -> list[tuple[Task, list[ScoreResult]]]:
        """The tasks that finished, waiting up to ``timeout`` seconds for at least one."""

    def stop_unstarted(self) -> None:
        """Drop the tasks no worker has started (a spent budget); started ones still finish."""


BackendFactory = Callable[["Compute", WorkerSettings, int], contextlib.AbstractContextManager[Backend]]
"""Opens a backend for a run of (at most) the given number of tasks; closing it stops its workers."""

BACKENDS: Registry[BackendFactory] = Registry("backend", builtins=["naswot.backends.local", "naswot.backends.ray"])


@contextlib.contextmanager
def open_backend(compute: Compute, settings: WorkerSettings, tasks: int) -> Iterator[Backend]:
    """The backend ``compute`` names, sized for ``tasks`` tasks, shut down on exit (workers stop on an interrupt)."""
    with BACKENDS.get(compute.backend)(compute, settings, tasks) as backend:
        yield backend
