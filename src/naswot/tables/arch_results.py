"""Accuracies and training times from the ``ArchResults`` states of NAS-Bench-201 and NATS-Bench.

Both benchmarks keep, per architecture and training schedule (NAS-Bench-201's ``'full'`` = 200 epochs
and ``'less'`` = 12; NATS-Bench's ``'200'``, ``'90'``, ``'12'``), the state dict of an ``ArchResults``:
``dataset_seed`` (the seeds trained on each data set) and ``all_results[(data set, seed)]``, the state
of a ``ResultsCount`` with ``epochs``, ``eval_acc1es['<set>@<epoch>']`` (accuracy in % on an evaluation
set after that epoch) and ``train_times[epoch]`` (seconds; None in files without times). The numbers
here are those of the official APIs' ``get_more_info(arch, run, hp=..., is_random=False)``: the last
epoch's value, averaged over the seeds.

Data sets are named as this project's tables name them:
- ``cifar10``: trained on CIFAR-10 train+valid, accuracy on the test set (run ``cifar10``, set ``ori-test``);
- ``cifar10-valid``: trained on the train half, accuracy on the validation half (run ``cifar10-valid``, ``x-valid``);
- ``cifar100``, ``ImageNet16-120``: accuracy on the ``x-test`` half of their test set, as the benchmarks
  report test accuracy; ``cifar100-valid`` and ``ImageNet16-120-valid``: on the ``x-valid`` half.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np

from naswot.errors import NaswotError
from naswot.spaces.base import Arch
from naswot.tables.base import AccuracyTable

EVAL_SETS = {"cifar10": ("cifar10", "ori-test"), "cifar100": ("cifar100", "x-test"),
             "ImageNet16-120": ("ImageNet16-120", "x-test"), "cifar10-valid": ("cifar10-valid", "x-valid"),
             "cifar100-valid": ("cifar100", "x-valid"), "ImageNet16-120-valid": ("ImageNet16-120", "x-valid")}
"""Our data set name -> (the run it comes from, its evaluation set)."""

State = dict[str, Any]


class ArchResultsTable(AccuracyTable):
    """A table whose entries are ``ArchResults`` states of the benchmark's full training schedule."""

    datasets = tuple(EVAL_SETS)
    fix: str
    """The end of every error message: which file to pass instead."""

    @abstractmethod
    def results(self, arch: Arch) -> State | None:
        """The ``ArchResults`` state of ``arch`` under the full schedule, or None when the table lacks it."""

    def lookup(self, arch: Arch, dataset: str) -> float | None:
        self.check_dataset(dataset)
        run_name, eval_set = EVAL_SETS[dataset]

        def last_epoch(run: State) -> float:
            return float(run["eval_acc1es"][f"{eval_set}@{run['epochs'] - 1}"])

        values = self._per_seed(arch, dataset, run_name, last_epoch)
        return None if values is None else float(np.mean(values))

    def training_seconds(self, arch: Arch, dataset: str) -> float | None:
        """The summed per-epoch training time of the run ``dataset`` comes from, averaged over seeds."""
        self.check_dataset(dataset)
        values = self._per_seed(arch, dataset, EVAL_SETS[dataset][0], _training_time)
        if values is None or any(value is None for value in values):
            return None
        return float(np.mean(values))

    def _per_seed(self, arch: Arch, dataset: str, run_name: str, read: Callable[[State], Any]) -> list[Any] | None:
        results = self.results(arch)
        if results is None:
            return None
        try:
            seeds = results["dataset_seed"].get(run_name, [])
            values = [read(results["all_results"][(run_name, seed)]) for seed in seeds]
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            problem = f"lacks {exc}" if isinstance(exc, KeyError) else f"is malformed ({exc})"
            raise NaswotError(f"{self.source}: the entry of {arch} {problem} for {dataset}: {self.fix}") from None
        return values or None


def _training_time(run: State) -> float | None:
    """Seconds to train all ``epochs`` epochs: the API's ``train-all-time`` (None where the file has no times)."""
    times = run["train_times"]
    if not times:
        return None
    return sum(float(times[epoch]) for epoch in range(run["epochs"]))
