"""Score many architectures: skip what the store holds, compute the rest on workers, commit each.

Each network is initialised from a seed derived from the run's seed and the architecture's text and
scored on one thread (parallelism comes from processes), so a score never depends on the order of work,
on which process or machine ran it or on its thread count (which changes convolution round-off, and
through it near-zero ReLU codes): an interrupted run that is resumed gives exactly the numbers of an
uninterrupted one, and the Ray backend gives exactly the numbers of the local one.

Workers only compute; this process (the driver) is the store's one writer. Before it hands a network
to a worker it claims the network's rows in the store, so a second run on the same store leaves them
to it and picks up its results instead of computing them again.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from naswot.backends import Backend, Task, WorkerSettings, check_backend, open_backend
from naswot.data.batch import Batch
from naswot.device import resolve_device
from naswot.errors import NaswotError
from naswot.progress import progress_bar
from naswot.scores.registry import ScoreFailed, ScoreResult, ScoreSpec, compute_score, get_score
from naswot.spaces.base import Arch, SearchSpace
from naswot.store import ResultKey, Store, new_owner
from naswot.threads import one_torch_thread

CLAIM_LEASE = 120.0
"""Seconds a claim lives unless renewed; a killed run's claims are free again after this."""
_RENEW_EVERY = CLAIM_LEASE / 4
_POLL = 0.5
"""Seconds between looks at the store while waiting for another run's results."""


@dataclass(frozen=True)
class Compute:
    """How to compute scores, as opposed to what: every library call that scores passes one through."""

    workers: int | None = None
    """Worker processes (default: one per CPU this process may use); for Ray, actors."""
    show_progress: bool = True
    backend: str = "local"
    """``local`` (a process pool on this machine) or ``ray`` (a Ray cluster, see ``address``)."""
    address: str | None = None
    """The Ray cluster: ``auto``, ``ray://host:port``, or None to start a local Ray instance."""
    device: str = "auto"
    """``auto`` (CUDA when available), ``cpu``, ``cuda`` or ``cuda:N``."""


def default_workers() -> int:
    """The CPUs this process may run on (its affinity, which container limits set), else the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def network_seed(seed: int, arch_text: str) -> int:
    """The initialisation seed of one architecture's network under run seed ``seed``."""
    digest = hashlib.sha256(f"{seed}|{arch_text}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def score_network(space: SearchSpace, arch: Arch, spec: ScoreSpec, batch: Batch, seed: int) -> ScoreResult:
    """Build ``arch`` freshly initialised for ``seed`` and score it on one thread, on the batch's device.

    The weights are drawn on the CPU whatever the device, so every device starts from the same network.
    """
    with one_torch_thread():
        net = build_network(space, arch, seed, batch.num_classes).to(batch.images.device)
        try:
            return compute_score(spec, net, batch)
        except ScoreFailed as exc:
            raise ScoreFailed(f"scoring {arch} with {spec.name} failed ({exc}): finished results are stored; "
                              "rerun to retry (with a smaller --batch-size or fewer --workers if memory ran out)") from None


def build_network(space: SearchSpace, arch: Arch, seed: int, num_classes: int) -> nn.Module:
    """The network of ``arch`` with the initialisation every score of run ``seed`` sees."""
    torch.manual_seed(network_seed(seed, str(arch)))
    return space.build(arch, num_classes=num_classes)


@dataclass
class ScoreTable:
    """Results by score name and architecture text, and how many were computed rather than reused."""

    results: dict[str, dict[str, ScoreResult]] = field(default_factory=dict)
    computed: int = 0
    reused: int = 0
    complete: bool = True

    def values(self, score: str, archs: Sequence[Arch]) -> list[float]:
        return [self.results[score][str(a)].value for a in archs]


def result_key(space: SearchSpace, spec: ScoreSpec, batch: Batch, seed: int, device: str = "cpu",
               code: str | None = None) -> ResultKey:
    """The store key: everything besides the architecture that decides a score's value.

    That is the score's version, the code that builds the networks (``code``: the space's unless given,
    for spaces whose architectures come from different code), torch's version and the device type (both
    change round-off, and through it near-zero ReLU codes), besides the space, batch and seed.
    """
    settings = ResultKey.settings_text({"num_classes": batch.num_classes, "version": spec.version,
                                        "code": code or space.code_version(), "torch": torch.__version__, "device": device})
    return ResultKey(space.spec(), spec.name, batch.fingerprint, seed, settings)


def score_architectures(
    space: SearchSpace,
    archs: Iterable[Arch],
    score_names: Sequence[str],
    batch: Batch,
    *,
    seed: int = 0,
    store: Store | None = None,
    compute: Compute = Compute(),
    budget_seconds: float | None = None,
    keep_results: bool = True,
) -> ScoreTable:
    """Every score of every architecture, reusing stored results and storing new ones as they finish.

    With ``budget_seconds`` no network starts once the budget is spent (those already started are
    stored) and ``complete`` is False. With ``keep_results`` False the table only counts (a whole-space
    sweep reads its results from the store).
    """
    check_workers(compute.workers)
    check_backend(compute.backend)
    device = resolve_device(compute.device)
    store = store if store is not None else Store()
    specs = [get_score(name) for name in score_names]
    table = ScoreTable({spec.name: {} for spec in specs})
    texts = {str(a): a for a in archs}
    keys: dict[tuple[str, str], ResultKey] = {}
    by_key: dict[ResultKey, list[str]] = {}
    space_code = space.code_version()
    shared: dict[tuple[str, str], ResultKey] = {}  # one key object per (score, code version), however many archs
    for text, arch in texts.items():
        code = space.arch_code_version(arch) or space_code
        for spec in specs:
            if (spec.name, code) not in shared:
                shared[spec.name, code] = result_key(space, spec, batch, seed, device.type, code)
            keys[text, spec.name] = key = shared[spec.name, code]
            by_key.setdefault(key, []).append(text)
    todo: dict[str, list[str]] = {}
    for key, key_texts in by_key.items():
        found = store.get_many(key, key_texts)
        table.reused += len(found)
        if keep_results:
            table.results[key.score].update(found)
        for text in key_texts:
            if text not in found:
                todo.setdefault(text, []).append(key.score)
    if not todo:
        return table
    deadline = math.inf if budget_seconds is None else time.monotonic() + budget_seconds
    settings = WorkerSettings(space.spec(), batch, seed, str(device))
    run = _Run(store, keys, table, keep_results)
    total = sum(len(names) for names in todo.values())
    with progress_bar("scoring", total=total, enabled=compute.show_progress) as advance:
        run.advance = advance
        with open_backend(compute, settings, len(todo), space) as backend:
            run.drive(backend, [Task(text, tuple(names)) for text, names in todo.items()], deadline)
    table.complete = run.finished == total
    return table


class _Run:
    """The driver's loop: claim, hand out, collect, store; then wait for what another run had claimed."""

    def __init__(self, store: Store, keys: dict[tuple[str, str], ResultKey], table: ScoreTable, keep: bool) -> None:
        self.store, self.keys, self.table, self.keep = store, keys, table, keep
        self.owner = new_owner()
        self.finished = 0
        self.advance = lambda: None
        self._renewed = time.monotonic()

    def drive(self, backend: Backend, tasks: list[Task], deadline: float) -> None:
        queue = deque(tasks)
        elsewhere: dict[str, list[str]] = {}  # claimed by another run: text -> score names
        try:
            while queue or backend.pending() or elsewhere:
                if time.monotonic() >= deadline:
                    queue.clear()
                    elsewhere.clear()
                    backend.stop_unstarted()
                while queue and backend.pending() < backend.slots:
                    task = queue.popleft()
                    mine = self._claim(task.arch, task.scores)
                    if len(mine) < len(task.scores):
                        elsewhere.setdefault(task.arch, []).extend(n for n in task.scores if n not in mine)
                    if mine:
                        backend.submit(Task(task.arch, tuple(mine)))
                if backend.pending():
                    left = deadline - time.monotonic()
                    wait = min(_RENEW_EVERY, left) if left > 0 else _RENEW_EVERY
                    for task, results in backend.wait(wait):
                        for name, result in zip(task.scores, results):
                            self._store(task.arch, name, result)
                elif elsewhere and not queue:
                    queue.extend(self._collect(elsewhere))
                    if not queue:
                        time.sleep(_POLL)
                self._renew()
        finally:
            self.store.release(self.owner)

    def _claim(self, text: str, names: Sequence[str]) -> list[str]:
        return [name for name in names if self.store.claim(self.keys[text, name], [text], self.owner, CLAIM_LEASE)]

    def _store(self, text: str, name: str, result: ScoreResult) -> None:
        self.store.put(self.keys[text, name], text, result)
        self._record(text, name, result)
        self.table.computed += 1

    def _record(self, text: str, name: str, result: ScoreResult) -> None:
        if self.keep:
            self.table.results[name][text] = result
        self.finished += 1
        self.advance()

    def _collect(self, elsewhere: dict[str, list[str]]) -> list[Task]:
        """Take the results another run stored meanwhile, and claim what it gave up (killed, or interrupted)."""
        freed = []
        for text in list(elsewhere):
            waiting = []
            for name in elsewhere[text]:
                found = self.store.get(self.keys[text, name], text)
                if found is not None:
                    self._record(text, name, found)
                    self.table.reused += 1
                else:
                    waiting.append(name)
            mine = self._claim(text, waiting)
            if mine:
                freed.append(Task(text, tuple(mine)))
            elsewhere[text] = [name for name in waiting if name not in mine]
            if not elsewhere[text]:
                del elsewhere[text]
        return freed

    def _renew(self) -> None:
        if time.monotonic() - self._renewed > _RENEW_EVERY:
            self.store.renew(self.owner)
            self._renewed = time.monotonic()


def check_workers(workers: int | None) -> None:
    """Reject a worker count that cannot run, before any work."""
    if workers is not None and workers < 1:
        raise NaswotError(f"--workers {workers} runs nothing: use 1 or more (default: one per CPU)")
