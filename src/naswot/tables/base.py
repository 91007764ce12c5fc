"""The interface of a trained-accuracy table (a "benchmark table")."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from naswot.errors import NaswotError
from naswot.spaces.base import Arch, SearchSpace


class AccuracyTable(ABC):
    """Trained accuracies (in %) of the architectures of one space, per data set."""

    space_name: str
    datasets: tuple[str, ...]
    source: str

    @abstractmethod
    def lookup(self, arch: Arch, dataset: str) -> float | None:
        """The accuracy of ``arch`` on ``dataset``, or None when the table does not hold it."""

    @abstractmethod
    def space(self) -> SearchSpace:
        """The search space this table covers (with its official order, where it has one)."""

    def archs(self) -> Sequence[Arch] | None:
        """The architectures the table holds when it covers only part of its space, else None.

        A search over a partial table must draw from these: a random architecture of the space
        would most likely have no accuracy in it.
        """
        return None

    def training_seconds(self, arch: Arch, dataset: str) -> float | None:
        """Seconds the benchmark took to train ``arch`` on ``dataset``'s run over its full schedule, or None.

        This is the simulated cost that search baselines charge per trained network (the NAS-Bench-201
        papers give REA 12,000 s of it); tables without recorded times return None.
        """
        return None

    def arch_at(self, index: int) -> Arch:
        """The architecture at the table's official ``index``; tables without an order refuse."""
        raise NaswotError(f"{self.source} has no official index order: name architectures by their text")

    def accuracy(self, arch: Arch, dataset: str) -> float:
        """Like ``lookup``, but a missing entry is an error naming the table."""
        self.check_dataset(dataset)
        value = self.lookup(arch, dataset)
        if value is None:
            raise NaswotError(f"{arch} is not in {self.source}: check the architecture or the benchmark= file")
        return value

    def check_dataset(self, dataset: str) -> None:
        if dataset not in self.datasets:
            raise NaswotError(f"{self.source} has no {dataset!r} accuracies: use dataset={' or '.join(self.datasets)}")
