"""NDS accuracies from the NDS data files (``DARTS.json``, ``ENAS_fix-w-d.json``, ...).

A file is a JSON list of trained networks (some files wrap it as ``{"top": [...], "mid": [...]}``);
each entry has ``net`` (``genotype``, ``width``, ``depth``) and ``test_ep_top1``, the CIFAR-10 top-1
test error (%) after every epoch. The accuracy is 100 minus the last epoch's error, as the NASWOT
code reads these files. The files sample a few thousand networks of huge spaces, so a search over
one draws from the file's networks (``archs``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from naswot.errors import NaswotError
from naswot.spaces.nds import SPACES, NdsNet, NdsSpace, net_from_json
from naswot.tables import register_table
from naswot.tables.base import AccuracyTable

FIX = "pass benchmark= with an NDS CIFAR-10 file such as DARTS.json"


@register_table("nds")
class NdsTable(AccuracyTable):
    """CIFAR-10 test accuracy (%) of each network of one NDS file."""

    space_name = "nds"
    datasets = ("cifar10",)

    def __init__(self, path: str | Path) -> None:
        path = Path(path).expanduser()
        self.source = str(path)
        self.path = path
        if not path.is_file():
            raise NaswotError(f"benchmark table {path} is missing: {FIX}")
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise NaswotError(f"{path} is not readable JSON ({exc}): {FIX}") from None
        entries = data
        if isinstance(data, dict):  # some NDS files split their networks into a top and a mid list
            parts = [data.get("top", []), data.get("mid", [])]
            entries = [entry for part in parts if isinstance(part, list) for entry in part]
        if not isinstance(entries, list) or not entries:
            raise NaswotError(f"{path} holds no list of networks: {FIX}")
        self._accuracy: dict[NdsNet, float] = {}
        for number, entry in enumerate(entries):
            net, accuracy = self._read_entry(entry, number)
            self._accuracy.setdefault(net, accuracy)

    def _read_entry(self, entry: Any, number: int) -> tuple[NdsNet, float]:
        if not isinstance(entry, dict) or "net" not in entry or "test_ep_top1" not in entry:
            raise NaswotError(f"{self.path}: network {number} lacks 'net' or 'test_ep_top1': {FIX}")
        try:
            net = net_from_json(entry["net"])
            return net, 100.0 - float(entry["test_ep_top1"][-1])
        except NaswotError as exc:
            raise NaswotError(f"{self.path}: network {number}: {exc}") from None
        except (TypeError, ValueError, IndexError):
            raise NaswotError(f"{self.path}: network {number} has no final test error in 'test_ep_top1': {FIX}") from None

    def lookup(self, arch: NdsNet, dataset: str) -> float | None:
        self.check_dataset(dataset)
        return self._accuracy.get(arch)

    def archs(self) -> list[NdsNet]:
        return list(self._accuracy)

    def space(self) -> NdsSpace:
        """The NDS space the file is named after (``ENAS_fix-w-d.json`` is ENAS), else the smallest that fits."""
        prefix = self.path.name.split("_")[0].split(".")[0]
        if prefix in SPACES:
            return NdsSpace(prefix)
        ops = {op for net in self._accuracy for op, _ in net.normal + net.reduce}
        nodes = {len(net.normal) // 2 for net in self._accuracy}
        fitting = [name for name, cell in SPACES.items() if ops <= set(cell.ops) and nodes == {cell.nodes}]
        if not fitting:
            raise NaswotError(f"{self.path} fits none of the NDS spaces {', '.join(SPACES)}: {FIX}")
        return NdsSpace(min(fitting, key=lambda name: len(SPACES[name].ops)))
