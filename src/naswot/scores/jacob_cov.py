"""NASWOT v1 (Mellor et al., first version): how uncorrelated the input Jacobians of a batch are.

The zero-cost-proxy literature calls the same score ``jacov``; both names run this one function.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import UndefinedScore, register_score

STABILITY = 1e-5  # the paper's k


def input_jacobians(net: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """d(sum of logits)/d(input) for every image, as the paper's code computes it (one backward pass).

    With BatchNorm in train mode the images interact through the batch statistics, and the original
    code keeps that coupling; for a network without it each row is exactly that image's Jacobian.
    """
    x = images.detach().clone().requires_grad_(True)
    net.zero_grad(set_to_none=True)
    logits = net(x)
    logits.backward(torch.ones_like(logits))
    return x.grad.reshape(len(x), -1)


def check_varying(jacobians: np.ndarray) -> None:
    """A constant Jacobian row has no correlation with anything: refuse it rather than return NaN."""
    flat = np.ptp(jacobians, axis=1) == 0
    if flat.any():
        raise UndefinedScore(f"the Jacobian of {int(flat.sum())} image(s) is constant, so its correlation is undefined")


def correlation_score(jacobians: np.ndarray, k: float = STABILITY) -> float:
    """S = -sum_i [log(s_i + k) + 1/(s_i + k)] over the eigenvalues s_i of the Jacobians' correlation matrix."""
    jacobians = np.asarray(jacobians, dtype=np.float64)
    check_varying(jacobians)
    eigenvalues = np.linalg.eigvalsh(np.corrcoef(jacobians))
    eigenvalues = np.clip(eigenvalues, 0.0, None)  # a correlation matrix is PSD; clip round-off below zero
    return float(-np.sum(np.log(eigenvalues + k) + 1.0 / (eigenvalues + k)))


@register_score("jacov", needs_grad=True)
@register_score("naswot_v1", needs_grad=True)
def naswot_v1(net: nn.Module, batch: Batch) -> float:
    """Spectrum of the correlations of per-image input Jacobians (NASWOT v1, eq. 2 of the paper)."""
    return correlation_score(input_jacobians(net, batch.images).cpu().numpy())
