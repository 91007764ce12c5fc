"""NASWOT variants worth comparing with the default: the same per-layer Hamming kernels, combined differently.

``naswot_norm`` divides K_H by the number of ReLU units, so a network is not rewarded merely for
having more units (log|K_H / U| = log|K_H| - N log U). ``naswot_last<k>`` keeps only the codes of the
last k ReLU calls (in execution order), the layers nearest the classifier.
"""

from __future__ import annotations

from torch import nn

from naswot.data.batch import Batch
from naswot.scores.activations import CODES_VERSION
from naswot.scores.naswot import coded_layers, log_determinant, summed_kernel
from naswot.scores.registry import ScoreFunction, register_score

LAST_LAYERS = (1, 3)
"""The k of the registered ``naswot_last<k>`` scores: the final ReLU alone, and the last three."""


@register_score("naswot_norm", version=CODES_VERSION)
def naswot_norm(net: nn.Module, batch: Batch) -> float:
    """log|K_H / U|: the NASWOT kernel divided by its number of ReLU units U (agreement fractions)."""
    kernels = coded_layers(net, batch.images)
    return log_determinant(summed_kernel(kernels) / sum(k.units for k in kernels))


def last_layers_score(k: int) -> ScoreFunction:
    """The NASWOT score restricted to the codes of the last ``k`` ReLU calls."""

    def score(net: nn.Module, batch: Batch) -> float:
        return log_determinant(summed_kernel(coded_layers(net, batch.images)[-k:]))

    score.__doc__ = f"log|K_H| of the codes of the last {k} ReLU call(s) only."
    return score


for _k in LAST_LAYERS:
    register_score(f"naswot_last{_k}", version=CODES_VERSION)(last_layers_score(_k))
