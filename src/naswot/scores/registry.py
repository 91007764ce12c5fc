"""The one place that knows every score: register with a decorator, look up by name.

A score function takes an untrained network and a batch and returns a float where higher means
"expected to train better". It declares what it needs, so ``naswot.scores.compute.compute_score``
prepares the network once (BatchNorm mode, autograd) and every score sees the same net and batch. A
score that is undefined for a network raises ``UndefinedScore``; the result is then ``-inf`` with the
reason, so a ranking never holds a NaN.

This module imports no torch: naming, listing and checking scores (``naswot list scores``, a refused
``--score``) answers at once; the score modules themselves load on the first lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from naswot.registry import Registry, origin

if TYPE_CHECKING:
    from torch import nn

    from naswot.data.batch import Batch

ScoreFunction = Callable[["nn.Module", "Batch"], float]


class UndefinedScore(Exception):
    """The score has no value for this network (e.g. a singular kernel); the message says why."""


@dataclass(frozen=True)
class ScoreSpec:
    """A registered score and what it needs from the caller."""

    name: str
    function: ScoreFunction
    needs_grad: bool = False
    needs_labels: bool = False
    train_bn: bool = True
    version: int = 1
    description: str = ""
    needs_loss: bool = False
    """The score back-propagates the classification loss of the batch (so it also needs labels and gradients)."""
    per_machine: bool = False
    """Its value depends on the machine, not only on the device type (a latency): the store keys it by the machine."""


BUILTIN_MODULES = tuple(f"naswot.scores.{name}" for name in (
    "az_nas", "epe_nas", "gradients", "jacob_cov", "latency", "meco", "naswot", "naswot_class", "naswot_variants",
    "size", "swap", "synflow", "vkdnw", "zen", "zico", "llo.score"))
"""The modules whose decorators register the built-in scores, imported on the first lookup."""
SCORES: Registry[ScoreSpec] = Registry("score", BUILTIN_MODULES, listed_by="naswot list scores")


def register_score(
    name: str,
    *,
    needs_grad: bool = False,
    needs_labels: bool = False,
    train_bn: bool = True,
    version: int = 1,
    needs_loss: bool = False,
    per_machine: bool = False,
) -> Callable[[ScoreFunction], ScoreFunction]:
    """Register ``function`` under ``name``; bump ``version`` when its values change, so stored ones are not reused.

    ``needs_loss`` implies ``needs_labels`` and ``needs_grad``: a loss needs the labels, and its use is its gradient.
    """

    def decorate(function: ScoreFunction) -> ScoreFunction:
        doc = (function.__doc__ or "").strip().splitlines()
        SCORES.register(name, ScoreSpec(name, function, needs_grad or needs_loss, needs_labels or needs_loss, train_bn,
                                        version, doc[0] if doc else "", needs_loss, per_machine),
                        defined_at=origin(function))
        return function

    return decorate


def score_names(pattern: str = "*") -> list[str]:
    return SCORES.names(pattern)


def get_score(name: str) -> ScoreSpec:
    return SCORES.get(name)
