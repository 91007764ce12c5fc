"""NATS-Bench's two on-disk layouts, both bz2 pickles of plain dictionaries (``api_utils.pickle_save``).

- A folder (``NATS-tss-v1_0-3ffb9-simple``, ``NATS-sss-v1_0-50262-simple`` or ``-full``) with
  ``meta.pickle.pbz2`` (``meta_archs``: every architecture's string, in the official order) and one
  ``{index:06d}.pickle.pbz2`` per architecture (the API also accepts ``{index}.pickle.pbz2``);
- one file (``NATS-tss-v1_0-3ffb9.pickle.pbz2``) with ``meta_archs``, ``arch2infos`` and ``evaluated_indexes``.
An architecture's entry maps each training schedule (``'12'``, ``'90'``, ``'200'`` epochs) to its
``ArchResults`` state. Folders are read lazily, one architecture file at a time, and only the last ``KEPT``
files read are kept, so looking up a whole space (32,768 files) does not hold them all in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from naswot.errors import NaswotError
from naswot.safe_pickle import load_bz2_pickle

EXT = ".pickle.pbz2"
KEPT = 256


class NatsArchive:
    """The architecture strings and per-architecture entries of one NATS-Bench folder or file."""

    def __init__(self, path: Path, size: int, fix: str, check_names: Callable[[list[str]], None]) -> None:
        """Read the architecture list, which ``check_names`` vets (a one-line error if it is not the official one)."""
        self.path = path
        self.fix = fix
        self._folder = path.is_dir()
        if self._folder:
            meta = load_bz2_pickle(path / f"meta{EXT}", fix)
        elif path.is_file():
            meta = load_bz2_pickle(path, fix)
        else:
            raise NaswotError(f"benchmark table {path} is missing: {fix}")
        if not isinstance(meta, dict) or "meta_archs" not in meta:
            raise NaswotError(f"{path} has no 'meta_archs' list: {fix}")
        names = meta["meta_archs"]
        if not isinstance(names, list) or len(names) != size:
            raise NaswotError(f"{path} lists {len(names) if isinstance(names, list) else 'no'} architectures, "
                              f"not NATS-Bench's {size}: {fix}")
        check_names(names)
        self.names: list[str] = names
        self._entries: dict[int, dict[str, Any]] = OrderedDict()  # a folder's recently read files
        if not self._folder:
            if not isinstance(meta.get("arch2infos"), dict):
                raise NaswotError(f"{path} has no 'arch2infos' dictionary: {fix}")
            self._entries = meta["arch2infos"]  # the one file holds them all anyway

    def results(self, index: int, hp: str) -> dict[str, Any] | None:
        """The ``ArchResults`` state of architecture ``index`` under schedule ``hp``, None if not held."""
        entry = self._entry(index)
        return None if entry is None else entry.get(hp)

    def _entry(self, index: int) -> dict[str, Any] | None:
        if not self._folder:
            return self._entries.get(index)
        if index in self._entries:
            self._entries.move_to_end(index)  # type: ignore[attr-defined]
            return self._entries[index]
        path = next((p for p in (self.path / f"{index:06d}{EXT}", self.path / f"{index}{EXT}") if p.is_file()), None)
        if path is None:
            return None
        entry = load_bz2_pickle(path, self.fix)
        if not isinstance(entry, dict):
            raise NaswotError(f"{path} does not hold a dictionary of training schedules: {self.fix}")
        self._entries[index] = entry
        while len(self._entries) > KEPT:
            self._entries.popitem(last=False)  # type: ignore[call-arg]
        return entry

    def indices(self) -> list[int]:
        """The indices of the architectures the folder or file holds."""
        if self._folder:
            stems = (p.name[: -len(EXT)] for p in self.path.glob(f"*{EXT}"))
            return sorted({int(stem) for stem in stems if stem.isdigit()})
        return sorted(self._entries)
