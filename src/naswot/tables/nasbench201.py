"""NAS-Bench-201 tables: the reader ``load_table("nasbench201", path)`` picks by the path's form, and the CSV layout.

``.csv`` is the layout this project ships with its data (test accuracies only); ``.pth`` the official
NAS-Bench-201 file (``nasbench201_official``); a folder or ``.pickle.pbz2`` NATS-Bench's topology
benchmark (``natsbench_tss``). The CSV has one row per cell in the official index order, with the columns
``CIFAR10TestAccuracy200Epochs``, ``CIFAR100TestAccuracy200Epochs``, ``ImageNetTestAccuracy200Epochs``
(ImageNet16-120) and ``ArchitectureString``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from naswot.errors import NaswotError
from naswot.spaces.nasbench201 import Cell, NasBench201Space, parse_cell
from naswot.tables import register_table
from naswot.tables.base import AccuracyTable
from naswot.tables.nasbench201_official import NasBench201FileTable
from naswot.tables.natsbench_tss import NatsBenchTopologyTable

COLUMNS = {
    "cifar10": "CIFAR10TestAccuracy200Epochs",
    "cifar100": "CIFAR100TestAccuracy200Epochs",
    "ImageNet16-120": "ImageNetTestAccuracy200Epochs",
}
ARCH_COLUMN = "ArchitectureString"


FORMS = "nasbench201_accuracies.csv, NAS-Bench-201-v1_1-096897.pth or NATS-Bench's NATS-tss-v1_0-3ffb9-simple folder"


@register_table("nasbench201")
def read_nasbench201(path: Path) -> AccuracyTable:
    """The table at ``path``, read by the reader its form calls for."""
    if path.is_dir() or path.name.endswith(".pickle.pbz2"):
        return NatsBenchTopologyTable(path)
    if path.suffix == ".pth":
        return NasBench201FileTable(path)
    if path.suffix == ".csv":
        return NasBench201Table(path)
    if not path.exists():
        raise NaswotError(f"benchmark table {path} is missing: pass benchmark= with {FORMS}")
    raise NaswotError(f"{path} is not a NAS-Bench-201 table (.csv, .pth, or a NATS-Bench folder or .pickle.pbz2): pass {FORMS}")


class NasBench201Table(AccuracyTable):
    """200-epoch test accuracies of all 15,625 cells, indexed in the official order."""

    space_name = "nasbench201"
    datasets = tuple(COLUMNS)

    def __init__(self, path: str | Path) -> None:
        path = Path(path).expanduser()
        self.source = str(path)
        fix = "pass benchmark= pointing at nasbench201_accuracies.csv"
        if not path.is_file():
            raise NaswotError(f"benchmark table {path} is missing: {fix}")
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in (ARCH_COLUMN, *COLUMNS.values()) if c not in (reader.fieldnames or [])]
                if missing:
                    raise NaswotError(f"{path} lacks the column(s) {', '.join(missing)}: {fix}")
                rows = list(reader)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise NaswotError(f"{path} is not a readable CSV file ({exc}): {fix}") from None
        try:
            self.order = [parse_cell(row[ARCH_COLUMN]) for row in rows]
            self._values = {
                dataset: [float(row[column]) for row in rows] for dataset, column in COLUMNS.items()
            }
        except (NaswotError, ValueError, TypeError) as exc:
            raise NaswotError(f"{path} has a malformed row ({exc}): {fix}") from None
        self._index = {cell: i for i, cell in enumerate(self.order)}

    def lookup(self, arch: Cell, dataset: str) -> float | None:
        self.check_dataset(dataset)
        index = self._index.get(arch)
        return None if index is None else self._values[dataset][index]

    def arch_at(self, index: int) -> Cell:
        if not 0 <= index < len(self.order):
            raise NaswotError(f"index {index} is outside the table's 0..{len(self.order) - 1}")
        return self.order[index]

    def space(self, C: int = 16, N: int = 5) -> NasBench201Space:
        return NasBench201Space(C=C, N=N, order=[str(cell) for cell in self.order])

    def __len__(self) -> int:
        return len(self.order)
