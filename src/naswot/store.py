"""The SQLite result store: every score is committed the moment it is computed, so nothing is lost.

One row per (space, architecture, score, data fingerprint, seed, settings). The file runs in WAL
mode, so readers (a report, a second search) never block the writer, and a run killed at any point
keeps every finished row; rerunning the same command skips them.

Two runs may share one store. Before computing an architecture a run claims its rows; another run
skips what is claimed and picks up the result when it lands, so the overlap is scored once. A claim
lives for a lease that its owner renews while it works: the claims of a killed run expire, at once when
the run was on this machine (its process is gone), after the lease otherwise.
A row can also be a copy: a ``--dedupe`` sweep stores the value of the architecture it equals and
names it in ``copy_of``.

A command that only reads (a listing, a report) opens the file read-only: it creates nothing, changes no
journal mode and works on a file it may not write. A file that is not a naswot store (another program's
SQLite database, a results table of another shape) is refused in one line before anything touches it.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from naswot.errors import NaswotError
from naswot.score_result import ScoreResult

_KEY_COLUMNS = ("space", "arch", "score", "data", "seed", "settings")
_COLUMNS = ("space TEXT NOT NULL, arch TEXT NOT NULL, score TEXT NOT NULL, data TEXT NOT NULL, seed INTEGER NOT NULL, "
            "settings TEXT NOT NULL")
_KEY = ", ".join(_KEY_COLUMNS)
_SCHEMA = {
    "results": f"""CREATE TABLE IF NOT EXISTS results ({_COLUMNS}, value REAL NOT NULL, reason TEXT, seconds REAL NOT NULL,
        created REAL NOT NULL, copy_of TEXT, PRIMARY KEY ({_KEY}))""",
    "claims": f"CREATE TABLE IF NOT EXISTS claims ({_COLUMNS}, owner TEXT NOT NULL, renewed REAL NOT NULL, PRIMARY KEY ({_KEY}))",
}
_RESULT_COLUMNS = (*_KEY_COLUMNS, "value", "reason", "seconds", "created", "copy_of")
_NUMBER, _TEXT_OR_NONE = (float, int), (str, type(None))
_TYPES: dict[str, Any] = {"space": str, "arch": str, "score": str, "data": str, "seed": int, "settings": str, "value": _NUMBER,
                          "reason": _TEXT_OR_NONE, "seconds": _NUMBER, "created": _NUMBER, "copy_of": _TEXT_OR_NONE}
"""The Python type of each column in a row naswot wrote."""
_KEY_MATCH = "space=? AND score=? AND data=? AND seed=? AND settings=?"
_SQLITE_HEADER = b"SQLite format 3\x00"


def new_owner() -> str:
    """A claim owner's name: this machine, this process, and a nonce (one process may run several sweeps)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_alive(owner: str) -> bool:
    """False when the owner ran on this machine and its process is gone (killed); True when it may still work."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


@dataclass(frozen=True)
class ResultKey:
    """Everything a score's value depends on besides the architecture (built by ``naswot.keys``)."""

    space: str
    score: str
    data: str
    seed: int
    settings: str = "{}"

    @staticmethod
    def settings_text(settings: Mapping[str, Any]) -> str:
        """A canonical JSON form, so equal settings always match."""
        return json.dumps(dict(settings), sort_keys=True, separators=(",", ":"))

    def columns(self) -> tuple[str, str, str, int, str]:
        return self.space, self.score, self.data, self.seed, self.settings


class StoredRow(NamedTuple):
    """One stored result with its whole key, as listings and reports read it."""

    space: str
    arch: str
    score: str
    data: str
    seed: int
    settings: str
    value: float
    reason: str | None
    seconds: float
    created: float
    copy_of: str | None

    @property
    def key(self) -> ResultKey:
        return ResultKey(self.space, self.score, self.data, self.seed, self.settings)


def is_sqlite_file(path: Path) -> bool:
    """True for an SQLite file, checked from its header without opening it (opening would create one)."""
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER


def _open_readonly(path: Path) -> sqlite3.Connection:
    """A connection that can change nothing in the file or beside it.

    Reading a WAL file takes its ``-shm`` index beside it, which SQLite creates when it is missing; in a folder we
    may not write it cannot, and the first read fails as a write to a read-only database. No ``-wal`` file there
    means no connection has the store open (the last one to close removes it), so it is read as immutable then.
    """
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=60, isolation_level=None)
    try:
        db.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError as exc:
        db.close()
        if "readonly" not in str(exc) or path.with_name(path.name + "-wal").exists():
            raise
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None)
    return db


class Store:
    """Results in one SQLite file (or ``:memory:``); ``readonly`` for commands that only read."""

    def __init__(self, path: str | Path = ":memory:", *, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        if self.path != ":memory:":
            self._check_path(Path(self.path).expanduser())
        try:
            if readonly:
                self._db = _open_readonly(Path(self.path).expanduser().resolve())
                self._check_schema(required=True)
            else:
                self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
                self._check_schema(required=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                for statement in _SCHEMA.values():
                    self._db.execute(statement)
                self._add_copy_column()
                self._check_writable()
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc) and not readonly:
                raise NaswotError(f"the store {self.path} is read-only: pass store= a writable file") from None
            raise NaswotError(f"cannot use the store {self.path} ({exc}): pass store= another file") from None
        except sqlite3.DatabaseError as exc:
            raise NaswotError(f"{self.path} is not a usable naswot store ({exc}): pass store= another file") from None

    def _check_path(self, path: Path) -> None:
        if self.readonly and not path.is_file():
            raise NaswotError(f"no store at {path}: pass store= the file that score, search or sweep wrote")
        if path.exists() and not path.is_file():
            raise NaswotError(f"the store {path} is not a file: pass store= a file")
        if path.is_file() and path.stat().st_size and not is_sqlite_file(path):
            raise NaswotError(f"{path} is not a naswot store (not an SQLite file): pass store= the store file of a run")
        if not path.resolve().parent.is_dir():
            raise NaswotError(f"cannot create the store {path}: folder {path.resolve().parent} does not exist")

    def _check_schema(self, required: bool) -> None:
        """Refuse another program's database: tables of ours with other columns, or tables and none of ours."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "results" in tables:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(results)")}
            missing = set(_RESULT_COLUMNS) - columns - {"copy_of"}  # stores from before copies lack copy_of
            if missing:
                raise NaswotError(f"{self.path} has a 'results' table without the columns {', '.join(sorted(missing))}: "
                                  "it is another program's database, not a naswot store: pass store= another file")
        elif tables:
            raise NaswotError(f"{self.path} is another program's database (tables {', '.join(sorted(tables))}), "
                              "not a naswot store: pass store= another file")
        elif required:
            raise NaswotError(f"the store {self.path} holds no results yet: run score, search or sweep with it first")

    def _add_copy_column(self) -> None:
        """Stores written before copies existed lack the column; their rows are all computed ones."""
        if "copy_of" not in {row[1] for row in self._db.execute("PRAGMA table_info(results)")}:
            self._db.execute("ALTER TABLE results ADD COLUMN copy_of TEXT")

    def _check_writable(self) -> None:
        """Write a row and roll it back: SQLite opens a read-only file without complaint and fails only on the first write."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("INSERT OR REPLACE INTO claims VALUES ('', '', '', '', 0, '', '', 0)")
        finally:
            self._db.execute("ROLLBACK")

    def get_many(self, key: ResultKey, archs: Iterable[str], copies: bool = False) -> dict[str, ScoreResult]:
        """The stored results among ``archs`` for ``key``; copies (of an equivalent architecture) only when asked for.

        A run without dedupe computes every architecture itself, so it does not take a copy for a result.
        """
        wanted = set(archs)
        only_computed = "" if copies else " AND copy_of IS NULL"
        columns = ("arch", "value", "seconds", "reason")
        rows = self._db.execute(f"SELECT {', '.join(columns)} FROM results WHERE {_KEY_MATCH}{only_computed}", key.columns())
        checked = (self._checked(columns, row) for row in rows)
        return {arch: ScoreResult(value, seconds, reason) for arch, value, seconds, reason in checked if arch in wanted}

    def get(self, key: ResultKey, arch: str) -> ScoreResult | None:
        """The computed result of one architecture (an indexed look-up, for polling), or None."""
        columns = ("value", "seconds", "reason")
        row = self._db.execute(f"SELECT {', '.join(columns)} FROM results WHERE arch=? AND {_KEY_MATCH} AND copy_of IS NULL",
                               (arch, *key.columns())).fetchone()
        return ScoreResult(*self._checked(columns, row)) if row else None

    def put(self, key: ResultKey, arch: str, result: ScoreResult, copy_of: str | None = None) -> None:
        """Write one result (and drop its claim) in its own transaction."""
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             (key.space, arch, key.score, key.data, key.seed, key.settings, result.value, result.reason,
                              result.seconds, time.time(), copy_of))
            self._db.execute(f"DELETE FROM claims WHERE arch=? AND {_KEY_MATCH}", (arch, *key.columns()))

    def put_copies(self, key: ResultKey, rows: Iterable[tuple[str, ScoreResult, str]]) -> None:
        """Write (architecture, result, the architecture it copies) rows in one transaction."""
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                                 [(key.space, arch, key.score, key.data, key.seed, key.settings, result.value, result.reason,
                                   0.0, time.time(), copy_of) for arch, result, copy_of in rows])

    def copies(self, key: ResultKey) -> dict[str, str]:
        """The architectures stored as copies, each with the architecture whose value it holds."""
        rows = self._db.execute(f"SELECT arch, copy_of FROM results WHERE copy_of IS NOT NULL AND {_KEY_MATCH}", key.columns())
        return dict(rows)

    def claim(self, key: ResultKey, archs: Iterable[str], owner: str, lease: float) -> set[str]:
        """Claim those of ``archs`` that are neither computed and stored nor claimed by another live owner; return them.

        A claim is live while its owner renewed it within ``lease`` seconds.
        """
        now = time.time()
        mine = set()
        with self._transaction():
            for arch in archs:
                columns = (arch, *key.columns())
                if self._db.execute(f"SELECT 1 FROM results WHERE arch=? AND {_KEY_MATCH} AND copy_of IS NULL",
                                    columns).fetchone():
                    continue
                held = self._db.execute(f"SELECT owner FROM claims WHERE arch=? AND {_KEY_MATCH} AND owner<>? AND renewed>?",
                                        (*columns, owner, now - lease)).fetchone()
                if held and owner_alive(held[0]):
                    continue
                self._db.execute("INSERT OR REPLACE INTO claims VALUES (?,?,?,?,?,?,?,?)",
                                 (key.space, arch, key.score, key.data, key.seed, key.settings, owner, now))
                mine.add(arch)
        return mine

    def renew(self, owner: str) -> None:
        """Keep ``owner``'s claims alive for another lease."""
        with self._transaction():
            self._db.execute("UPDATE claims SET renewed=? WHERE owner=?", (time.time(), owner))

    def release(self, owner: str) -> None:
        """Drop ``owner``'s remaining claims (work it will not finish), so others take it at once."""
        with self._transaction():
            self._db.execute("DELETE FROM claims WHERE owner=?", (owner,))

    def rows(self, space: str | None = None, score: str | None = None) -> list[StoredRow]:
        """Every stored row, grouped by key and best first, for listings and reports; ``space`` also matches
        its variants (``name:...``)."""
        columns = ", ".join(_RESULT_COLUMNS[:-1]) + (", copy_of" if self._has_copies() else ", NULL")
        rows = self._db.execute(
            f"SELECT {columns} FROM results WHERE (?1 IS NULL OR space = ?1 OR substr(space, 1, length(?1) + 1) = ?1 || ':')"
            " AND (?2 IS NULL OR score = ?2) ORDER BY space, score, data, seed, settings, value DESC, arch",
            (space, score),
        )
        return [StoredRow(*self._checked(_RESULT_COLUMNS, row)) for row in rows]

    def _checked(self, columns: tuple[str, ...], row: tuple[Any, ...]) -> tuple[Any, ...]:
        """The row as naswot wrote it; SQLite keeps any type in any column, so a file edited by hand may hold others."""
        for column, value in zip(columns, row):
            if not isinstance(value, _TYPES[column]):
                raise NaswotError(f"{self.path} has a row whose {column} is {type(value).__name__} {value!r:.40}, which "
                                  "naswot never writes: the store is damaged or another program's: pass store= another file")
        return row

    def _has_copies(self) -> bool:
        """Whether the file has the copy_of column (a read-only store from before copies may lack it)."""
        return "copy_of" in {row[1] for row in self._db.execute("PRAGMA table_info(results)")}

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def _transaction(self) -> sqlite3.Connection:
        return _Immediate(self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Immediate:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): a claim reads and writes without another writer in between."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind: type | None, *exc: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
