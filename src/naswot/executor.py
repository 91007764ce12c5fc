"""Score many architectures: skip what the store holds, compute the rest (in worker processes), commit each.

Each network is initialised from a seed derived from the run's seed and the architecture's text and
scored on one thread (parallelism comes from processes), so a score never depends on the order of work,
on which process ran it or on its thread count (which changes convolution round-off, and through it
near-zero ReLU codes): an interrupted run that is resumed gives exactly the numbers of an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.progress import progress_bar
from naswot.scores.registry import ScoreResult, ScoreSpec, compute_score, get_score
from naswot.spaces import get_space
from naswot.spaces.base import Arch, SearchSpace
from naswot.store import ResultKey, Store
from naswot.threads import one_torch_thread


def network_seed(seed: int, arch_text: str) -> int:
    """The initialisation seed of one architecture's network under run seed ``seed``."""
    digest = hashlib.sha256(f"{seed}|{arch_text}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def score_network(space: SearchSpace, arch: Arch, spec: ScoreSpec, batch: Batch, seed: int) -> ScoreResult:
    """Build ``arch`` freshly initialised for ``seed`` and score it on one thread."""
    with one_torch_thread():
        return compute_score(spec, build_network(space, arch, seed, batch.num_classes), batch)


def build_network(space: SearchSpace, arch: Arch, seed: int, num_classes: int) -> nn.Module:
    """The network of ``arch`` with the initialisation every score of run ``seed`` sees."""
    torch.manual_seed(network_seed(seed, str(arch)))
    return space.build(arch, num_classes=num_classes)


@dataclass(frozen=True)
class Compute:
    """How to compute scores, as opposed to what: every library call that scores passes one through."""

    workers: int | None = None
    """Worker processes (None: one per usable CPU)."""
    show_progress: bool = True


@dataclass
class ScoreTable:
    """Results by score name and architecture text, and how many were computed rather than reused."""

    results: dict[str, dict[str, ScoreResult]] = field(default_factory=dict)
    computed: int = 0
    reused: int = 0
    complete: bool = True

    def values(self, score: str, archs: Sequence[Arch]) -> list[float]:
        return [self.results[score][str(a)].value for a in archs]


def result_key(space: SearchSpace, spec: ScoreSpec, batch: Batch, seed: int) -> ResultKey:
    """The store key: everything besides the architecture that decides a score's value.

    That is the score's version, the code that builds the networks, torch's version and the device
    (both change round-off, and through it near-zero ReLU codes), besides the space, batch and seed.
    """
    settings = ResultKey.settings_text({"num_classes": batch.num_classes, "version": spec.version,
                                        "code": space.code_version(), "torch": torch.__version__, "device": "cpu"})
    return ResultKey(space.spec(), spec.name, batch.fingerprint, seed, settings)


def score_architectures(
    space: SearchSpace,
    archs: Sequence[Arch],
    score_names: Sequence[str],
    batch: Batch,
    *,
    seed: int = 0,
    store: Store | None = None,
    compute: Compute = Compute(),
    budget_seconds: float | None = None,
) -> ScoreTable:
    """Every score of every architecture, reusing stored results and storing new ones as they finish.

    With ``budget_seconds`` the work stops once the budget is spent and ``complete`` is False.
    """
    store = store if store is not None else Store()
    specs = [get_score(name) for name in score_names]
    table = ScoreTable({spec.name: {} for spec in specs})
    texts = {str(a): a for a in archs}
    todo: list[tuple[str, ScoreSpec]] = []
    for spec in specs:
        key = result_key(space, spec, batch, seed)
        found = store.get_many(key, texts)
        table.results[spec.name].update(found)
        table.reused += len(found)
        todo += [(text, spec) for text in texts if text not in found]
    deadline = math.inf if budget_seconds is None else time.monotonic() + budget_seconds
    with progress_bar("scoring", total=len(todo), enabled=compute.show_progress and bool(todo)) as advance:
        for text, spec, result in _compute(space, texts, todo, batch, seed, compute.workers, deadline):
            store.put(result_key(space, spec, batch, seed), text, result)
            table.results[spec.name][text] = result
            table.computed += 1
            advance()
    table.complete = table.computed == len(todo)
    return table


def _compute(
    space: SearchSpace,
    texts: dict[str, Arch],
    todo: list[tuple[str, ScoreSpec]],
    batch: Batch,
    seed: int,
    workers: int | None,
    deadline: float,
) -> Iterator[tuple[str, ScoreSpec, ScoreResult]]:
    tasks: dict[str, list[ScoreSpec]] = {}
    for text, spec in todo:  # one task per network: its scores run together (and share any cache)
        tasks.setdefault(text, []).append(spec)
    workers = min(workers or os.cpu_count() or 1, len(tasks))
    if workers <= 1:
        for text, specs in tasks.items():
            for spec in specs:
                if time.monotonic() > deadline:
                    return
                yield text, spec, score_network(space, texts[text], spec, batch, seed)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(space.spec(), batch, seed)) as pool:
        pending: dict[Future, tuple[str, list[ScoreSpec]]] = {}
        queue = iter(tasks.items())

        def submit(count: int) -> None:
            for text, specs in _take(queue, count):
                pending[pool.submit(_score_in_worker, text, [spec.name for spec in specs])] = (text, specs)

        try:
            # Keep a few networks per worker in flight, so a budget or an interrupt stops work promptly.
            submit(2 * workers)
            while pending:
                done, _ = wait(pending, timeout=max(0.0, deadline - time.monotonic()) if deadline < math.inf else None,
                               return_when=FIRST_COMPLETED)
                if not done:
                    return
                for future in done:
                    text, specs = pending.pop(future)
                    try:
                        results = future.result()
                    except BrokenProcessPool:
                        raise NaswotError(
                            f"a worker process died while scoring {text} (out of memory?): "
                            "finished results are stored; rerun with --workers 1 or a smaller --batch-size"
                        ) from None
                    yield from ((text, spec, result) for spec, result in zip(specs, results))
                if time.monotonic() < deadline:
                    submit(len(done))
        finally:
            for future in pending:
                future.cancel()


def _take(iterator: Iterator, count: int) -> list:
    return [item for _, item in zip(range(count), iterator)]


_WORKER: dict[str, object] = {}


def _exit_with_parent() -> None:
    """End this worker when the main process dies (even by SIGKILL), instead of idling forever.

    A killed main process never tells the pool to stop, and the workers hold their task queue open
    themselves; the parent's sentinel pipe is what reliably closes.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (parent.join(), os._exit(1)), daemon=True).start()


def _start_worker(space_spec: str, batch: Batch, seed: int) -> None:
    torch.set_num_threads(1)
    _exit_with_parent()
    _WORKER.update(space=get_space(space_spec), batch=batch, seed=seed)


def _score_in_worker(arch_text: str, score_names: list[str]) -> list[ScoreResult]:
    space: SearchSpace = _WORKER["space"]  # type: ignore[assignment]
    arch = space.parse(arch_text)
    return [score_network(space, arch, get_score(name), _WORKER["batch"], _WORKER["seed"])  # type: ignore[arg-type]
            for name in score_names]
