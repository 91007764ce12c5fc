"""NAS-Bench-201 accuracies and training times from the official ``torch.save``d benchmark file.

``NAS-Bench-201-v1_1-096897.pth`` (or v1.0, ``NAS-Bench-201-v1_0-e61699.pth``) is a dictionary with
``meta_archs`` (the 15,625 cell strings in the official index order), ``arch2infos`` (index ->
``{'less': ArchResults state of the 12-epoch runs, 'full': of the 200-epoch runs}``) and
``evaluated_indexes``; the official API reads it with ``torch.load`` and maps ``'full'`` to ``hp='200'``.
Values come from ``'full'`` as ``arch_results`` describes. The v1.0 file records no training times
(``train_times`` is None), so ``training_seconds`` is None there; v1.1 and NATS-Bench have them.
The file is read with an allow-list unpickler (see ``naswot.safe_pickle``): no code in it can run.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any

from naswot.errors import NaswotError
from naswot.safe_pickle import load_torch_file
from naswot.spaces.nasbench201 import Cell, NasBench201Space, parse_cell
from naswot.tables.arch_results import ArchResultsTable, State

FIX = "pass benchmark= with NAS-Bench-201-v1_1-096897.pth (or v1_0-e61699.pth)"
CELLS = len(NasBench201Space())


class TopologyResultsTable(ArchResultsTable):
    """An official NAS-Bench-201 / NATS-Bench topology table: cells in the file's own index order."""

    space_name = "nasbench201"

    def _set_order(self, names: Any) -> None:
        """Take the file's ``meta_archs`` as the official order, after checking it lists every cell once."""
        if not isinstance(names, list) or len(names) != CELLS:
            count = len(names) if isinstance(names, list) else "no"
            raise NaswotError(f"{self.source} lists {count} architectures, not NAS-Bench-201's {CELLS}: {self.fix}")
        try:
            self.order = [parse_cell(name) for name in names]
        except (NaswotError, AttributeError) as exc:
            raise NaswotError(f"{self.source} has a malformed architecture string ({exc}): {self.fix}") from None
        self._index = {cell: i for i, cell in enumerate(self.order)}
        if len(self._index) != CELLS:
            raise NaswotError(f"{self.source} lists some architectures twice: {self.fix}")

    @abstractmethod
    def _results_at(self, index: int) -> State | None:
        """The 200-epoch ``ArchResults`` state of the cell at ``index``, None when the file lacks it."""

    @abstractmethod
    def _held_indices(self) -> list[int]:
        """The indices of the cells the file has results for."""

    def results(self, arch: Cell) -> State | None:
        index = self._index.get(arch)
        return None if index is None else self._results_at(index)

    def archs(self) -> list[Cell] | None:
        held = self._held_indices()
        return None if len(held) == CELLS else [self.order[i] for i in held]

    def arch_at(self, index: int) -> Cell:
        if not 0 <= index < CELLS:
            raise NaswotError(f"index {index} is outside the table's 0..{CELLS - 1}")
        return self.order[index]

    def space(self, C: int = 16, N: int = 5) -> NasBench201Space:
        return NasBench201Space(C=C, N=N, order=[str(cell) for cell in self.order])

    def __len__(self) -> int:
        return len(self._held_indices())


class NasBench201FileTable(TopologyResultsTable):
    """The official ``.pth`` file, loaded whole (as the official API does)."""

    fix = FIX

    def __init__(self, path: Path) -> None:
        self.source = str(path)
        if not path.is_file():
            raise NaswotError(f"benchmark table {path} is missing: {FIX}")
        data = load_torch_file(path, FIX)
        missing = [key for key in ("meta_archs", "arch2infos") if not isinstance(data, dict) or key not in data]
        if missing:
            raise NaswotError(f"{path} lacks {', '.join(repr(k) for k in missing)}: it is not a NAS-Bench-201 file: {FIX}")
        if not isinstance(data["arch2infos"], dict):
            raise NaswotError(f"{path} has no 'arch2infos' dictionary: {FIX}")
        self._set_order(data["meta_archs"])
        self._infos: dict[int, Any] = data["arch2infos"]

    def _results_at(self, index: int) -> State | None:
        entry = self._infos.get(index)
        if entry is None:
            return None
        if not isinstance(entry, dict) or "full" not in entry:
            raise NaswotError(f"{self.source}: the entry of index {index} has no 200-epoch ('full') results: {FIX}")
        return entry["full"]

    def _held_indices(self) -> list[int]:
        return sorted(self._infos)
