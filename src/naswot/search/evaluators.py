"""Where a search's training-free scores come from: computed through the store, or looked up in a scored pool.

A search asks an ``Evaluator`` for the scores of a few architectures at a time (one generation of an
evolution, one chunk of a random sample). The executor-backed one computes what the store lacks and
stores it, so a rerun of a search reuses every score; the lookup one answers from scores computed
beforehand, so hundreds of seeded searches over one scored space cost no network at all. Both report
an evaluation's cost as the stored compute seconds of its scores, so simulated wall time is comparable.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence

from naswot.errors import NaswotError
from naswot.executor import ComputeSession
from naswot.score_result import ScoreResult
from naswot.spaces.base import Arch


class Evaluator(ABC):
    """Scores architectures; counts how many scores it computed and how many it reused."""

    computed: int = 0
    reused: int = 0

    @abstractmethod
    def evaluate(self, archs: Sequence[Arch], names: Sequence[str]) -> list[dict[str, ScoreResult]]:
        """Each architecture's result of every score in ``names``, in the order of ``archs``."""


class ExecutorEvaluator(Evaluator):
    """Scores through the run's compute session: stored results are reused, new ones stored as they finish.

    Every call, one network or a generation, goes through the session's one backend with the run's own
    settings (workers, backend, device); ``advance`` counts each result of the ``counted`` scores (the
    fitness, not the costs a budget measures) for the search's progress display.
    """

    def __init__(self, session: ComputeSession, advance: Callable[[], None] | None = None,
                 counted: Sequence[str] = ()) -> None:
        self.session = session
        self.advance = advance if advance is not None else lambda: None
        self.counted = set(counted)
        self.computed = self.reused = 0

    def evaluate(self, archs: Sequence[Arch], names: Sequence[str]) -> list[dict[str, ScoreResult]]:
        advance = self.advance if set(names) <= self.counted else (lambda: None)
        table = self.session.score(archs, names, advance=advance)
        self.computed += table.computed
        self.reused += table.reused
        return [{name: table.results[name][str(arch)] for name in names} for arch in archs]


class LookupEvaluator(Evaluator):
    """Answers from precomputed results (score name -> architecture text -> result).

    An architecture the results lack goes to ``fallback`` (whose answer is kept), or is an error
    naming what to score first. Nothing is computed when the results cover the search.
    """

    def __init__(self, results: Mapping[str, Mapping[str, ScoreResult]], fallback: Evaluator | None = None) -> None:
        self.results = {name: dict(by_arch) for name, by_arch in results.items()}
        self.fallback = fallback
        self.reused = 0

    @property
    def computed(self) -> int:  # type: ignore[override]
        return self.fallback.computed if self.fallback is not None else 0

    def evaluate(self, archs: Sequence[Arch], names: Sequence[str]) -> list[dict[str, ScoreResult]]:
        texts = [str(arch) for arch in archs]
        missing = [arch for arch, text in zip(archs, texts)
                   if any(text not in self.results.get(name, {}) for name in names)]
        if missing:
            self._fill(missing, names)
        self.reused += (len(archs) - len(missing)) * len(names)
        return [{name: self.results[name][text] for name in names} for text in texts]

    def _fill(self, archs: Sequence[Arch], names: Sequence[str]) -> None:
        if self.fallback is None:
            raise NaswotError(f"{archs[0]} has no precomputed {'/'.join(names)} score: score the whole space (or the "
                              "pool the search draws from) first, or give the lookup a fallback evaluator")
        unique = list(dict.fromkeys(archs))
        for arch, found in zip(unique, self.fallback.evaluate(unique, names)):
            for name, result in found.items():
                self.results.setdefault(name, {})[str(arch)] = result
