"""VKDNW (Tybl & Neumann, "Training-free NAS through Variance of Knowledge of Deep Network Weights", CVPR 2025).

The Fisher information of the network's predictive distribution over a subset of its weights, from
J_n, the Jacobian of image n's logits with respect to those weights, and p_n, its softmax probabilities
smoothed towards uniform (0.95 p + 0.05 / C). Its spectrum is summarised by the nine deciles: with
q_1..q_9 the 10 %, ..., 90 % quantiles of the singular values and t = q / sum(q), the entropy is
-sum t log(t + 1e-10). Deciles that are even (weights equally well determined by the data) score high.

Three scores, as the authors' NAS-Bench-201 code (github.com/ondratybl/VKDNW, commit beb332b) uses them:
- ``vkdnw_single``: the entropy alone (the code's ``vkdnw_entropy``);
- ``parameter_tensors`` (in ``naswot.scores.size``): ℵ, the number of parameter tensors, the paper's
  "number of trainable layers" (the code's ``vkdnw_dim``);
- ``vkdnw``: the published ranking, first by ℵ, ties broken by the entropy (``NB201/tss_utils.py``
  lines 376-378: the dense rank of the pair; the paper's Table 1 calls it VKDNW_single). One float
  orders networks the same way: ℵ + (1/2 + arctan(entropy) / pi), a whole number plus a fraction in (0, 1).

The entropy is computed on the authors' input (``NB201/ZeroShotProxy/compute_vkdnw_score.py``): the
network re-initialised Kaiming-normal (fan in; on a copy, seeded by the run's weights, see
``naswot.scores.reinit``), BatchNorm in eval mode with fresh statistics, 64 standard-normal images of
the data's size (fixed seed; the run's batch only fixes the shape), the first element of each of the
first 128 parameter tensors in module order, products and SVD in float32.

The code and the paper differ in one product. With L the Cholesky factor of the covariance
diag p - p p^T (L L^T; the code's ``cholesky_covariance``), the code forms L J and takes
mean (L J)^T (L J) = J^T L^T L J; the paper's Fisher information is J^T L L^T J = J^T (diag p - p p^T) J.
``vkdnw_single`` follows the code, ``vkdnw_single_paper`` the paper; both are measured in the report.
Deviation: the code's 0.05 is a float16 scalar, so its 1 - 0.05 is 0.9502 and its probabilities sum to
1.0002; here they sum to one.

Version 2 of ``vkdnw``: the published ranking (version 1 was a paper-product entropy on the real batch).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

from naswot.data.batch import Batch
from naswot.scores.registry import UndefinedScore, register_score
from naswot.scores.reinit import gaussian_images, kaiming_normal_copy
from naswot.spaces.network import parameter_tensors, run_with_hooks

PARAMETER_TENSORS = 128
SMOOTHING = 0.05
GAUSSIAN_IMAGES = 64
"""The authors' batch size (``tss_general_.py``'s ``--batch_size`` default)."""
PRODUCTS = ("code", "paper")


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
    with torch.enable_grad():
        logits = run_with_hooks(net, images, modules.values(), record)
    outputs = [output for key in modules for _, output in calls[key]]
    tangents = [[(output, first_element_tangent(module, kind, x)) for x, output in calls[id(module)]]
                for module, kind in owners]
    columns = []
    for c in range(logits.shape[1]):
        grads = dict(zip(map(id, outputs), torch.autograd.grad(logits[:, c].sum(), outputs, retain_graph=True,
                                                               allow_unused=True)))
        column = []
        for probe in tangents:
            total = torch.zeros(len(images), dtype=torch.float64, device=images.device)
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
    kernel = torch.zeros((1, 1, *module.kernel_size), dtype=torch.float64, device=x.device)
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


def smoothed_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """0.95 softmax + 0.05 / C: no class has probability 0, so the covariance's factor is defined."""
    return torch.softmax(logits, dim=1) * (1 - SMOOTHING) + SMOOTHING / logits.shape[1]


def covariance_factor(p: torch.Tensor) -> torch.Tensor:
    """The lower-triangular L with L L^T = diag p - p p^T, per row of ``p`` (N x C -> N x C x C), as the code builds it.

    With q_j = 1 - (p_1 + ... + p_j) (q_C = 0) and d_j = sqrt(p_j q_j / q_{j-1}) (q_0 = 1): L_jj = d_j and
    L_ij = -p_i d_j / q_j below the diagonal. The last column is 0, as the covariance has rank C - 1.
    """
    q = 1 - torch.cumsum(p, dim=1)
    q[:, -1] = 0
    q_before = torch.cat([torch.ones_like(q[:, :1]), q[:, :-1]], dim=1)
    d = torch.sqrt(p * q / q_before)
    below = -p[:, :, None] / torch.where(q > 0, q, torch.ones_like(q))[:, None, :]
    eye = torch.eye(p.shape[1], dtype=p.dtype, device=p.device)
    return (torch.tril(below, diagonal=-1) + eye) * d[:, None, :]


def fisher_information(jacobians: torch.Tensor, logits: torch.Tensor, product: str = "code") -> torch.Tensor:
    """mean_n J_n^T L_n^T L_n J_n (``"code"``) or mean_n J_n^T L_n L_n^T J_n = J_n^T (diag p - p p^T) J_n
    (``"paper"``), in float32 as the code computes it."""
    factor = covariance_factor(smoothed_probabilities(logits.float()))
    if product == "paper":
        factor = factor.transpose(1, 2)
    weighted = factor @ jacobians.float()
    return torch.einsum("nck,ncl->kl", weighted, weighted) / len(logits)


def decile_entropy(fisher: torch.Tensor) -> float:
    """Entropy of the normalised deciles of the singular values of ``fisher`` (float32, as the code's SVD)."""
    singular_values = torch.linalg.svdvals(fisher.float())
    deciles = torch.quantile(singular_values, torch.arange(1, 10, dtype=torch.float32, device=fisher.device) / 10)
    t = deciles / (deciles.abs().sum() + 1e-10)
    return float(-(t * torch.log(t + 1e-10)).sum())


def fisher_entropy(net: nn.Module, batch: Batch, product: str = "code") -> float:
    """The decile entropy of ``net``'s Fisher information on the authors' input (Kaiming redraw, Gaussian images)."""
    if product not in PRODUCTS:
        raise ValueError(f"product={product!r}: use one of {', '.join(PRODUCTS)}")
    net = kaiming_normal_copy(net)
    images = gaussian_images(GAUSSIAN_IMAGES, batch)
    with torch.no_grad():
        logits = net(images)
    if logits.dim() != 2:
        raise UndefinedScore("the network's output is not one logit vector per image")
    return decile_entropy(fisher_information(logit_jacobians(net, images), logits, product))


def lexicographic(whole: int, tie_breaker: float) -> float:
    """One float that orders as the pair (whole, tie_breaker): ``whole`` plus ``tie_breaker`` squashed into (0, 1)."""
    return whole + 0.5 + math.atan(tie_breaker) / math.pi


@register_score("vkdnw_single", needs_grad=True, train_bn=False)
def vkdnw_single(net: nn.Module, batch: Batch) -> float:
    """Entropy of the deciles of the Fisher spectrum (the code's J^T L^T L J) on the authors' Gaussian input (VKDNW)."""
    return fisher_entropy(net, batch, "code")


@register_score("vkdnw_single_paper", needs_grad=True, train_bn=False)
def vkdnw_single_paper(net: nn.Module, batch: Batch) -> float:
    """vkdnw_single with the paper's Fisher information J^T (diag p - p p^T) J instead of the code's product."""
    return fisher_entropy(net, batch, "paper")


@register_score("vkdnw", needs_grad=True, train_bn=False, version=2)
def vkdnw(net: nn.Module, batch: Batch) -> float:
    """The published VKDNW ranking: by ℵ (parameter tensors), ties broken by vkdnw_single H: ℵ + 1/2 + arctan(H) / pi."""
    return lexicographic(parameter_tensors(net), fisher_entropy(net, batch, "code"))
