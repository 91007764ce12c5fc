"""A Ray cluster, or a Ray instance started on this machine: one actor per worker.

Each actor receives the run's settings (batch included) once, through Ray's object store, and then
only architecture texts; its results come back to the driver, which alone writes the store. Actors
score exactly as local workers do (same seeds, one thread), so results are bit-identical to the
local backend's. With a CUDA device each actor asks Ray for one GPU, and Ray gives it its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from naswot.backends import BACKENDS, Task, WorkerSettings
from naswot.compute import default_workers
from naswot.errors import NaswotError

if TYPE_CHECKING:
    from naswot.compute import Compute
    from naswot.score_result import ScoreResult

INSTALL = "pip install 'naswot[ray]'"
CONNECT_SECONDS = 5.0


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise NaswotError(f"backend='ray' needs Ray, which is not installed: {INSTALL}") from None
    return ray


@contextlib.contextmanager
def ray_backend(compute: Compute, settings: WorkerSettings, tasks: int) -> Iterator[RayActors]:
    """Connect (or start Ray here), start the actors, and on exit stop them and disconnect."""
    ray = import_ray()
    _connect(ray, compute.address, compute.workers or default_workers())
    try:
        workers = min(compute.workers or max(1, int(ray.cluster_resources().get("CPU", 1))), tasks)
        actors = RayActors(ray, settings, workers)
        try:
            yield actors
        finally:
            actors.stop()
    finally:
        ray.shutdown()


def _connect(ray: Any, address: str | None, local_cpus: int) -> None:
    quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
    if address is None:
        ray.init(num_cpus=local_cpus, include_dashboard=False, **quiet)
        return
    if address.startswith("ray://"):
        host, _, port = address.removeprefix("ray://").rpartition(":")
        try:  # Ray's client retries for a long time; an address that does not answer should fail at once
            socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS).close()
        except OSError as exc:
            raise NaswotError(f"cannot reach the Ray cluster at {address} ({exc}): check the address, "
                              "or start the cluster's head with `ray start --head --ray-client-server-port PORT`") from None
    try:
        ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NaswotError(f"cannot connect to the Ray cluster at {address} ({first_line}): "
                          "start one with `ray start --head`, or drop address= to start Ray here") from None


BACKENDS.register("ray", ray_backend)


class RayActors:
    """One actor per worker, each kept busy with up to two tasks."""

    def __init__(self, ray: Any, settings: WorkerSettings, workers: int) -> None:
        self._ray = ray
        gpus = 1 if settings.device.startswith("cuda") else 0
        if gpus:  # Ray shows each actor only its own GPU, as cuda:0
            settings = dataclasses.replace(settings, device="cuda")
        shared = ray.put(settings)  # sent to the object store once; each actor fetches it once
        from naswot.backends.worker import Scorer

        actor = ray.remote(num_cpus=1, num_gpus=gpus)(Scorer)
        self._actors = [actor.remote(shared) for _ in range(workers)]
        self._load = [0] * workers
        self._pending: dict[Any, tuple[Task, int]] = {}
        self.slots = 2 * workers

    def submit(self, task: Task) -> None:
        index = self._load.index(min(self._load))
        self._load[index] += 1
        self._pending[self._actors[index].score.remote(task)] = (task, index)

    def pending(self) -> int:
        return len(self._pending)

    def wait(self, timeout: float) -> list[tuple[Task, list[ScoreResult]]]:
        ready, _ = self._ray.wait(list(self._pending), num_returns=1, timeout=timeout)
        if ready:
            ready, _ = self._ray.wait(list(self._pending), num_returns=len(self._pending), timeout=0)
        finished = []
        for ref in ready:
            task, index = self._pending.pop(ref)
            self._load[index] -= 1
            finished.append((task, self._result(ref, task)))
        return finished

    def _result(self, ref: Any, task: Task) -> list[ScoreResult]:
        exceptions = self._ray.exceptions
        try:
            return self._ray.get(ref)
        except exceptions.RayTaskError as exc:
            if isinstance(exc.cause, NaswotError):
                raise exc.cause from None
            raise NaswotError(f"scoring {task.arch} failed on a Ray worker ({type(exc.cause).__name__}: {exc.cause}): "
                              "finished results are stored; rerun to retry") from None
        except exceptions.RayActorError:
            raise NaswotError(f"the Ray worker scoring {task.arch} died (out of memory?): finished results are stored; "
                              "rerun to resume, with a smaller batch_size= or fewer workers=") from None

    def stop_unstarted(self) -> None:
        """Nothing to drop: each actor holds at most two tasks, and those finish and are stored."""

    def stop(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
