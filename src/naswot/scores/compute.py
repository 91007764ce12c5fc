"""Scoring one network: prepare it as its score asks, run it, and turn what every rerun would repeat into ``-inf``.

A network that torch cannot run on the batch (a wrong input size, say) gets ``-inf`` with torch's
message, so one bad member of a family does not end a long run. Only such failures become stored
``-inf``s: any other error (out of memory, a driver fault) raises ``ScoreFailed``, which ends the run
and leaves the network to be retried.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.score_result import ScoreResult
from naswot.scores.registry import ScoreSpec, UndefinedScore


class ScoreFailed(NaswotError):
    """Scoring failed for a reason that may not recur (out of memory, say): nothing is stored, a rerun retries."""


def compute_score(spec: ScoreSpec, net: nn.Module, batch: Batch) -> ScoreResult:
    """Prepare ``net`` as ``spec`` asks, run the score, and turn failures into ``-inf`` with a reason."""
    check_labels(spec, batch)
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


def check_labels(spec: ScoreSpec, batch: Batch) -> None:
    """Refuse a score that reads labels on images without them, or of one class only, where it has no meaning."""
    if not spec.needs_labels:
        return
    if batch.labels is None:
        raise NaswotError(f"score {spec.name!r} needs labelled images, and {batch.describe()} has no labels: give the "
                          "images one subfolder per class (or a y array), or use a label-free score such as naswot")
    if batch.num_classes < 2:
        raise NaswotError(f"score {spec.name!r} compares classes, and {batch.describe()} has only one: add a second "
                          "class, or use a label-free score such as naswot")


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
