"""NAS-Bench-201 test accuracies from the CSV layout this project ships with its data.

The file has one row per cell in the official index order, with the columns
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

COLUMNS = {
    "cifar10": "CIFAR10TestAccuracy200Epochs",
    "cifar100": "CIFAR100TestAccuracy200Epochs",
    "ImageNet16-120": "ImageNetTestAccuracy200Epochs",
}
ARCH_COLUMN = "ArchitectureString"


@register_table("nasbench201")
class NasBench201Table(AccuracyTable):
    """200-epoch test accuracies of all 15,625 cells, indexed in the official order."""

    space_name = "nasbench201"
    datasets = tuple(COLUMNS)

    def __init__(self, path: str | Path) -> None:
        path = Path(path).expanduser()
        self.source = str(path)
        fix = "pass --benchmark pointing at nasbench201_accuracies.csv"
        if not path.is_file():
            raise NaswotError(f"benchmark table {path} is missing: {fix}")
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in (ARCH_COLUMN, *COLUMNS.values()) if c not in (reader.fieldnames or [])]
            if missing:
                raise NaswotError(f"{path} lacks the column(s) {', '.join(missing)}: {fix}")
            rows = list(reader)
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
