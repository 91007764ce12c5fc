"""Where networks are scored: in this process, in a local process pool, or on a Ray cluster.

A backend takes tasks (one network and the scores to compute for it), keeps up to ``slots`` of
them in flight and hands back finished ones; it never touches the store. Every worker receives the
run's settings (space, batch, seed, device) once, when it starts, and then only architecture texts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

from naswot.data.batch import Batch
from naswot.errors import NaswotError

if TYPE_CHECKING:
    from naswot.executor import Compute
    from naswot.scores.registry import ScoreResult
    from naswot.spaces.base import SearchSpace

BACKENDS = ("local", "ray")


class Task(NamedTuple):
    """One network to score: its architecture text and the names of the scores it needs."""

    arch: str
    scores: tuple[str, ...]


@dataclass(frozen=True)
class WorkerSettings:
    """What every task of a run shares, sent to each worker once."""

    space: str
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


def check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise NaswotError(f"unknown backend {backend!r}: use one of {', '.join(BACKENDS)}")


def check_address(address: str) -> None:
    """A Ray address is ``auto`` or ``ray://host:port``; reaching it is checked when the run starts."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not address.startswith("ray://") or not host or not port.isdigit():
        raise NaswotError(f"--address {address!r} is not auto or ray://host:port (e.g. ray://10.0.0.5:10001)")


@contextlib.contextmanager
def open_backend(compute: Compute, settings: WorkerSettings, tasks: int, space: SearchSpace) -> Iterator[Backend]:
    """The backend ``compute`` asks for, sized for ``tasks`` tasks, shut down on exit (workers stop on an interrupt)."""
    check_backend(compute.backend)
    if compute.backend == "ray":
        from naswot.backends.ray import ray_backend

        with ray_backend(compute, settings, tasks) as backend:
            yield backend
        return
    from naswot.backends.local import local_backend

    with local_backend(compute, settings, tasks, space) as backend:
        yield backend
