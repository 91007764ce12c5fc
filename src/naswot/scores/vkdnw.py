"""VKDNW (Tybl & Neumann, "Training-free NAS through Variance of Knowledge of Deep Network Weights", CVPR 2025).

The Fisher information of the network's predictive distribution, F = mean over images n of
J_n^T (diag p_n - p_n p_n^T) J_n, with J_n the Jacobian of image n's logits with respect to a
subset of the weights and p_n its softmax probabilities smoothed towards uniform (0.95 p + 0.05 / C).
The score is the entropy of F's spectrum summarised by its nine deciles: with q_1..q_9 the 10 %,
..., 90 % quantiles of F's eigenvalues and t = q / sum(q), VKDNW = -sum t log(t + 1e-10). A
spectrum whose deciles are even (weights equally well determined by the data) scores high.

Follows the authors' NAS-Bench-201 code for what the paper leaves open: the weights are the first
element of each of the first 128 parameter tensors in module order, BatchNorm in eval mode (the
running statistics of a fresh network), one batch, Kaiming fan-in scale for every weight. In eval
mode BatchNorm does not undo the weights' scale, so that scale matters: the authors redraw the
weights from a Kaiming-normal fan-in distribution, this score rescales a copy of the run's own
weights to that standard deviation, sqrt(2 / fan_in) (biases 0, BatchNorm 1 and 0, as the code
sets them), so the run's seed still decides the draw. Deviation: the code multiplies J by the
Cholesky factor L of the covariance from the left, giving J^T L^T L J; the paper's Fisher
information, computed here, is J^T L L^T J = J^T (diag p - p p^T) J.
``vkdnw_agg`` (the paper's aggregate) is a rank product over a scored population; see the
composite scores.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

from naswot.data.batch import Batch
from naswot.scores.registry import UndefinedScore, register_score

PARAMETER_TENSORS = 128
SMOOTHING = 0.05


def probed_weights(net: nn.Module) -> list[str]:
    """Names of the parameter tensors whose first element the Fisher information is taken over."""
    return [name for name, _ in net.named_parameters()][:PARAMETER_TENSORS]


def logit_jacobians(net: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """d logits / d (first element of each probed tensor), per image: N x classes x probed (float64).

    BatchNorm is in eval mode, so images do not interact and the per-image derivative of a weight's
    first element is the module's output gradient times that element's tangent (the input it
    multiplies), summed over positions: one backward pass per class. ``functorch_logit_jacobians``
    computes the same per image with torch.func for networks with other layer types (and checks this one).
    """
    owners = probed_owners(net)
    if owners is None:
        return functorch_logit_jacobians(net, images)
    calls: dict[int, list[tuple[torch.Tensor, torch.Tensor]]] = {}

    def record(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        calls.setdefault(id(module), []).append((inputs[0].detach(), output))

    modules = {id(m): m for m, _ in owners}
    handles = [m.register_forward_hook(record) for m in modules.values()]
    try:
        with torch.enable_grad():
            logits = net(images)
    finally:
        for handle in handles:
            handle.remove()
    outputs = [output for key in modules for _, output in calls[key]]
    tangents = [[(output, first_element_tangent(module, kind, x)) for x, output in calls[id(module)]]
                for module, kind in owners]
    columns = []
    for c in range(logits.shape[1]):
        grads = dict(zip(map(id, outputs), torch.autograd.grad(logits[:, c].sum(), outputs, retain_graph=True,
                                                               allow_unused=True)))
        column = []
        for probe in tangents:
            total = torch.zeros(len(images), dtype=torch.float64)
            for output, tangent in probe:
                grad = grads[id(output)]
                if grad is not None:
                    total += (grad[:, 0].double() * tangent).reshape(len(images), -1).sum(1)
            column.append(total)
        columns.append(torch.stack(column, dim=1))
    return torch.stack(columns, dim=1)


PROBE_LAYERS = (nn.Conv2d, nn.Linear, nn.BatchNorm2d)


def probed_owners(net: nn.Module) -> list[tuple[nn.Module, str]] | None:
    """(module, "weight" or "bias") of each probed tensor, or None if one belongs to a layer the fast path lacks."""
    owners = []
    for name in probed_weights(net):
        module_name, _, kind = name.rpartition(".")
        module = net.get_submodule(module_name)
        if not isinstance(module, PROBE_LAYERS) or kind not in ("weight", "bias"):
            return None
        if isinstance(module, nn.BatchNorm2d) and not module.track_running_stats:
            return None
        if isinstance(module, nn.Conv2d) and module.padding_mode != "zeros":
            return None
        owners.append((module, kind))
    return owners


def first_element_tangent(module: nn.Module, kind: str, x: torch.Tensor) -> torch.Tensor:
    """d output[:, 0] / d (first element of the module's weight or bias), for input ``x`` (float64)."""
    x = x.double()
    if kind == "bias":
        return torch.ones((), dtype=torch.float64)
    if isinstance(module, nn.Linear):
        return x[:, 0]
    if isinstance(module, nn.BatchNorm2d):
        return (x[:, 0] - module.running_mean[0].double()) / torch.sqrt(module.running_var[0].double() + module.eps)
    kernel = torch.zeros((1, 1, *module.kernel_size), dtype=torch.float64)
    kernel[0, 0, 0, 0] = 1.0
    return nn.functional.conv2d(x[:, :1], kernel, stride=module.stride, padding=module.padding, dilation=module.dilation)[:, 0]


def functorch_logit_jacobians(net: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The same Jacobians by torch.func (vmap of jacrev over images): any layer type, about ten times slower."""
    parameters = {name: p.detach() for name, p in net.named_parameters()}
    buffers = {name: b.detach() for name, b in net.named_buffers()}
    names = probed_weights(net)
    firsts = tuple(parameters[name].flatten()[:1] for name in names)

    def logits(probes: tuple[torch.Tensor, ...], image: torch.Tensor) -> torch.Tensor:
        replaced = dict(parameters)
        for name, probe in zip(names, probes):
            rest = parameters[name].flatten()[1:]
            replaced[name] = torch.cat([probe, rest]).reshape(parameters[name].shape)
        return functional_call(net, (replaced, buffers), (image.unsqueeze(0),)).squeeze(0)

    with torch.enable_grad():
        jacobians = vmap(jacrev(logits), in_dims=(None, 0))(firsts, images)
    return torch.cat([j.flatten(start_dim=2) for j in jacobians], dim=2).double()


def fisher_information(jacobians: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """mean_n J_n^T (diag p_n - p_n p_n^T) J_n with smoothed softmax probabilities p_n."""
    classes = logits.shape[1]
    p = torch.softmax(logits.double(), dim=1) * (1 - SMOOTHING) + SMOOTHING / classes
    covariance = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]
    return torch.einsum("nck,ncd,ndl->kl", jacobians, covariance, jacobians) / len(logits)


def decile_entropy(fisher: torch.Tensor) -> float:
    """Entropy of the normalised deciles of the eigenvalues of ``fisher``."""
    eigenvalues = torch.linalg.eigvalsh(fisher).clamp(min=0.0)  # PSD: drop round-off below zero
    deciles = torch.quantile(eigenvalues, torch.arange(1, 10, dtype=torch.float64) / 10)
    t = deciles / (deciles.abs().sum() + 1e-10)
    return float(-(t * torch.log(t + 1e-10)).sum())


def kaiming_scaled_copy(net: nn.Module) -> nn.Module:
    """A copy of ``net`` whose conv and linear weights have standard deviation sqrt(2 / fan_in), biases 0, BatchNorm 1/0."""
    clone = copy.deepcopy(net)
    with torch.no_grad():
        for module in clone.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                std = module.weight.std()
                if module.weight.numel() > 1 and std > 0:
                    module.weight.mul_(math.sqrt(2.0 / fan_in) / std)
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, nn.BatchNorm2d) and module.affine:
                module.weight.fill_(1.0)
                module.bias.zero_()
    return clone


@register_score("vkdnw", needs_grad=True, train_bn=False)
def vkdnw(net: nn.Module, batch: Batch) -> float:
    """Entropy of the deciles of the Fisher information's eigenvalues over 128 probed weights (VKDNW)."""
    net = kaiming_scaled_copy(net)
    with torch.no_grad():
        logits = net(batch.images)
    if logits.dim() != 2:
        raise UndefinedScore("the network's output is not one logit vector per image")
    return decile_entropy(fisher_information(logit_jacobians(net, batch.images), logits))
