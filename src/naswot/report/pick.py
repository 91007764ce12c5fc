"""The pick of a search: the architecture it answers with, what it costs and how to build it.

``naswot search --json`` writes it as ``"pick"``; the report reads it back, and derives it from the
fields an older search JSON has (``best_arch``, ``best_score``, ``accuracy``, the run's history) when
the file predates it. Nothing here needs torch: the counts come in as numbers.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from naswot.report.reading import count, mapping, number, records


@dataclass(frozen=True)
class Pick:
    arch: str
    space: str
    score: float | None
    """The search's fitness of the pick (None for rea/area, whose pick is the most accurate trained one)."""
    rank: int
    """Its place among the ``evaluated`` distinct architectures by the search's own order (1: the pick)."""
    evaluated: int
    accuracy: float | None
    """The accuracy table's value, when the search was given a table."""
    accuracy_rank: int | None
    """Its place by accuracy among the evaluated architectures the table knows (1: the most accurate)."""
    params: float | None
    flops: float | None
    num_classes: int = 10

    @property
    def build(self) -> str:
        """One line of Python that builds the untrained network."""
        classes = f", num_classes={self.num_classes}" if self.num_classes != 10 else ""
        return (f"from naswot.spaces import get_space; space = get_space({self.space!r}); "
                f"net = space.build(space.parse({self.arch!r}){classes})")

    @property
    def export(self) -> str:
        """The command that writes the network as a standalone PyTorch file."""
        classes = f" --num-classes {self.num_classes}" if self.num_classes != 10 else ""
        return f"naswot export {shlex.quote(self.arch)} --space {shlex.quote(self.space)}{classes} --out model.py"

    def to_json(self) -> dict[str, Any]:
        return {"arch": self.arch, "score": number(self.score), "rank": self.rank, "evaluated": self.evaluated,
                "params": self.params, "flops": self.flops, "accuracy": self.accuracy, "accuracy_rank": self.accuracy_rank,
                "num_classes": self.num_classes, "build": self.build, "export": self.export}


def accuracy_rank(accuracy: float | None, accuracies: Sequence[float | None]) -> int | None:
    """1 + how many of ``accuracies`` beat ``accuracy`` (ties share the better place); None when unknown."""
    if accuracy is None:
        return None
    return 1 + sum(other is not None and other > accuracy for other in accuracies)


def pick_from_search(document: Mapping[str, Any], *, num_classes: int = 10) -> Pick:
    """The pick of a search JSON, from its ``"pick"`` or, in a file written before there was one, its best fields.

    Raises ``ValueError`` naming what is missing when the document holds no architecture to pick.
    """
    given = mapping(document.get("pick"))
    arch = given.get("arch", document.get("best_arch"))
    space = document.get("space")
    if not isinstance(arch, str) or not isinstance(space, str):
        raise ValueError("a search JSON needs its space and the pick's architecture (pick.arch or best_arch)")
    history = records(mapping(document.get("run")).get("history"))
    accuracy = number(given.get("accuracy", document.get("accuracy")))
    evaluated = len({str(item.get("arch")) for item in history}) or count(document.get("n")) or 1
    return Pick(
        arch=arch, space=space, score=number(given.get("score", document.get("best_score"))),
        rank=count(given.get("rank")) or 1, evaluated=count(given.get("evaluated")) or evaluated,
        accuracy=accuracy,
        accuracy_rank=count(given.get("accuracy_rank")) or accuracy_rank(accuracy, [number(i.get("accuracy")) for i in history]),
        params=number(given.get("params")), flops=number(given.get("flops")),
        num_classes=count(given.get("num_classes")) or num_classes)

