"""NATS-Bench size-space accuracies from the official benchmark folder (``NATS-sss-v1_0-50262-simple``
or ``-full``) or single file (``NATS-sss-v1_0-50262.pickle.pbz2``); see ``natsbench_archive`` for the layouts.

The size space's full schedule is ``'90'`` epochs; accuracies are its last epoch's, averaged over seeds,
per data set as ``arch_results`` describes (e.g. ``cifar100`` on its ``x-test`` half).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from naswot.errors import NaswotError
from naswot.spaces.natsbench_sss import NatsBenchSizeSpace, Widths
from naswot.tables import register_table
from naswot.tables.arch_results import ArchResultsTable
from naswot.tables.natsbench_archive import NatsArchive

HP = "90"
FIX = "pass benchmark= with NATS-Bench's NATS-sss-v1_0-50262-simple folder or its .pickle.pbz2 file"


@register_table("natsbench_sss")
class NatsBenchSizeTable(ArchResultsTable):
    """The last-epoch accuracy (%) of each architecture under the 90-epoch schedule."""

    space_name = "natsbench_sss"
    fix = FIX

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.source = str(self.path)
        self._space = NatsBenchSizeSpace()
        self._archive = NatsArchive(self.path, len(self._space), FIX, self._check_order)

    def _check_order(self, names: list[str]) -> None:
        """The file's architecture list must be NATS-Bench's order, which ``index_of`` computes."""
        for index in (0, 1, len(names) - 1):
            if names[index] != str(self._space.arch_at(index)):
                raise NaswotError(f"{self.path} has {names[index]!r} at index {index}, not {self._space.arch_at(index)}: {FIX}")

    def results(self, arch: Widths) -> dict[str, Any] | None:
        return self._archive.results(self._space.index_of(arch), HP)

    def archs(self) -> list[Widths] | None:
        indices = self._archive.indices()
        if len(indices) == len(self._space):
            return None
        return [self._space.arch_at(i) for i in indices]

    def arch_at(self, index: int) -> Widths:
        return self._space.arch_at(index)

    def space(self) -> NatsBenchSizeSpace:
        return self._space
