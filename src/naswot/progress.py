"""One progress display for all long work: count, rate and time left, on stderr, with an optional note
(a training run's loss and accuracy so far).

In a terminal it is a live bar. Anywhere else (a log file, CI, ``nohup``) a bar would print nothing useful,
so a plain line is written instead every ``LINE_EVERY`` seconds and at every tenth of the work, and once
at the end: a long run is never silent in a log.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

LINE_EVERY = 10.0
"""Seconds between progress lines when stderr is not a terminal."""


@contextlib.contextmanager
def progress_bar(description: str, total: int | None, enabled: bool = True, done: int = 0,
                 stream: TextIO | None = None) -> Iterator[Callable[..., None]]:
    """Yield a function that advances the count by one (``advance(note=...)`` also replaces the note shown beside
    it); nothing is shown when ``enabled`` is False.

    ``total`` may be None when the amount of work is not known beforehand; ``done`` results are counted
    from the start (those a store already held).
    """
    stream = stream or sys.stderr
    if not enabled:
        yield lambda note=None: None
    elif stream.isatty():
        with _bar(description, total, done, stream) as advance:
            yield advance
    else:
        lines = _Lines(description, total, done, stream)
        yield lines.advance
        lines.finish()


@contextlib.contextmanager
def _bar(description: str, total: int | None, done: int, stream: TextIO) -> Iterator[Callable[..., None]]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("[cyan]{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
               TextColumn("{task.fields[note]}"))
    with Progress(*columns, console=Console(file=stream), transient=False) as progress:
        task = progress.add_task(description, total=total, completed=done, rate="", note="")

        def advance(note: str | None = None) -> None:
            progress.advance(task)
            speed = progress.tasks[task].speed
            progress.update(task, rate=f"{speed:.2f}/s" if speed else "", **({"note": note} if note is not None else {}))

        yield advance


class _Lines:
    """Plain progress lines: ``scoring 340/15,625 (2%) 3.10/s, 1:22:10 left``, and the note after a semicolon."""

    def __init__(self, description: str, total: int | None, done: int, stream: TextIO) -> None:
        self.description, self.total, self.done, self.stream = description, total, done, stream
        self.start = self.last = time.monotonic()
        self.first = done
        self.step = max(1, (total or 0) // 10)
        self.note = ""

    def advance(self, note: str | None = None) -> None:
        self.done += 1
        self.note = self.note if note is None else note
        now = time.monotonic()
        if now - self.last >= LINE_EVERY or (self.total and self.done % self.step == 0):
            self._line(now)

    def finish(self) -> None:
        if self.done > self.first:
            self._line(time.monotonic())

    def _line(self, now: float) -> None:
        self.last = now
        rate = (self.done - self.first) / max(now - self.start, 1e-9)
        count = f"{self.done:,}/{self.total:,} ({100 * self.done / self.total:.0f}%)" if self.total else f"{self.done:,}"
        left = f", {_clock((self.total - self.done) / rate)} left" if self.total and rate > 0 else ""
        note = f"; {self.note}" if self.note else ""
        print(f"{self.description} {count} {rate:.2f}/s{left}{note}", file=self.stream, flush=True)


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
