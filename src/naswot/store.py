"""The SQLite result store: every score is committed the moment it is computed, so nothing is lost.

One row per (space, architecture, score, data fingerprint, seed, settings). The file runs in WAL
mode, so readers (a report, a second search) never block the writer, and a run killed at any point
keeps every finished row; rerunning the same command skips them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from naswot.errors import NaswotError
from naswot.scores.registry import ScoreResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    space TEXT NOT NULL,
    arch TEXT NOT NULL,
    score TEXT NOT NULL,
    data TEXT NOT NULL,
    seed INTEGER NOT NULL,
    settings TEXT NOT NULL,
    value REAL NOT NULL,
    reason TEXT,
    seconds REAL NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (space, arch, score, data, seed, settings)
)
"""


@dataclass(frozen=True)
class ResultKey:
    """Everything a score's value depends on besides the architecture."""

    space: str
    score: str
    data: str
    seed: int
    settings: str = "{}"

    @staticmethod
    def settings_text(settings: Mapping[str, Any]) -> str:
        """A canonical JSON form, so equal settings always match."""
        return json.dumps(dict(settings), sort_keys=True, separators=(",", ":"))


class Store:
    """Results in one SQLite file (or ``:memory:``)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise NaswotError(f"cannot create the store {self.path}: folder {parent} does not exist")
        try:
            self._db = sqlite3.connect(self.path, timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise NaswotError(f"{self.path} is not a usable naswot store ({exc}): pass another --store file") from None

    def get_many(self, key: ResultKey, archs: Iterable[str]) -> dict[str, ScoreResult]:
        """The stored results among ``archs`` for ``key``."""
        wanted = set(archs)
        rows = self._db.execute(
            "SELECT arch, value, seconds, reason FROM results WHERE space=? AND score=? AND data=? AND seed=? AND settings=?",
            (key.space, key.score, key.data, key.seed, key.settings),
        )
        return {arch: ScoreResult(value, seconds, reason) for arch, value, seconds, reason in rows if arch in wanted}

    def put(self, key: ResultKey, arch: str, result: ScoreResult) -> None:
        """Write one result in its own transaction."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?)",
                (key.space, arch, key.score, key.data, key.seed, key.settings, result.value, result.reason,
                 result.seconds, time.time()),
            )

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self, space: str | None = None, score: str | None = None) -> list[tuple]:
        """Every stored row in schema order, for listings and reports; ``space`` also matches its variants (``name:...``)."""
        return self._db.execute(
            "SELECT * FROM results WHERE (?1 IS NULL OR space = ?1 OR substr(space, 1, length(?1) + 1) = ?1 || ':')"
            " AND (?2 IS NULL OR score = ?2) ORDER BY space, score, data, seed, settings, value DESC, arch",
            (space, score),
        ).fetchall()
