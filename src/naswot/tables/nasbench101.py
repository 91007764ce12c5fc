"""NAS-Bench-101 accuracies: the official ``nasbench_only108.tfrecord`` (or the full file) and the project's sample.

The official file is a TFRecord whose records are JSON lists ``[hash, epochs, adjacency bits, ops,
base64 ModelMetrics]``, one per training run (3 repeats per cell and epoch budget). Only the 108-epoch
runs are used, averaged over repeats: ``cifar10-valid`` is the final validation accuracy, ``cifar10-test``
the final test accuracy, both in %. The sample (``nasbench101_sample_1k.json``) holds parallel columns
with the 108-epoch validation accuracy; its op codes 0/1/2 are the official op order (conv3x3,
conv1x1, maxpool3x3), -1/-2 mark input/output and -3 pads cells with fewer than 7 vertices.
Cells are matched by the official hash, so any isomorphic form of a cell finds its accuracy.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from naswot.errors import NaswotError
from naswot.spaces.nasbench101 import OPS, UNIQUE_CELLS, Cell, NasBench101Space, make_cell, module_hash
from naswot.tables import register_table
from naswot.tables.base import AccuracyTable
from naswot.tables.protobuf import WireFormatError, as_double, fields
from naswot.tables.tfrecord import read_records

EPOCHS = 108
VALID, TEST = "cifar10-valid", "cifar10-test"


class NasBench101Table(AccuracyTable):
    """Accuracies (%) by official cell hash; ``cells`` are the cells it holds, kept when it is partial."""

    space_name = "nasbench101"

    def __init__(self, source: str, accuracies: dict[str, dict[str, float]], datasets: tuple[str, ...],
                 cells: Sequence[Cell] | None) -> None:
        self.source = source
        self.datasets = datasets
        self._accuracies = accuracies
        self._cells = list(cells) if cells is not None else None

    def lookup(self, arch: Cell, dataset: str) -> float | None:
        self.check_dataset(dataset)
        values = self._accuracies.get(module_hash(arch))
        return None if values is None else values[dataset]

    def archs(self) -> list[Cell] | None:
        return self._cells

    def space(self) -> NasBench101Space:
        return NasBench101Space()

    def __len__(self) -> int:
        return len(self._accuracies)


@register_table("nasbench101")
def read_nasbench101(path: Path) -> NasBench101Table:
    """Read an official ``.tfrecord`` file or the project's ``.json`` sample."""
    if not path.is_file():
        raise NaswotError(f"benchmark table {path} is missing: pass benchmark= with a .tfrecord or the sample .json")
    if path.suffix == ".json":
        return read_sample(path)
    if path.suffix == ".tfrecord":
        return read_tfrecord(path)
    raise NaswotError(f"{path} is neither a NAS-Bench-101 .tfrecord nor a .json sample: pass one of those")


def read_tfrecord(path: Path) -> NasBench101Table:
    """The 108-epoch runs of an official NAS-Bench-101 TFRecord file, averaged per cell."""
    runs: dict[str, list[tuple[float, float]]] = {}
    graphs: dict[str, tuple[str, str]] = {}
    for number, record in enumerate(read_records(path)):
        try:
            module_hash_, epochs, adjacency, operations, metrics = json.loads(record.decode("utf-8"))
            if not all(isinstance(value, str) for value in (module_hash_, adjacency, operations)):
                raise TypeError("its hash, adjacency and operations are not all strings")
            final = _final_evaluation(base64.b64decode(metrics, validate=True))
        except (ValueError, TypeError, RecursionError) as exc:  # UnicodeDecodeError, JSONDecodeError, binascii.Error too
            raise NaswotError(f"{path}: record {number} is not a NAS-Bench-101 entry ({exc}): "
                              "pass nasbench_only108.tfrecord") from None
        if epochs == EPOCHS:
            runs.setdefault(module_hash_, []).append(final)
            graphs[module_hash_] = (adjacency, operations)
    if not runs:
        raise NaswotError(f"{path} holds no {EPOCHS}-epoch runs: pass nasbench_only108.tfrecord or the full NAS-Bench-101 file")
    accuracies = {h: {VALID: 100 * float(np.mean([v for v, _ in r])), TEST: 100 * float(np.mean([t for _, t in r]))}
                  for h, r in runs.items()}
    cells = None
    if len(runs) < UNIQUE_CELLS:
        cells = [_checked_cell(_cell_from_record(*graphs[h], path), h, path) for h in runs]
    return NasBench101Table(str(path), accuracies, (VALID, TEST), cells)


def _final_evaluation(metrics: bytes) -> tuple[float, float]:
    """(validation, test) accuracy of the final evaluation (``evaluation_data[2]``) of a ModelMetrics message."""
    evaluations = [value for number, wire, value in fields(metrics) if number == 1 and wire == 2]
    if len(evaluations) < 3:
        raise WireFormatError(f"ModelMetrics has {len(evaluations)} evaluations, the official files have 3")
    final = {number: as_double(value) for number, wire, value in fields(evaluations[2]) if wire == 1}  # type: ignore[arg-type]
    if 4 not in final or 5 not in final:
        raise WireFormatError("the final evaluation lacks its validation or test accuracy")
    return final[4], final[5]


def _cell_from_record(adjacency: str, operations: str, path: Path) -> Cell:
    size = int(round(len(adjacency) ** 0.5))
    if size * size != len(adjacency) or set(adjacency) - {"0", "1"}:
        raise NaswotError(f"{path}: an adjacency {adjacency!r} is not a square 0/1 matrix: pass an official NAS-Bench-101 file")
    matrix = np.array([int(bit) for bit in adjacency]).reshape(size, size)
    return make_cell(matrix, operations.split(","))


def _checked_cell(cell: Cell, key: str, path: Path) -> Cell:
    if module_hash(cell) != key:
        raise NaswotError(f"{path}: the cell {cell} does not have its stated hash {key}: pass an official NAS-Bench-101 file")
    return cell


SAMPLE_COLUMNS = ("operations", "adjacency", "key", f"{EPOCHS}_final_validation_accuracy")


def read_sample(path: Path) -> NasBench101Table:
    """The project's sample: parallel columns with each cell's ops, adjacency, hash and accuracies."""
    fix = "pass benchmark= pointing at nasbench101_sample_1k.json"
    try:
        data: dict[str, list[Any]] = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise NaswotError(f"{path} is not readable JSON ({exc}): {fix}") from None
    missing = [c for c in SAMPLE_COLUMNS if not isinstance(data, dict) or c not in data]
    if missing:
        raise NaswotError(f"{path} lacks the column(s) {', '.join(missing)}: {fix}")
    if len({len(data[c]) for c in SAMPLE_COLUMNS}) != 1:
        raise NaswotError(f"{path} has columns of different lengths: {fix}")
    cells, accuracies = [], {}
    for row, (codes, adjacency, key, accuracy) in enumerate(zip(*(data[c] for c in SAMPLE_COLUMNS))):
        try:
            cell = _cell_from_codes(codes, adjacency)
            value = 100 * float(accuracy)
        except (NaswotError, ValueError, TypeError, IndexError) as exc:
            raise NaswotError(f"{path}: row {row} is not a NAS-Bench-101 cell ({exc}): {fix}") from None
        cells.append(_checked_cell(cell, key, path))
        accuracies[key] = {VALID: value}
    return NasBench101Table(str(path), accuracies, (VALID,), cells)


def _cell_from_codes(codes: Sequence[int], adjacency: Sequence[Sequence[float]]) -> Cell:
    """A cell from the sample's op codes (padding -3 dropped) and its (padded) adjacency matrix."""
    keep = [i for i, code in enumerate(codes) if code != -3]
    if codes[keep[0]] != -1 or codes[keep[-1]] != -2:
        raise ValueError("the ops do not start with the input (-1) and end with the output (-2)")
    if any(codes[i] not in range(len(OPS)) for i in keep[1:-1]):
        raise ValueError(f"interior op codes must be 0, 1 or 2, got {[codes[i] for i in keep[1:-1]]}")
    matrix = np.array([[adjacency[i][j] for j in keep] for i in keep])
    return make_cell(matrix, ["input", *(OPS[codes[i]] for i in keep[1:-1]), "output"])
