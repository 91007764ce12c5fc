"""NASWOT (Mellor et al., v2 of the paper): log|K_H| of the Hamming kernel of binary ReLU codes."""

from __future__ import annotations

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.activations import CODES_VERSION, LayerCodes, agreements_from_gram, relu_layer_codes
from naswot.scores.rectifiers import RECTIFIER_NAMES
from naswot.scores.registry import UndefinedScore, register_score


def log_determinant(kernel: torch.Tensor) -> float:
    """log|K| of a positive semi-definite kernel; a singular one has no score."""
    sign, logdet = torch.linalg.slogdet(kernel)
    if sign <= 0:
        raise UndefinedScore("the activation kernel is singular: some images share one ReLU code (no ReLU separates them)")
    return float(logdet)


def coded_layers(net: nn.Module, images: torch.Tensor) -> list[LayerCodes]:
    """The per-rectifier code summaries of ``net`` on ``images``; a network without rectifiers has no score."""
    layers = relu_layer_codes(net, images)
    if not layers:
        raise UndefinedScore(f"the network calls no ReLU or other rectifier ({RECTIFIER_NAMES}), so it has no binary codes")
    return layers


def summed_kernel(layers: list[LayerCodes]) -> torch.Tensor:
    """The Hamming kernel of the units of the given layers together (grams summed exactly in integers)."""
    gram = torch.stack([layer.gram for layer in layers]).sum(dim=0, dtype=torch.int64)
    return agreements_from_gram(gram, sum(layer.units for layer in layers))


def hamming_kernel(net: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """K_H = N_A - d_H over all ReLU units of ``net`` (batch x batch, float64)."""
    return summed_kernel(coded_layers(net, images))


@register_score("naswot", version=CODES_VERSION)
def naswot(net: nn.Module, batch: Batch) -> float:
    """log|K_H|, K_H = N_A - d_H of the images' binary ReLU codes (NASWOT v2, the default)."""
    return log_determinant(hamming_kernel(net, batch.images))
