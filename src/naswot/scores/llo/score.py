"""The LLO scores: ``llo:<distance>:<similarity>`` for the eight variants of thesis table 5.1, and
``llo`` for the best one there (correlation, normalised absolute distance; R = 0.4624 on four networks).

The expensive part (LLOs and the Jaccard distances of all parameter sets) is shared by every
variant; it is kept for the last two (network, batch) pairs seen, so scoring the variants of one
network one after another computes it once. The key hashes every parameter and buffer, the module
structure, the BatchNorm mode and the batch fingerprint.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.device import batch_on
from naswot.scores.llo.formula import DISTANCES, SIMILARITIES, llo_score
from naswot.scores.llo.graph import forward_pass, trace
from naswot.scores.llo.pairs import PairCounts
from naswot.scores.llo.sets import parameter_set_layers
from naswot.scores.registry import ScoreFunction, UndefinedScore, register_score
from naswot.threads import one_torch_thread

DEFAULT = ("abs_norm", "corr")
_KEPT = 2


@dataclass(frozen=True)
class LloStatistics:
    """Everything the score variants and the views need for one network on one batch."""

    input_shape: tuple[int, int, int]
    llo: torch.Tensor
    """(batch, inputs) float64: d(sum of logits)/d(input) per image."""
    labels: torch.Tensor
    pairs: torch.Tensor
    """(2, pairs): the image pairs i < j."""
    jaccard: torch.Tensor
    """(pairs, inputs) float64: Jaccard distance of omega_n^(i) and omega_n^(j)."""


_CACHE: OrderedDict[str, LloStatistics] = OrderedDict()


def llo_statistics(net: nn.Module, batch: Batch) -> LloStatistics:
    """LLOs and parameter-set Jaccard distances of ``net`` on ``batch`` (cached, see the module docstring).

    The parameter-set counting packs bits with NumPy, so these scores run on the CPU whatever the batch's device.
    """
    if batch.images.device.type != "cpu":
        net, batch = net.cpu(), batch_on(batch, torch.device("cpu"))
    key = _fingerprint(net, batch)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    ops = trace(net)
    with one_torch_thread():
        with torch.enable_grad():
            forward = forward_pass(ops, batch.images)
        counts = PairCounts(len(batch), forward.input_shape)
        with torch.no_grad():
            for layer in parameter_set_layers(net, ops, forward):
                counts.add(layer)
        pairs, jaccard = counts.jaccard_distances()
    stats = LloStatistics(forward.input_shape, forward.llo, batch.labels, pairs, jaccard)
    _CACHE[key] = stats
    while len(_CACHE) > _KEPT:
        _CACHE.popitem(last=False)
    return stats


def _fingerprint(net: nn.Module, batch: Batch) -> str:
    digest = hashlib.sha1(repr(net).encode())
    digest.update(f"{net.training}|{batch.fingerprint}".encode())
    for name, tensor in net.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().contiguous().cpu().numpy().tobytes())
    return digest.hexdigest()


def _variant(distance: str, similarity: str) -> ScoreFunction:
    def score(net: nn.Module, batch: Batch) -> float:
        stats = llo_statistics(net, batch)
        value = llo_score(stats.llo, stats.jaccard, stats.pairs, stats.labels, distance, similarity)
        if math.isnan(value):
            why = "zero LLO elements or constant distance vectors"
            raise UndefinedScore(f"every term of the llo:{distance}:{similarity} score is undefined ({why})")
        return value

    name = "harmonic mean" if similarity == "hmean" else "correlation"
    score.__doc__ = f"Thesis eq. 3.31: {name} of the {distance} LLO distance and the sets' Jaccard distance, class-signed."
    return score


for _distance in DISTANCES:
    for _similarity in SIMILARITIES:
        register_score(f"llo:{_distance}:{_similarity}", needs_grad=True, needs_labels=True)(_variant(_distance, _similarity))
register_score("llo", needs_grad=True, needs_labels=True)(_variant(*DEFAULT))
