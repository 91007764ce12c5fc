"""Score many architectures through the store: skip what it holds, compute the rest on workers, commit each.

A run opens one ``ComputeSession`` (as an Optuna study holds one storage): it fixes the space, the scores,
the batch, the seed and where they run, and opens its backend (a process pool, Ray actors) once, the first
time something is not in the store, for every call of the run: every chunk of a budgeted search, every
child of an evolution, every fallback. ``score_architectures`` is the one-call form.

Workers only compute; this process (the driver) is the store's one writer. Before it hands a network to a
worker it claims the network's rows in the store, so a second run on the same store leaves them to it and
picks up its results instead of computing them again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from naswot.backends import BACKENDS, Backend, Task, WorkerSettings, open_backend
from naswot.compute import Compute
from naswot.data.batch import Batch
from naswot.device import resolve_device
from naswot.keys import KeyBuilder
from naswot.notes import note
from naswot.progress import progress_bar
from naswot.score_result import ScoreResult
from naswot.scores.compute import check_labels
from naswot.scores.registry import ScoreSpec, get_score
from naswot.spaces.base import Arch, SearchSpace
from naswot.store import ResultKey, Store, new_owner

CLAIM_LEASE = 120.0
"""Seconds a claim lives unless renewed; a killed run's claims are free again after this."""
_RENEW_EVERY = CLAIM_LEASE / 4
_POLL = 0.5
"""Seconds between looks at the store while waiting for another run's results."""


@dataclass
class ScoreTable:
    """Results by score name and architecture text, and how many were computed rather than reused."""

    results: dict[str, dict[str, ScoreResult]] = field(default_factory=dict)
    computed: int = 0
    reused: int = 0
    complete: bool = True

    def values(self, score: str, archs: Sequence[Arch]) -> list[float]:
        return [self.results[score][str(a)].value for a in archs]


class ComputeSession:
    """One run's compute: its space, scores, batch, seed, store and backend, the backend opened at most once.

    ``scores`` are names or ``ScoreSpec`` objects (a score defined in the caller's own code need not be
    registered); a call may name further registered scores, which restarts the workers if they lack them.
    ``planned`` is how many networks the run may score in all, so a run of one network never starts a
    pool. Use it as a context manager: leaving it stops the workers.
    """

    def __init__(self, space: SearchSpace, batch: Batch, scores: Iterable[str | ScoreSpec] = (), *, seed: int = 0,
                 store: Store | None = None, compute: Compute = Compute(), planned: int | None = None) -> None:
        self.space, self.batch, self.seed, self.compute = space, batch, seed, compute
        self.specs = {spec.name: spec for spec in (get_score(s) if isinstance(s, str) else s for s in scores)}
        space.check_input(batch.image_size, batch.num_classes)
        for spec in self.specs.values():
            check_labels(spec, batch)
        for line in batch.notes:
            note(line)
        self.store = store if store is not None else Store()
        BACKENDS.get(compute.backend)  # an unknown backend is refused even when everything is stored
        self.device = resolve_device(compute.device)
        self.keys = KeyBuilder(space, batch, seed, self.device.type)
        self.backends_opened = 0
        self._planned = planned
        self._settings = WorkerSettings(space, self.specs, batch, seed, str(self.device))
        self._stack = contextlib.ExitStack()
        self._backend: Backend | None = None
        self._backend_scores: set[str] = set()

    def __enter__(self) -> ComputeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self._backend = None
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    def key(self, arch: Arch, score: str) -> ResultKey:
        return self.keys.key(arch, self.specs[score])

    def score(self, archs: Iterable[Arch], names: Sequence[str] | None = None, *, budget_seconds: float | None = None,
              keep_results: bool = True, advance: Callable[[], None] | None = None) -> ScoreTable:
        """Every score in ``names`` (default: all the session's) of every architecture, reusing stored results.

        With ``budget_seconds`` no network starts once the budget is spent (those already started are
        stored) and ``complete`` is False. With ``keep_results`` False the table only counts (a whole-space
        sweep reads its results from the store). ``advance`` is called once per result, stored or new; without
        it, a progress bar of this call is drawn when the session's ``compute`` asks for one.
        """
        names = list(self.specs) if names is None else list(names)
        for name in names:
            if name not in self.specs:
                self.specs[name] = get_score(name)
                check_labels(self.specs[name], self.batch)
        table = ScoreTable({name: {} for name in names})
        texts = {str(a): a for a in archs}
        by_key: dict[ResultKey, list[str]] = {}
        for text, arch in texts.items():
            for name in names:
                by_key.setdefault(self.key(arch, name), []).append(text)
        todo: dict[str, list[str]] = {}
        for key, key_texts in by_key.items():
            found = self.store.get_many(key, key_texts)
            table.reused += len(found)
            if keep_results:
                table.results[key.score].update(found)
            for text in key_texts:
                if text not in found:
                    todo.setdefault(text, []).append(key.score)
        total = sum(len(names) for names in todo.values())
        with self._advancing(advance, len(texts) * len(names), table.reused) as step:
            if todo:
                deadline = math.inf if budget_seconds is None else time.monotonic() + budget_seconds
                run = _Run(self.store, {(t, n): self.key(texts[t], n) for t, ns in todo.items() for n in ns}, table,
                           keep_results, step)
                run.drive(self._open(len(todo), todo), [Task(text, tuple(names)) for text, names in todo.items()], deadline)
                table.complete = run.finished == total
        return table

    @contextlib.contextmanager
    def _advancing(self, advance: Callable[[], None] | None, total: int, done: int):  # type: ignore[no-untyped-def]
        """The callback that counts results: the caller's, else this call's own progress bar."""
        if advance is not None:
            for _ in range(done):
                advance()
            yield advance
            return
        with progress_bar("scoring", total=total, enabled=self.compute.show_progress and total > done, done=done) as step:
            yield step

    def _open(self, tasks: int, todo: dict[str, list[str]]) -> Backend:
        """The run's backend, opened on first need (again only if its workers lack a score now asked for)."""
        needed = {name for names in todo.values() for name in names}
        if self._backend is not None and not needed <= self._backend_scores:
            self._backend = None
            self._stack.close()
        if self._backend is None:
            size = max(tasks, self._planned or 0)
            settings = dataclasses.replace(self._settings, scores=dict(self.specs))
            self._backend = self._stack.enter_context(open_backend(self.compute, settings, size))
            self._backend_scores = set(self.specs)
            self.backends_opened += 1
        return self._backend


def score_architectures(
    space: SearchSpace,
    archs: Iterable[Arch],
    score_names: Sequence[str | ScoreSpec],
    batch: Batch,
    *,
    seed: int = 0,
    store: Store | None = None,
    compute: Compute = Compute(),
    budget_seconds: float | None = None,
    keep_results: bool = True,
) -> ScoreTable:
    """Every score of every architecture in one session of its own (see ``ComputeSession.score``)."""
    archs = list(archs)
    with ComputeSession(space, batch, score_names, seed=seed, store=store, compute=compute, planned=len(archs)) as session:
        return session.score(archs, budget_seconds=budget_seconds, keep_results=keep_results)


def stored_results(space: SearchSpace, archs: Iterable[Arch], score_names: Sequence[str], batch: Batch, *, seed: int = 0,
                   store: Store, device: str = "cpu", copies: bool = False) -> dict[str, dict[str, ScoreResult]]:
    """What ``store`` holds of each score for ``archs`` (those it lacks are absent), computing nothing; with
    ``copies``, a ``sweep --dedupe``'s class values count for the members of each class too."""
    keys = KeyBuilder(space, batch, seed, device)
    found: dict[str, dict[str, ScoreResult]] = {}
    for name in score_names:
        spec = get_score(name)
        by_key: dict[ResultKey, list[str]] = {}
        for arch in archs:
            by_key.setdefault(keys.key(arch, spec), []).append(str(arch))
        found[name] = {text: result for key, texts in by_key.items()
                       for text, result in store.get_many(key, texts, copies=copies).items()}
    return found


class _Run:
    """The driver's loop: claim, hand out, collect, store; then wait for what another run had claimed."""

    def __init__(self, store: Store, keys: dict[tuple[str, str], ResultKey], table: ScoreTable, keep: bool,
                 advance: Callable[[], None]) -> None:
        self.store, self.keys, self.table, self.keep, self.advance = store, keys, table, keep, advance
        self.owner = new_owner()
        self.finished = 0
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
