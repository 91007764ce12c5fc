"""NATS-Bench topology-space (= NAS-Bench-201) accuracies and training times from the official
folder (``NATS-tss-v1_0-3ffb9-simple`` or ``-full``) or single file (``NATS-tss-v1_0-3ffb9.pickle.pbz2``).

The layouts are those of ``natsbench_archive``; the full schedule is ``'200'`` epochs, read as
``arch_results`` describes. ``meta_archs`` gives the official index order.
"""

from __future__ import annotations

from pathlib import Path

from naswot.tables.arch_results import State
from naswot.tables.nasbench201_official import CELLS, TopologyResultsTable
from naswot.tables.natsbench_archive import NatsArchive

HP = "200"
FIX = "pass benchmark= with NATS-Bench's NATS-tss-v1_0-3ffb9-simple folder or its .pickle.pbz2 file"


class NatsBenchTopologyTable(TopologyResultsTable):
    """The last-epoch accuracy (%) and training time of each cell under the 200-epoch schedule."""

    fix = FIX

    def __init__(self, path: Path) -> None:
        self.source = str(path)
        self._archive = NatsArchive(path, CELLS, FIX, self._set_order)

    def _results_at(self, index: int) -> State | None:
        return self._archive.results(index, HP)

    def _held_indices(self) -> list[int]:
        return self._archive.indices()
