"""The one place that knows every score: register with a decorator, look up by name.

A score function takes an untrained network and a batch and returns a float where higher means
"expected to train better". It declares what it needs, so ``compute_score`` prepares the network
once (BatchNorm mode, autograd) and every score sees the same net and batch. A score that is
undefined for a network raises ``UndefinedScore``; the result is then ``-inf`` with the reason, so
a ranking never holds a NaN. A network that torch cannot run on the batch (a wrong input size, say)
gets ``-inf`` with torch's message, so one bad member of a family does not end a long run. Only such
failures, which every rerun would repeat, become stored ``-inf``s: any other error (out of memory, a
driver fault) raises ``ScoreFailed``, which ends the run and leaves the network to be retried.
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.score_result import ScoreResult

ScoreFunction = Callable[[nn.Module, Batch], float]


class UndefinedScore(Exception):
    """The score has no value for this network (e.g. a singular kernel); the message says why."""


class ScoreFailed(NaswotError):
    """Scoring failed for a reason that may not recur (out of memory, say): nothing is stored, a rerun retries."""


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


_REGISTRY: dict[str, ScoreSpec] = {}


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
        if name in _REGISTRY:
            raise ValueError(f"score {name!r} is registered twice")
        doc = (function.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = ScoreSpec(name, function, needs_grad or needs_loss, needs_labels or needs_loss, train_bn,
                                    version, doc[0] if doc else "", needs_loss, per_machine)
        return function

    return decorate


def score_names(pattern: str = "*") -> list[str]:
    _load_builtin_scores()
    return sorted(name for name in _REGISTRY if fnmatch.fnmatch(name, pattern))


def get_score(name: str) -> ScoreSpec:
    _load_builtin_scores()
    if name not in _REGISTRY:
        raise NaswotError(f"unknown score {name!r}: choose from {', '.join(score_names())} (see `naswot list scores`)")
    return _REGISTRY[name]


def compute_score(spec: ScoreSpec, net: nn.Module, batch: Batch) -> ScoreResult:
    """Prepare ``net`` as ``spec`` asks, run the score, and turn failures into ``-inf`` with a reason."""
    if spec.needs_labels and batch.labels is None:
        raise NaswotError(f"score {spec.name!r} needs labelled images: use a data set with labels")
    net.train(spec.train_bn)
    start = time.perf_counter()
    try:
        with contextlib.nullcontext() if spec.needs_grad else torch.no_grad():
            value = float(spec.function(net, batch))
    except UndefinedScore as exc:
        return ScoreResult(-math.inf, time.perf_counter() - start, str(exc))
    except RuntimeError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if not isinstance(exc, torch.OutOfMemoryError) and fails_on_shapes(net, batch):
            return ScoreResult(-math.inf, time.perf_counter() - start, f"the network failed on this batch: {first_line}")
        raise ScoreFailed(f"{type(exc).__name__}: {first_line}") from None
    seconds = time.perf_counter() - start
    if math.isnan(value):
        return ScoreResult(-math.inf, seconds, "the score is NaN for this network")
    return ScoreResult(value, seconds)


def fails_on_shapes(net: nn.Module, batch: Batch) -> bool:
    """Whether ``net`` fails on the batch's shapes alone: a forward pass on torch's meta device, which has shapes
    but no values or memory, so its failure is a property of the network and batch that every rerun repeats."""
    try:
        with torch.no_grad():
            copy.deepcopy(net).to("meta")(batch.images.to("meta"))
    except RuntimeError:
        return True
    except Exception:  # an op without a meta kernel, say: the shapes alone do not decide it
        return False
    return False


def _load_builtin_scores() -> None:
    """Import the modules whose decorators fill the registry."""
    from naswot.scores import (  # noqa: F401
        az_nas,
        epe_nas,
        gradients,
        jacob_cov,
        latency,
        meco,
        naswot,
        naswot_class,
        naswot_variants,
        size,
        swap,
        synflow,
        vkdnw,
        zen,
        zico,
    )
    from naswot.scores.llo import score as llo_score  # noqa: F401
