"""Pruning-at-initialisation saliencies summed over a network (Abdelfattah et al., "Zero-Cost Proxies").

Each one back-propagates the cross-entropy loss of the labelled batch, with BatchNorm in train mode,
and sums a per-weight (or per-channel) saliency over every convolution and linear layer:
``snip`` |w * dL/dw|, ``grad_norm`` the norm of dL/dw per layer, ``grasp`` -w * (H dL/dw), ``fisher``
the Fisher information of each output channel, given to each weight of the channel.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.registry import register_score

WEIGHTED = (nn.Conv2d, nn.Linear)


def layer_weights(net: nn.Module) -> list[torch.Tensor]:
    """The weight tensor of every convolution and linear layer, in module order."""
    return [m.weight for m in net.modules() if isinstance(m, WEIGHTED)]


def classification_loss(net: nn.Module, batch: Batch) -> torch.Tensor:
    """Mean cross-entropy of the network's logits against the batch's labels."""
    return F.cross_entropy(net(batch.images), batch.labels)


def loss_gradients(net: nn.Module, batch: Batch, create_graph: bool = False) -> list[torch.Tensor]:
    """dL/dw for every weight of ``layer_weights`` (zeros for a layer the loss does not reach)."""
    weights = layer_weights(net)
    grads = torch.autograd.grad(classification_loss(net, batch), weights, allow_unused=True, create_graph=create_graph)
    return [torch.zeros_like(w) if g is None else g for w, g in zip(weights, grads)]


@register_score("snip", needs_loss=True)
def snip(net: nn.Module, batch: Batch) -> float:
    """SNIP connection sensitivity: sum of |w * dL/dw| over all conv and linear weights."""
    grads = loss_gradients(net, batch)
    with torch.no_grad():
        return float(sum((w * g).abs().sum() for w, g in zip(layer_weights(net), grads)))


@register_score("grad_norm", needs_loss=True)
def grad_norm(net: nn.Module, batch: Batch) -> float:
    """Sum over conv and linear layers of the Euclidean norm of the layer's loss gradient."""
    return float(sum(g.norm() for g in loss_gradients(net, batch)))


@register_score("grasp", needs_loss=True)
def grasp(net: nn.Module, batch: Batch) -> float:
    """GraSP: sum of -w * (H g) with g = dL/dw and H the Hessian of the loss, via one Hessian-vector product.

    The paper's code runs two forward passes (one for g, one for the product); in train mode both see
    the same batch statistics, so one forward pass with a differentiable gradient gives the same value.
    """
    weights = layer_weights(net)
    grads = loss_gradients(net, batch, create_graph=True)
    if not any(g.requires_grad for g in grads):
        return 0.0  # the loss does not depend on any weight: the Hessian-gradient product is zero
    inner = sum((g * g.detach()).sum() for g in grads if g.requires_grad)
    hessian_grads = torch.autograd.grad(inner, weights, allow_unused=True)
    with torch.no_grad():
        return float(sum((-w * hg).sum() for w, hg in zip(weights, hessian_grads) if hg is not None))


def channel_fisher(net: nn.Module, batch: Batch) -> list[tuple[torch.Tensor, int]]:
    """Per conv and linear layer: the Fisher value of each output channel, and the weights per channel.

    For output activations a (images n, channels k, positions) and g = dL/da, a channel's value is
    0.5 * mean over n of (sum over positions of a * g)^2: the loss change from removing the channel.
    """
    layers: list[tuple[torch.Tensor, int]] = []
    hooks = [m.register_forward_hook(lambda module, inputs, output: layers.append((output, module.weight[0].numel())))
             for m in net.modules() if isinstance(m, WEIGHTED)]
    try:
        loss = classification_loss(net, batch)
    finally:
        for hook in hooks:
            hook.remove()
    grads = torch.autograd.grad(loss, [output for output, _ in layers], allow_unused=True)
    values = []
    for (activation, fan_in), grad in zip(layers, grads):
        if grad is None:
            continue
        per_image = (activation.detach() * grad).flatten(2).sum(2) if activation.dim() > 2 else activation.detach() * grad
        values.append((per_image.pow(2).mean(0).mul(0.5), fan_in))
    return values


@register_score("fisher", needs_loss=True, version=2)
def fisher(net: nn.Module, batch: Batch) -> float:
    """Fisher information as Abdelfattah et al. and NASLib sum it: each channel's value given to every weight of the channel.

    Version 2: version 1 summed each channel once; weighting by the channel's fan-in
    (C_in * k_h * k_w, or in_features) is the published definition.
    """
    return float(sum(float(per_channel.sum()) * fan_in for per_channel, fan_in in channel_fisher(net, batch)))
