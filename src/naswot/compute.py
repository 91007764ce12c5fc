"""How a run computes, and the one way a network is built and scored: below the executor and every backend.

Each network is initialised from a seed derived from the run's seed and the architecture's text, on the
CPU, and scored on one thread (parallelism comes from processes), so a score never depends on the order
of work, on which process or machine ran it, or on its thread count (which changes convolution round-off,
and through it near-zero ReLU codes): a resumed run gives exactly the numbers of an uninterrupted one, and
every backend gives exactly the numbers of the others.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from naswot.errors import NaswotError
from naswot.notes import note

if TYPE_CHECKING:
    from torch import nn

    from naswot.data.batch import Batch
    from naswot.score_result import ScoreResult
    from naswot.scores.registry import ScoreSpec
    from naswot.spaces.base import Arch, SearchSpace

DEVICE_HELP = "auto (CUDA when available), cpu, cuda or cuda:N"


@dataclass(frozen=True)
class Compute:
    """How to compute scores, as opposed to what: every library call that scores takes one."""

    workers: int | None = None
    """Worker processes (default: one per CPU this process may use); for Ray, actors."""
    show_progress: bool = True
    backend: str = "local"
    """``local`` (a process pool on this machine) or ``ray`` (a Ray cluster, see ``address``)."""
    address: str | None = None
    """The Ray cluster: ``auto``, ``ray://host:port``, or None to start a local Ray instance."""
    device: str = "auto"
    """``auto`` (CUDA when available), ``cpu``, ``cuda`` or ``cuda:N``."""
    retries: int = 3
    """For Ray: how often a worker that dies (its node lost, its process killed) is restarted, and how often a
    network whose worker died under it is retried on another, before the run stops."""

    def __post_init__(self) -> None:
        if self.workers is not None and (_not_count(self.workers) or self.workers < 1):
            raise NaswotError(f"workers={self.workers!r} runs nothing: use workers=1 or more (default: one per CPU)")
        if _not_count(self.retries) or self.retries < 0:
            raise NaswotError(f"retries={self.retries!r} is not a number of retries: use retries=0 or more (default 3)")
        check_device_text(self.device)
        if self.address is not None:
            check_address(self.address)


def _not_count(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, int)


def check_device_text(text: str) -> None:
    """The form of a device name, checked without torch (whether the device exists is checked when a run starts)."""
    kind, _, index = text.partition(":")
    if text not in ("auto", "cpu") and not (kind == "cuda" and (not index or index.isdigit())):
        raise NaswotError(f"unknown device {text!r}: use device={DEVICE_HELP}")


def check_address(address: str) -> None:
    """A Ray address is ``auto`` or ``ray://host:port``; reaching it is checked when the run starts."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not address.startswith("ray://") or not host or not port.isdigit():
        raise NaswotError(f"address={address!r} is not auto or ray://host:port (e.g. ray://10.0.0.5:10001)")


def default_workers() -> int:
    """The CPUs this process may run on (its affinity, which container limits set), else the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def local_workers(requested: int | None, tasks: int) -> int:
    """Worker processes for ``tasks`` networks on this machine: never more than the work or the CPUs can use.

    More processes than CPUs only share the cores while each holds a network and a batch in memory, so a
    larger request is capped, and said so.
    """
    cpus = default_workers()
    if requested is not None and requested > cpus:
        note(f"workers={requested} capped to {cpus}: this process may use {cpus} CPU(s), and more workers would "
             "only share them while each holds its own network in memory")
    return max(1, min(requested or cpus, cpus, tasks))


def network_seed(seed: int, arch_text: str) -> int:
    """The initialisation seed of one architecture's network under run seed ``seed``."""
    digest = hashlib.sha256(f"{seed}|{arch_text}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def build_network(space: SearchSpace, arch: Arch, seed: int, num_classes: int) -> nn.Module:
    """The network of ``arch`` with the initialisation every score of run ``seed`` sees (drawn on the CPU)."""
    import torch

    torch.manual_seed(network_seed(seed, str(arch)))
    return space.build(arch, num_classes=num_classes)


def score_network(space: SearchSpace, arch: Arch, spec: ScoreSpec, batch: Batch, seed: int) -> ScoreResult:
    """Build ``arch`` freshly initialised for ``seed`` and score it on one thread, on the batch's device.

    The weights are drawn on the CPU whatever the device, so every device starts from the same network.
    """
    from naswot.scores.registry import ScoreFailed, compute_score
    from naswot.threads import one_torch_thread

    with one_torch_thread():
        net = build_network(space, arch, seed, batch.num_classes).to(batch.images.device)
        try:
            return compute_score(spec, net, batch)
        except ScoreFailed as exc:
            raise ScoreFailed(f"scoring {arch} with {spec.name} failed ({exc}): finished results are stored; rerun to "
                              "retry (with a smaller batch_size= or fewer workers= if memory ran out)") from None
