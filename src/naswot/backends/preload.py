"""What the fork server imports before it forks workers: torch and the worker code, so a worker starts at once.

A worker forked just as its run is interrupted finds its parent's pipes and semaphores gone and fails
before it has a task; the fork server would print that failure's traceback into the user's terminal
after the run's own one-line message. Such a worker has nothing to report, so it ends quietly.
"""

from __future__ import annotations

import sys
from types import TracebackType

import naswot.backends.worker  # noqa: F401  (the import is the point)

_ORPHANED = (FileNotFoundError, EOFError, ConnectionError)


def _quiet_when_orphaned(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if not issubclass(kind, _ORPHANED):
        sys.__excepthook__(kind, value, tb)


sys.excepthook = _quiet_when_orphaned
