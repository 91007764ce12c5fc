"""ZiCo (Li et al., "ZiCo: Zero-shot NAS via Inverse Coefficient of Variation on Gradients", ICLR 2023).

The batch is split into mini-batches; for every weight of a convolution or linear layer the
gradient of each mini-batch's cross-entropy loss is taken (BatchNorm in train mode), and per layer
the score adds log( sum over weights of mean_b |g_b| / std_b g_b ), summed over layers. Weights
whose gradient does not vary across mini-batches (std 0) are left out, and so is a layer where no
weight is left, as in the authors' code.

Follows the authors' code (and AZ-NAS's NAS-Bench-201 port of it): two mini-batches, the
population standard deviation, the sum (not mean) over weights inside the log. Where the code
draws two batches from a data loader, this one splits the one batch every score sees into two
halves, so ``zico`` at batch 128 sees the two mini-batches of 64 images.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.scores.gradients import loss_gradients
from naswot.scores.registry import register_score

SPLITS = 2


def mini_batches(batch: Batch, splits: int = SPLITS) -> list[Batch]:
    """``splits`` consecutive slices of the batch; each needs two images for BatchNorm's statistics."""
    if len(batch) < 2 * splits:
        raise NaswotError(f"zico splits the batch into {splits} mini-batches of two or more images: "
                          f"use batch_size={2 * splits} or more (the paper uses 2 x 64)")
    bounds = [len(batch) * i // splits for i in range(splits + 1)]
    return [dataclasses.replace(batch, images=batch.images[a:b], labels=batch.labels[a:b])
            for a, b in zip(bounds, bounds[1:])]


def inverse_variation(per_batch: list[list[torch.Tensor]]) -> float:
    """sum over layers of log(sum over weights of mean|g| / std g), from each mini-batch's layer gradients."""
    total = 0.0
    for layer in zip(*per_batch):
        grads = torch.stack([g.flatten() for g in layer]).double()
        std = grads.std(dim=0, unbiased=False)
        varying = std > 0
        if varying.any():
            total += float(torch.log((grads.abs().mean(dim=0)[varying] / std[varying]).sum()))
    return total


@register_score("zico", needs_loss=True)
def zico(net: nn.Module, batch: Batch) -> float:
    """Sum over layers of log(sum of mean/std of the weights' gradients across two mini-batches)."""
    return inverse_variation([loss_gradients(net, part) for part in mini_batches(batch)])
