"""NATS-Bench size-space accuracies from the official benchmark files.

Two layouts exist, both bz2-compressed pickles of plain dictionaries (as written by NATS-Bench's
``api_utils.pickle_save``):
- a folder (``NATS-sss-v1_0-50262-simple`` or ``-full``) with ``meta.pickle.pbz2`` (``meta_archs``,
  the 32,768 channel strings) and one ``{index:06d}.pickle.pbz2`` per architecture;
- one file (``NATS-sss-v1_0-50262.pickle.pbz2``) with ``meta_archs``, ``arch2infos`` and ``evaluated_indexes``.
An architecture's entry maps a training schedule (``'90'`` epochs here, NATS-Bench's full one for the
size space) to its ``ArchResults`` state: per data set and seed, the accuracy on each evaluation set
after every epoch. Accuracies are the last epoch's, averaged over seeds, as NATS-Bench's
``get_more_info(..., is_random=False)`` reports them: ``cifar10`` on the test set (``ori-test``),
``cifar100`` and ``ImageNet16-120`` on their test halves (``x-test``), ``cifar10-valid`` on the validation set.
Folders are read lazily, one architecture file at a time, and only the last ``KEPT`` files read are kept, so
reading all 32,768 (a whole-space sweep's correlation) does not hold them all in memory. The format is pickle, as NATS-Bench's own
API reads it: open only files you trust.
"""

from __future__ import annotations

import bz2
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from naswot.errors import NaswotError
from naswot.spaces.natsbench_sss import NatsBenchSizeSpace, Widths
from naswot.tables import register_table
from naswot.tables.base import AccuracyTable

HP = "90"
EVAL_SETS = {"cifar10": ("cifar10", "ori-test"), "cifar100": ("cifar100", "x-test"),
             "ImageNet16-120": ("ImageNet16-120", "x-test"), "cifar10-valid": ("cifar10-valid", "x-valid")}
EXT = ".pickle.pbz2"
KEPT = 256
FIX = "pass --benchmark with NATS-Bench's NATS-sss-v1_0-50262-simple folder or its .pickle.pbz2 file"


def load_pickle(path: Path) -> Any:
    """A bz2-compressed pickle, the only format NATS-Bench writes; anything else is a one-line error."""
    try:
        with bz2.open(path, "rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError) as exc:
        raise NaswotError(f"{path} is not a NATS-Bench pickle ({exc}): {FIX}") from None


@register_table("natsbench_sss")
class NatsBenchSizeTable(AccuracyTable):
    """The last-epoch accuracy (%) of each architecture under the 90-epoch schedule."""

    space_name = "natsbench_sss"
    datasets = tuple(EVAL_SETS)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.source = str(self.path)
        self._space = NatsBenchSizeSpace()
        self._entries: OrderedDict[int, dict[str, Any]] = OrderedDict()  # a folder's recently read files
        if self.path.is_dir():
            meta = load_pickle(self.path / f"meta{EXT}")
            self._folder = True
        elif self.path.is_file():
            meta = load_pickle(self.path)
            self._folder = False
        else:
            raise NaswotError(f"benchmark table {self.path} is missing: {FIX}")
        if not isinstance(meta, dict) or "meta_archs" not in meta:
            raise NaswotError(f"{self.path} has no 'meta_archs' list: {FIX}")
        self._check_order(meta["meta_archs"])
        if not self._folder:
            if not isinstance(meta.get("arch2infos"), dict):
                raise NaswotError(f"{self.path} has no 'arch2infos' dictionary: {FIX}")
            self._entries = meta["arch2infos"]  # the one file holds them all anyway

    def _check_order(self, names: Any) -> None:
        """The file's architecture list must be NATS-Bench's, in its order (which ``index_of`` computes)."""
        if not isinstance(names, list) or len(names) != len(self._space):
            raise NaswotError(f"{self.path} lists {len(names) if isinstance(names, list) else 'no'} architectures, "
                              f"not NATS-Bench's {len(self._space)}: {FIX}")
        for index in (0, 1, len(names) - 1):
            if names[index] != str(self._space.arch_at(index)):
                raise NaswotError(f"{self.path} has {names[index]!r} at index {index}, not {self._space.arch_at(index)}: {FIX}")

    def lookup(self, arch: Widths, dataset: str) -> float | None:
        self.check_dataset(dataset)
        entry = self._entry(self._space.index_of(arch))
        if entry is None or HP not in entry:
            return None
        return self._accuracy(entry[HP], dataset, arch)

    def _entry(self, index: int) -> dict[str, Any] | None:
        if not self._folder:
            return self._entries.get(index)
        if index in self._entries:
            self._entries.move_to_end(index)
            return self._entries[index]
        path = self.path / f"{index:06d}{EXT}"
        if not path.is_file():
            return None
        entry = load_pickle(path)
        if not isinstance(entry, dict):
            raise NaswotError(f"{path} does not hold a dictionary of training schedules: {FIX}")
        self._entries[index] = entry
        while len(self._entries) > KEPT:
            self._entries.popitem(last=False)
        return entry

    def _accuracy(self, results: dict[str, Any], dataset: str, arch: Widths) -> float | None:
        run_name, eval_set = EVAL_SETS[dataset]
        try:
            seeds = results["dataset_seed"].get(run_name, [])
            values = []
            for seed in seeds:
                run = results["all_results"][(run_name, seed)]
                values.append(float(run["eval_acc1es"][f"{eval_set}@{run['epochs'] - 1}"]))
        except (KeyError, TypeError, AttributeError) as exc:
            raise NaswotError(f"{self.path}: the entry of {arch} lacks {exc} for {dataset}: {FIX}") from None
        return float(np.mean(values)) if values else None

    def archs(self) -> list[Widths] | None:
        if self._folder:
            indices = sorted(int(p.name[: -len(EXT)]) for p in self.path.glob(f"*{EXT}") if p.name[: -len(EXT)].isdigit())
        else:
            indices = sorted(self._entries)
        if len(indices) == len(self._space):
            return None
        return [self._space.arch_at(i) for i in indices]

    def arch_at(self, index: int) -> Widths:
        return self._space.arch_at(index)

    def space(self) -> NatsBenchSizeSpace:
        return self._space
