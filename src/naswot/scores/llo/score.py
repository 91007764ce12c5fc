"""The LLO scores: ``llo:<distance>:<similarity>`` for the eight variants of thesis table 5.1, and
``llo`` for the best one there (correlation, normalised absolute distance; R = 0.4624 on four networks).

BatchNorm's batch statistics are held constant in the LLO by default; the thesis leaves this open,
and it moves the score more than any other choice, so every variant also exists with the statistics
differentiated: ``llo:<distance>:<similarity>:bn=autograd`` (see ``graph``).

The expensive part (the Jaccard distances of all parameter sets) is shared by every variant and both
BatchNorm treatments; it is kept for the last two (network, batch) pairs seen, so scoring the variants
of one network one after another computes it once. The key hashes every parameter and buffer, the
module structure, the BatchNorm mode and the batch fingerprint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.device import batch_on
from naswot.scores.llo.formula import DISTANCES, SIMILARITIES, llo_score
from naswot.scores.llo.graph import BATCH_NORM, forward_pass, trace
from naswot.scores.llo.pairs import PairCounts
from naswot.scores.llo.sets import parameter_set_layers
from naswot.scores.registry import ScoreFunction, UndefinedScore, register_score
from naswot.threads import one_torch_thread

DEFAULT = ("abs_norm", "corr")
VERSION = 2
"""2: eq. 3.31 as a mean over pairs of per-pair means (was pooled over all terms); constant distance
vectors caught up to rounding."""
_KEPT = 2 * len(BATCH_NORM)


@dataclass(frozen=True)
class LloStatistics:
    """Everything the score variants and the views need for one network on one batch."""

    input_shape: tuple[int, int, int]
    llo: torch.Tensor
    """(batch, inputs) float64: d(sum of logits)/d(input) per image."""
    batch_norm: str
    """How ``llo`` treats BatchNorm's batch statistics (``graph.BATCH_NORM``)."""
    labels: torch.Tensor
    pairs: torch.Tensor
    """(2, pairs): the image pairs i < j."""
    jaccard: torch.Tensor
    """(pairs, inputs) float64: Jaccard distance of omega_n^(i) and omega_n^(j)."""


_CACHE: OrderedDict[str, LloStatistics] = OrderedDict()


def llo_statistics(net: nn.Module, batch: Batch, batch_norm: str = BATCH_NORM[0]) -> LloStatistics:
    """LLOs and parameter-set Jaccard distances of ``net`` on ``batch`` (cached, see the module docstring).

    The parameter-set counting packs bits with NumPy, so these scores run on the CPU whatever the batch's device.
    """
    if batch.images.device.type != "cpu":
        net, batch = net.cpu(), batch_on(batch, torch.device("cpu"))
    key = _fingerprint(net, batch)
    if batch_norm != BATCH_NORM[0]:
        held = llo_statistics(net, batch)
        return _remember(f"{key}:{batch_norm}", lambda: _with_llo(held, net, batch, batch_norm))
    return _remember(key, lambda: _compute(net, batch))


def _remember(key: str, compute: Callable[[], LloStatistics]) -> LloStatistics:
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    _CACHE[key] = compute()
    while len(_CACHE) > _KEPT:
        _CACHE.popitem(last=False)
    return _CACHE[key]


def _compute(net: nn.Module, batch: Batch) -> LloStatistics:
    ops = trace(net)
    with one_torch_thread():
        with torch.enable_grad():
            forward = forward_pass(ops, batch.images)
        counts = PairCounts(len(batch), forward.input_shape)
        with torch.no_grad():
            for layer in parameter_set_layers(net, ops, forward):
                counts.add(layer)
        pairs, jaccard = counts.jaccard_distances()
    return LloStatistics(forward.input_shape, forward.llo, BATCH_NORM[0], batch.labels, pairs, jaccard)


def _with_llo(stats: LloStatistics, net: nn.Module, batch: Batch, batch_norm: str) -> LloStatistics:
    """``stats`` with the LLOs of another BatchNorm treatment (the activation pattern, so the sets, are the same)."""
    with one_torch_thread(), torch.enable_grad():
        llo = forward_pass(trace(net), batch.images, batch_norm).llo
    return dataclasses.replace(stats, llo=llo, batch_norm=batch_norm)


def _fingerprint(net: nn.Module, batch: Batch) -> str:
    digest = hashlib.sha1(repr(net).encode())
    digest.update(f"{net.training}|{batch.fingerprint}".encode())
    for name, tensor in net.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().contiguous().cpu().numpy().tobytes())
    return digest.hexdigest()


def _variant(distance: str, similarity: str, batch_norm: str) -> ScoreFunction:
    def score(net: nn.Module, batch: Batch) -> float:
        stats = llo_statistics(net, batch, batch_norm)
        value = llo_score(stats.llo, stats.jaccard, stats.pairs, stats.labels, distance, similarity)
        if math.isnan(value):
            why = "zero LLO elements or constant distance vectors"
            raise UndefinedScore(f"every term of the {score_name(distance, similarity, batch_norm)} score is undefined ({why})")
        return value

    name = "harmonic mean" if similarity == "hmean" else "correlation"
    statistics = "held constant" if batch_norm == BATCH_NORM[0] else "differentiated"
    score.__doc__ = (f"Thesis eq. 3.31: {name} of the {distance} LLO distance and the sets' Jaccard distance, "
                     f"class-signed; BatchNorm statistics {statistics}.")
    return score


def score_name(distance: str, similarity: str, batch_norm: str = BATCH_NORM[0]) -> str:
    """``llo:<distance>:<similarity>``, with ``:bn=<treatment>`` when BatchNorm is not the default."""
    suffix = "" if batch_norm == BATCH_NORM[0] else f":bn={batch_norm}"
    return f"llo:{distance}:{similarity}{suffix}"


for _batch_norm in BATCH_NORM:
    for _distance in DISTANCES:
        for _similarity in SIMILARITIES:
            register_score(score_name(_distance, _similarity, _batch_norm), needs_grad=True, needs_labels=True,
                           version=VERSION)(_variant(_distance, _similarity, _batch_norm))
register_score("llo", needs_grad=True, needs_labels=True, version=VERSION)(_variant(*DEFAULT, BATCH_NORM[0]))
