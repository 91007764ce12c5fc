"""A Ray cluster, or a Ray instance started on this machine: one actor per worker.

Each actor receives the run's settings (batch included) once, through Ray's object store, and then
only architecture texts; its results come back to the driver, which alone writes the store. Actors
score exactly as local workers do (same seeds, one thread), so results are bit-identical to the
local backend's. With a CUDA device each actor asks Ray for one GPU, and Ray gives it its own. A worker
that dies is restarted and its networks retried (see ``ray_actors``).
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from naswot.backends import BACKENDS, WorkerSettings
from naswot.backends.ray_actors import RayActors
from naswot.compute import default_workers
from naswot.errors import NaswotError

if TYPE_CHECKING:
    from naswot.compute import Compute

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
        actors = RayActors(ray, settings, workers, compute.retries)
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
